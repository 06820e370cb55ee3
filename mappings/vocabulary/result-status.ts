/**
 * Result status vocabularies of ORU^R01, copied from the v2-to-FHIR IG concept maps in
 * ../shared/corpus/v2-to-fhir/codesystems/ (file named above each table). Codes a concept map
 * leaves unmapped get the fallback named in mappings/README.md ("ORU"), never a guess outside the
 * FHIR value set: Observation.status and DiagnosticReport.status are required bindings.
 */
import { V2_TABLE_SYSTEM } from './tables.ts';

export type DiagnosticReportStatus =
  | 'registered'
  | 'partial'
  | 'preliminary'
  | 'final'
  | 'amended'
  | 'corrected'
  | 'appended'
  | 'cancelled'
  | 'entered-in-error'
  | 'unknown';

export type ObservationStatus =
  | 'registered'
  | 'preliminary'
  | 'final'
  | 'amended'
  | 'corrected'
  | 'cancelled'
  | 'entered-in-error'
  | 'unknown';

/** "HL7 Concept Map_ ResultStatus[Non-Queries]" (table 0123 -> diagnostic-report-status), OBR-25. */
export const RESULT_STATUS_MAPPED: ReadonlyMap<string, DiagnosticReportStatus> = new Map([
  ['O', 'registered'],
  ['I', 'registered'],
  ['S', 'registered'],
  ['P', 'preliminary'],
  ['C', 'corrected'],
  ['R', 'partial'],
  ['F', 'final'],
  ['X', 'cancelled'],
]);

/**
 * Table 0123 codes the concept map leaves blank: A "some results available" -> partial (the row's
 * comment), M "corrected, not final" -> amended, N "procedure completed, results pending" ->
 * registered. Y and Z ("IF NOT MAPPED ERROR") have no report to make: unknown, with a warning.
 */
export const RESULT_STATUS_FALLBACK: ReadonlyMap<string, DiagnosticReportStatus> = new Map([
  ['A', 'partial'],
  ['M', 'amended'],
  ['N', 'registered'],
]);

/** "HL7 Concept Map_ ObservationResultStatusCodesInterpretation" (table 0085 -> observation-status), OBX-11. */
export const OBSERVATION_STATUS_MAPPED: ReadonlyMap<string, ObservationStatus> = new Map([
  ['A', 'amended'],
  ['C', 'corrected'],
  ['D', 'entered-in-error'],
  ['F', 'final'],
  ['P', 'preliminary'],
  ['X', 'cancelled'],
  ['W', 'entered-in-error'],
]);

/**
 * Table 0085 codes the concept map leaves blank (Observation.status is 1..1): B appended -> amended,
 * I / O (nothing resulted yet) -> registered, R / S (not verified, partial) -> preliminary,
 * V / U (verified, changed to final) -> final, N (not asked) -> final with dataAbsentReason
 * "not-asked" (the IG's N row).
 */
export const OBSERVATION_STATUS_FALLBACK: ReadonlyMap<string, ObservationStatus> = new Map([
  ['B', 'amended'],
  ['I', 'registered'],
  ['O', 'registered'],
  ['R', 'preliminary'],
  ['S', 'preliminary'],
  ['V', 'final'],
  ['U', 'final'],
  ['N', 'final'],
]);

export const OBSERVATION_RESULT_STATUS_SYSTEM = V2_TABLE_SYSTEM('0085');

/** Status of a report or observation and whether the code came from the IG map, a fallback or nowhere. */
export interface MappedStatus<T> {
  readonly status: T;
  readonly how: 'mapped' | 'fallback' | 'unknown';
}

function lookup<T>(
  mapped: ReadonlyMap<string, T>,
  fallback: ReadonlyMap<string, T>,
  unknown: T,
  code: string,
): MappedStatus<T> {
  const direct = mapped.get(code);
  if (direct !== undefined) return { status: direct, how: 'mapped' };
  const second = fallback.get(code);
  if (second !== undefined) return { status: second, how: 'fallback' };
  return { status: unknown, how: 'unknown' };
}

export const diagnosticReportStatus = (code: string): MappedStatus<DiagnosticReportStatus> =>
  lookup(RESULT_STATUS_MAPPED, RESULT_STATUS_FALLBACK, 'unknown', code);

export const observationStatus = (code: string): MappedStatus<ObservationStatus> =>
  lookup(OBSERVATION_STATUS_MAPPED, OBSERVATION_STATUS_FALLBACK, 'unknown', code);
