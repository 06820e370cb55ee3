import type { Hl7Path } from './types.ts';

/**
 * HL7 path grammar (docs/hl7-paths.md):
 *   path        = segment [ "[" occurrence "]" ] "-" field [ "[" repetition "]" ] [ "." component [ "." subcomponent ] ]
 *   segment     = 3 x [A-Z0-9]
 *   numbers     = 1-based positive integers without leading zeros
 * Parsed once into a frozen value: mappings declare their paths as constants so a typo fails at load time.
 */

const MAX_INDEX = 99_999;
/** Paths come mostly from code constants; the bound keeps user-typed paths (UI filters) from growing it forever. */
const CACHE_LIMIT = 10_000;
const cache = new Map<string, Hl7Path>();

export class Hl7PathError extends Error {
  readonly position: number;

  constructor(text: string, position: number, expected: string) {
    super(`Invalid HL7 path '${text}' at position ${position + 1}: expected ${expected}`);
    this.name = 'Hl7PathError';
    this.position = position;
  }
}

const isSegmentChar = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export function parseHl7Path(text: string): Hl7Path {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseUncached(text);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

/** Accepts either form the public API takes. */
export function toHl7Path(path: string | Hl7Path): Hl7Path {
  return typeof path === 'string' ? parseHl7Path(path) : path;
}

function parseUncached(text: string): Hl7Path {
  let pos = 0;

  const number = (what: string): number => {
    const start = pos;
    while (pos < text.length && isDigit(text.charCodeAt(pos))) pos++;
    if (pos === start) throw new Hl7PathError(text, start, `${what} (a number from 1)`);
    if (text.charCodeAt(start) === 48)
      throw new Hl7PathError(text, start, `${what} from 1 without leading zeros`);
    const value = Number(text.slice(start, pos));
    if (value > MAX_INDEX) throw new Hl7PathError(text, start, `${what} at most ${MAX_INDEX}`);
    return value;
  };
  const bracketed = (what: string): number | undefined => {
    if (text[pos] !== '[') return undefined;
    pos++;
    const value = number(what);
    if (text[pos] !== ']') throw new Hl7PathError(text, pos, `']' after the ${what}`);
    pos++;
    return value;
  };

  for (; pos < 3; pos++) {
    if (pos >= text.length || !isSegmentChar(text.charCodeAt(pos))) {
      throw new Hl7PathError(text, pos, 'a 3-character segment id of A-Z and 0-9 (e.g. PID)');
    }
  }
  const segment = text.slice(0, 3);
  const occurrence = bracketed('segment occurrence');
  if (text[pos] !== '-') throw new Hl7PathError(text, pos, "'-' then a field number (e.g. PID-3)");
  pos++;
  const field = number('field number');
  const repetition = bracketed('field repetition');
  let component: number | undefined;
  let subcomponent: number | undefined;
  if (text[pos] === '.') {
    pos++;
    component = number('component number');
    if (text[pos] === '.') {
      pos++;
      subcomponent = number('subcomponent number');
    }
  }
  if (pos !== text.length) {
    const expected =
      subcomponent !== undefined
        ? 'the end'
        : component !== undefined
          ? "'.' or the end"
          : repetition !== undefined
            ? "'.' or the end"
            : "'[', '.' or the end";
    throw new Hl7PathError(text, pos, expected);
  }
  const path: { -readonly [K in keyof Hl7Path]: Hl7Path[K] } = { text, segment, field };
  if (occurrence !== undefined) path.occurrence = occurrence;
  if (repetition !== undefined) path.repetition = repetition;
  if (component !== undefined) path.component = component;
  if (subcomponent !== undefined) path.subcomponent = subcomponent;
  return Object.freeze(path);
}

/** Canonical text of a path (e.g. for paths built as objects). */
export function formatHl7Path(path: Omit<Hl7Path, 'text'>): string {
  let out = path.segment;
  if (path.occurrence !== undefined) out += `[${path.occurrence}]`;
  out += `-${path.field}`;
  if (path.repetition !== undefined) out += `[${path.repetition}]`;
  if (path.component !== undefined) {
    out += `.${path.component}`;
    if (path.subcomponent !== undefined) out += `.${path.subcomponent}`;
  }
  return out;
}
