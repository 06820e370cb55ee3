/**
 * Field paths of one occurrence of a repeating segment (`OBX[3]-5`): ORU maps read every OBR, OBX,
 * NTE and SPM by occurrence, counted over the whole message (docs/hl7-paths.md). Parsed paths are
 * cached by the path parser, so building one per read costs a map lookup.
 */
import type { Hl7Message } from '../../engine/hl7/message.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import { fieldPath, fieldValue, fieldValues } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';

/** A segment occurrence, e.g. `{ name: 'OBX', occurrence: 3 }`. */
export interface SegmentAt {
  readonly message: Hl7Message;
  readonly name: string;
  readonly occurrence: number;
}

export const pathAt = (seg: SegmentAt, field: number): Hl7Path =>
  fieldPath(`${seg.name}[${seg.occurrence}]-${field}`);

/** The first repetition of field `field`, read component by component (decoded). */
export const valueAt = (seg: SegmentAt, field: number): Hl7Value =>
  fieldValue(seg.message, pathAt(seg, field));

/** Every repetition of a field. */
export const valuesAt = (seg: SegmentAt, field: number): Hl7Value[] =>
  fieldValues(seg.message, pathAt(seg, field));

/** Component 1 of the first repetition, decoded ('' when absent or the HL7 null). */
export const textAt = (seg: SegmentAt, field: number): string => valueAt(seg, field).get(1);

/** `OBX[3]-5` as text, for warnings (paths and codes only, never values). */
export const label = (seg: SegmentAt, field: number): string => `${seg.name}[${seg.occurrence}]-${field}`;
