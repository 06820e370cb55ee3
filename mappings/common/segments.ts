/**
 * Addressing the k-th occurrence of a repeating segment (AL1, DG1, NK1 ...) from field paths
 * declared once as constants, and finding which segment a ROL follows.
 */
import { formatHl7Path } from '../../engine/hl7/path.ts';
import type { Hl7Message } from '../../engine/hl7/message.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { fieldValue } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';

/** `field` (e.g. AL1-3) in occurrence `occurrence` (1-based) of its segment. */
export function atOccurrence(field: Hl7Path, occurrence: number): Hl7Path {
  const withOccurrence = {
    segment: field.segment,
    field: field.field,
    occurrence,
    ...(field.repetition !== undefined && { repetition: field.repetition }),
    ...(field.component !== undefined && { component: field.component }),
    ...(field.subcomponent !== undefined && { subcomponent: field.subcomponent }),
  };
  return { ...withOccurrence, text: formatHl7Path(withOccurrence) };
}

/** Reads the fields of one occurrence of a segment. */
export interface SegmentReader {
  readonly occurrence: number;
  /** First repetition of the field. */
  value(field: Hl7Path, repetition?: number): Hl7Value;
  /** The field path in this occurrence, for `mapRepetitions` and warnings. */
  path(field: Hl7Path): Hl7Path;
  /** Component 1 of the first repetition, decoded ('' when absent). */
  text(field: Hl7Path): string;
}

export function segmentReader(message: Hl7Message, occurrence: number): SegmentReader {
  return {
    occurrence,
    value: (field, repetition = 1) => fieldValue(message, atOccurrence(field, occurrence), repetition),
    path: (field) => atOccurrence(field, occurrence),
    text: (field) => fieldValue(message, atOccurrence(field, occurrence)).get(1),
  };
}

/** Every occurrence of a segment, in message order. */
export function segmentReaders(message: Hl7Message, segment: string): SegmentReader[] {
  const count = message.segmentCount(segment);
  return Array.from({ length: count }, (_, i) => segmentReader(message, i + 1));
}

/**
 * For each occurrence of `segment`, the name of the nearest preceding segment among `anchors`
 * (e.g. which of PID, PV1, PR1, IN1 a ROL follows), or '' when none precedes it.
 */
export function precedingAnchors(message: Hl7Message, segment: string, anchors: readonly string[]): string[] {
  const out: string[] = [];
  let last = '';
  for (const name of message.segmentNames()) {
    if (name === segment) out.push(last);
    else if (anchors.includes(name)) last = name;
  }
  return out;
}

/** A DTM/DT field as a FHIR dateTime; warns (path only) and returns undefined when malformed. */
export function dateTimeField(
  reader: SegmentReader,
  field: Hl7Path,
  tz: string,
  warnings: string[],
): string | undefined {
  const raw = reader.text(field);
  if (raw === '') return undefined;
  const value = dtmToDateTime(raw, tz)?.value;
  if (value === undefined) warnings.push(`${reader.path(field).text} is not a valid date/time: left out`);
  return value;
}
