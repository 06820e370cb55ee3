/**
 * A small schema kit for configuration files: each schema checks a parsed YAML value, fills
 * defaults and records EVERY problem (path + what was expected + what it got) instead of stopping
 * at the first (STYLE 11). Hand-written rather than JSON Schema so that messages read like
 * `expected an integer from 1 to 65535, got "abc"` and unknown keys list the known ones.
 */

export type Seg = string | number;

export interface Issue {
  readonly path: readonly Seg[];
  readonly message: string;
  /** The problem is the key itself (unknown key), not its value: point at the key's line. */
  readonly atKey?: boolean;
}

export interface Ctx {
  readonly env: NodeJS.ProcessEnv;
  readonly issues: Issue[];
}

export const INVALID: unique symbol = Symbol('invalid');
export type Checked<T> = T | typeof INVALID;

export interface Schema<T> {
  /** What a valid value looks like, for messages and docs: "an integer from 1 to 65535". */
  readonly expected: string;
  check(value: unknown, path: readonly Seg[], ctx: Ctx): Checked<T>;
}

export function fail(ctx: Ctx, path: readonly Seg[], message: string, atKey = false): typeof INVALID {
  ctx.issues.push(atKey ? { path, message, atKey } : { path, message });
  return INVALID;
}

export function formatPath(path: readonly Seg[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return String(value);
}

export const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const ENV_REF = /\$\{env:([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Expands `${env:NAME}`; an unset variable is a problem (never silently empty: a missing token must not go out). */
export function expandEnv(text: string, path: readonly Seg[], ctx: Ctx): Checked<string> {
  let ok = true;
  const out = text.replace(ENV_REF, (_m, name: string) => {
    if (!ENV_NAME.test(name)) {
      ok = false;
      fail(ctx, path, `"\${env:${name}}" is not a valid environment variable reference`);
      return '';
    }
    const v = ctx.env[name];
    if (v === undefined) {
      ok = false;
      fail(ctx, path, `environment variable ${name} is not set`);
      return '';
    }
    return v;
  });
  return ok ? out : INVALID;
}

export interface StrOptions {
  readonly expected?: string;
  readonly minLength?: number; // default 1
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** Further check on the expanded value; returns the whole message when invalid (`raw` is before expansion). */
  readonly test?: (value: string, raw: string) => string | null;
  /** Never echo the value (it may hold a password). */
  readonly secret?: boolean;
}

export function str(opts: StrOptions = {}): Schema<string> {
  const minLength = opts.minLength ?? 1;
  const expected = opts.expected ?? (minLength > 0 ? 'a non-empty string' : 'a string');
  return {
    expected,
    check(value, path, ctx) {
      if (typeof value !== 'string') {
        const hint =
          typeof value === 'number' || typeof value === 'boolean' ? ' (quote it to make it a string)' : '';
        return fail(ctx, path, `expected ${expected}, got ${describe(value)}${hint}`);
      }
      const s = expandEnv(value, path, ctx);
      if (s === INVALID) return INVALID;
      const got = opts.secret ? '' : `, got ${describe(value)}`;
      if (s.length < minLength || (opts.maxLength !== undefined && s.length > opts.maxLength)) {
        return fail(ctx, path, `expected ${expected}${got}`);
      }
      if (opts.pattern && !opts.pattern.test(s)) return fail(ctx, path, `expected ${expected}${got}`);
      const problem = opts.test?.(s, value);
      if (problem) return fail(ctx, path, problem);
      return s;
    },
  };
}

/** Scalars other than strings may come from `${env:X}` as a whole value (e.g. `port: ${env:PORT}`). */
function scalarText(value: unknown, path: readonly Seg[], ctx: Ctx): Checked<string> | null {
  if (typeof value !== 'string' || !/^\$\{env:[^}]*\}$/.test(value)) return null;
  return expandEnv(value, path, ctx);
}

export function int(min: number, max: number = Number.MAX_SAFE_INTEGER): Schema<number> {
  const expected =
    max === Number.MAX_SAFE_INTEGER
      ? `an integer greater than or equal to ${min}`
      : `an integer from ${min} to ${max}`;
  return {
    expected,
    check(value, path, ctx) {
      let n = value;
      const text = scalarText(value, path, ctx);
      if (text === INVALID) return INVALID;
      if (text !== null) n = /^-?\d+$/.test(text) ? Number(text) : text;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        const from = text !== null ? ` (from ${value as string})` : '';
        return fail(ctx, path, `expected ${expected}, got ${describe(n)}${from}`);
      }
      return n;
    },
  };
}

export function bool(): Schema<boolean> {
  const expected = 'true or false';
  return {
    expected,
    check(value, path, ctx) {
      const text = scalarText(value, path, ctx);
      if (text === INVALID) return INVALID;
      const v = text === 'true' ? true : text === 'false' ? false : (text ?? value);
      if (typeof v !== 'boolean') return fail(ctx, path, `expected ${expected}, got ${describe(v)}`);
      return v;
    },
  };
}

export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  const expected = `one of: ${values.join(', ')}`;
  return {
    expected,
    check(value, path, ctx) {
      const text = typeof value === 'string' ? expandEnv(value, path, ctx) : value;
      if (text === INVALID) return INVALID;
      if (typeof text !== 'string' || !(values as readonly string[]).includes(text)) {
        return fail(ctx, path, `expected ${expected}, got ${describe(text)}`);
      }
      return text as V;
    },
  };
}
