/**
 * Reading fields out of a parsed message for the datatype maps. Field paths are declared once as
 * constants (`fieldPath('PID-3')` throws at module load on a typo, STYLE 9); component paths are
 * built from them as values, never re-parsed.
 */
import { formatHl7Path, parseHl7Path } from '../../engine/hl7/path.ts';
import type { Hl7Message } from '../../engine/hl7/message.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { clean, type Hl7Value } from './value.ts';

/** A whole-field path (`SEG-n` or `SEG[k]-n`); no repetition or component. */
export function fieldPath(text: string): Hl7Path {
  const path = parseHl7Path(text);
  if (path.repetition !== undefined || path.component !== undefined) {
    throw new Error(`fieldPath('${text}'): name a whole field (e.g. PID-3), without repetition or component`);
  }
  return path;
}

function leafPath(field: Hl7Path, repetition: number, component: number, subcomponent: number): Hl7Path {
  const parts = { segment: field.segment, field: field.field, repetition, component, subcomponent };
  const withOccurrence = field.occurrence !== undefined ? { ...parts, occurrence: field.occurrence } : parts;
  return { ...withOccurrence, text: formatHl7Path(withOccurrence) };
}

/** Repetition `repetition` (1-based) of a field, read lazily through `msg.get`. */
export function fieldValue(msg: Hl7Message, field: Hl7Path, repetition = 1): Hl7Value {
  return {
    get: (component: number, subcomponent = 1): string =>
      clean(msg.get(leafPath(field, repetition, component, subcomponent))),
  };
}

/** Every repetition of a field, empty ones included (their maps return undefined and are skipped). */
export function fieldValues(msg: Hl7Message, field: Hl7Path): Hl7Value[] {
  const count = msg.getAll(field).length;
  const out: Hl7Value[] = [];
  for (let r = 1; r <= count; r++) out.push(fieldValue(msg, field, r));
  return out;
}

/** Maps every repetition and keeps the defined results. */
export function mapRepetitions<T>(
  msg: Hl7Message,
  field: Hl7Path,
  map: (value: Hl7Value) => T | undefined,
): T[] {
  const out: T[] = [];
  for (const value of fieldValues(msg, field)) {
    const mapped = map(value);
    if (mapped !== undefined) out.push(mapped);
  }
  return out;
}
