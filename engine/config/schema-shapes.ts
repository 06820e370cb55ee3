import {
  describe,
  fail,
  INVALID,
  isMap,
  str,
  type Checked,
  type Ctx,
  type Schema,
  type Seg,
} from './schema-kit.ts';

/** Structural schemas (lists, maps, objects with known keys, tagged variants) over the primitives of schema-kit. */

export function list<T>(item: Schema<T>, minItems = 0): Schema<T[]> {
  const expected = `a list of ${item.expected}${minItems > 0 ? ` (at least ${minItems})` : ''}`;
  return {
    expected,
    check(value, path, ctx) {
      if (!Array.isArray(value) || value.length < minItems) {
        return fail(
          ctx,
          path,
          `expected ${expected}, got ${Array.isArray(value) ? 'an empty list' : describe(value)}`,
        );
      }
      const out: T[] = [];
      let ok = true;
      value.forEach((v: unknown, i) => {
        const r = item.check(v, [...path, i], ctx);
        if (r === INVALID) ok = false;
        else out.push(r);
      });
      return ok ? out : INVALID;
    },
  };
}

/** A list, or a single value standing for a one-item list (`equals: LAB` = `equals: [LAB]`). */
export function listOrOne<T>(item: Schema<T>): Schema<T[]> {
  const many = list(item, 1);
  return {
    expected: `${item.expected}, or a list of them`,
    check(value, path, ctx) {
      if (Array.isArray(value)) return many.check(value, path, ctx);
      const r = item.check(value, path, ctx);
      return r === INVALID ? INVALID : [r];
    },
  };
}

/** A map with free keys (HTTP headers, mapping options). */
export function record<T>(valueSchema: Schema<T>, key: Schema<string> = str()): Schema<Record<string, T>> {
  const expected = `a map of ${valueSchema.expected}`;
  return {
    expected,
    check(value, path, ctx) {
      if (!isMap(value)) return fail(ctx, path, `expected ${expected}, got ${describe(value)}`);
      const out: Record<string, T> = {};
      let ok = true;
      for (const [k, v] of Object.entries(value)) {
        if (key.check(k, [...path, k], ctx) === INVALID) ok = false;
        const r = valueSchema.check(v, [...path, k], ctx);
        if (r === INVALID) ok = false;
        else out[k] = r;
      }
      return ok ? out : INVALID;
    },
  };
}

export const anything: Schema<unknown> = { expected: 'any value', check: (value) => value };

/** Runs `base`, then a further check or conversion on its valid output. */
export function refine<T, U>(
  base: Schema<T>,
  fn: (value: T, path: readonly Seg[], ctx: Ctx) => Checked<U>,
  expected = base.expected,
): Schema<U> {
  return {
    expected,
    check(value, path, ctx) {
      const r = base.check(value, path, ctx);
      return r === INVALID ? INVALID : fn(r, path, ctx);
    },
  };
}

/** Deferred reference, for recursive schemas (filters nest in `any` / `not`). */
export function lazy<T>(expected: string, get: () => Schema<T>): Schema<T> {
  return { expected, check: (value, path, ctx) => get().check(value, path, ctx) };
}

export interface Field<T> {
  readonly schema: Schema<T>;
  readonly required: boolean;
  readonly fallback: T;
}

export const required = <T>(schema: Schema<T>): Field<T> => ({
  schema,
  required: true,
  fallback: undefined as T,
});
/** Absent or empty (`key:` with no value) takes `fallback`. */
export const optional = <T, D extends T | null = T>(schema: Schema<T>, fallback: D): Field<T | D> => ({
  schema,
  required: false,
  fallback,
});

export type Shape = Record<string, Field<unknown>>;
export type ShapeOut<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface ObjSchema<S extends Shape> extends Schema<ShapeOut<S>> {
  readonly shape: S;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = known.filter((k) => distance(key.toLowerCase(), k.toLowerCase()) <= Math.max(1, k.length / 4));
  const hint = near.length > 0 ? ` (did you mean "${near[0]}"?)` : '';
  return `unknown key "${key}"${hint}; known keys: ${known.join(', ')}`;
}

export function obj<S extends Shape>(shape: S, expected = 'a map'): ObjSchema<S> {
  const known = Object.keys(shape);
  return {
    expected,
    shape,
    check(value, path, ctx) {
      if (!isMap(value)) return fail(ctx, path, `expected ${expected}, got ${describe(value)}`);
      let ok = true;
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(shape, key)) continue;
        fail(ctx, [...path, key], unknownKeyMessage(key, known), true);
        ok = false;
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(shape)) {
        const v = value[key];
        if (v === undefined || v === null) {
          if (!field.required) out[key] = field.fallback;
          else {
            fail(ctx, [...path, key], `required: expected ${field.schema.expected}`);
            ok = false;
          }
          continue;
        }
        const r = field.schema.check(v, [...path, key], ctx);
        if (r === INVALID) ok = false;
        else out[key] = r;
      }
      return ok ? (out as ShapeOut<S>) : INVALID;
    },
  };
}

/** Maps with a tag key choosing the variant (`type: file`), each variant an `obj` that also lists the tag. */
export function tagged<T>(
  tag: string,
  variants: Readonly<Record<string, Schema<T>>>,
  expected: string,
): Schema<T> {
  const names = Object.keys(variants);
  return {
    expected,
    check(value, path, ctx) {
      if (!isMap(value)) return fail(ctx, path, `expected ${expected}, got ${describe(value)}`);
      const t = value[tag];
      if (t === undefined || t === null)
        return fail(ctx, [...path, tag], `required: expected one of: ${names.join(', ')}`);
      const variant = typeof t === 'string' && Object.hasOwn(variants, t) ? variants[t] : undefined;
      if (!variant)
        return fail(ctx, [...path, tag], `expected one of: ${names.join(', ')}, got ${describe(t)}`);
      return variant.check(value, path, ctx);
    },
  };
}
