/**
 * Edits applied to a DICOM object on its way to a DICOM channel destination (engine/dicom/routing/):
 * tag edits and de-identification. They work on Part-10 bytes and return new Part-10 bytes; the
 * object as received stays in the archive untouched.
 *
 * Implemented in this folder: `transform-schema.ts` exports `dicomTransformsSchema`, a
 * `Schema<readonly DicomTransformSpec[]>` of engine/config/schema-kit.ts (YAML list -> specs, every
 * problem with its path), and `compile-transforms.ts` exports
 * `compileDicomTransforms(specs: readonly DicomTransformSpec[]): DicomObjectTransform` (applied in order).
 *
 * YAML form (a list; each item one key):
 *   - tagEdits: { set: { InstitutionName: 'Research' }, remove: [ReferringPhysicianName, '0010,1000'] }
 *   - deidentify: { patientName: 'ANON', patientId: 'ANON-${hash}', keepDates: false, keep: [], uidSecret: '${env:DEID_SECRET}' }
 */

/** A tag named by keyword (`PatientName`) or as `ggggeeee` / `(gggg,eeee)`; normalised to 8 upper hex digits. */
export type TagRef = string;

export interface TagEditsSpec {
  readonly kind: 'tagEdits';
  /** Tag -> new value (string form of the VR; multiple values separated by `\`). Added if absent. */
  readonly set: Readonly<Record<TagRef, string>>;
  /** Tags removed, wherever they are at the top level of the dataset. */
  readonly remove: readonly TagRef[];
}

export interface DeidentifySpec {
  readonly kind: 'deidentify';
  /** PatientName and PatientID replacements; `${hash}` is a stable hash of the original PatientID. */
  readonly patientName: string;
  readonly patientId: string;
  /** Keep dates as they are (Retain Longitudinal Temporal Information option); default false: dates shifted/emptied per profile. */
  readonly keepDates: boolean;
  /** Tags kept although the profile would remove or replace them. */
  readonly keep: readonly TagRef[];
  /** Secret for UID remapping and hashes; the same secret maps the same UID to the same new UID. */
  readonly uidSecret: string;
}

export type DicomTransformSpec = TagEditsSpec | DeidentifySpec;

/** Part-10 in, Part-10 out. Throws a DicomEditError for an object it cannot edit. */
export type DicomObjectTransform = (part10: Buffer) => Buffer;

/** An object that cannot be edited (unparseable, or an edit that cannot apply): the delivery fails permanently. */
export class DicomEditError extends Error {
  override readonly name = 'DicomEditError';
}
