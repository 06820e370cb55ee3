/**
 * ORC + OBR (+ the NTEs after the OBR) -> DiagnosticReport, per "HL7 Segment - FHIR R4_
 * OBR[DiagnosticReport]" and "ORC[DiagnosticReport]" (row named at each element); status per "HL7
 * Concept Map_ ResultStatus[Non-Queries]". The key is derived (keys.ts); basedOn names the order's
 * ServiceRequest by its placer identifier (ORC-2 row: "the Placer Order Number may be used to find
 * the ServiceRequest"), a logical reference any FHIR server accepts without the ServiceRequest.
 */
import type { Identifier, Reference } from '../../engine/fhir/types.ts';
import type { SegmentMapEnv } from '../adt/env.ts';
import type { ResourceKey } from '../bundle.ts';
import { type CxContext, systemFor } from '../datatypes/cx.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { mapRepetitions } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import { diagnosticReportStatus } from '../vocabulary/result-status.ts';
import { DIAGNOSTIC_SERVICE_SECTION } from '../vocabulary/result-vocabulary.ts';
import { eiToIdentifier } from './ei-identifier.ts';
import type { OrderGroup } from './groups.ts';
import { derivedKey, identifierText, REPORT_KEY_SYSTEM } from './keys.ts';
import { ntesToAnnotations } from './nte-annotation.ts';
import type { DiagnosticReport, OruExtension } from './resources.ts';
import { type SegmentAt, label, pathAt, textAt, valueAt } from './seg-path.ts';

const DATA_ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
/** OBR NTEs: R4 DiagnosticReport has no note; the R5 element as a cross-version extension. */
export const DIAGNOSTIC_REPORT_NOTE =
  'http://hl7.org/fhir/5.0/StructureDefinition/extension-DiagnosticReport.note';

const PERFORMER_FUNCTION = 'http://hl7.org/fhir/StructureDefinition/event-performerFunction';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
/** OBR-34 technician -> performer[1] function SPRF; OBR-35 transcriptionist -> performer[2] function TRANS. */
const PERFORMER_FUNCTIONS = [
  [34, 'SPRF'],
  [35, 'TRANS'],
] as const;

export interface ReportContext {
  readonly subject: Reference;
  readonly encounter?: Reference;
  /** 1 for the first group with this order number and OBR-4 in the message, 2 for the next... */
  readonly ordinal: number;
}

export interface MappedReport {
  readonly report: DiagnosticReport;
  readonly key: ResourceKey;
  /** The placer order number (OBR-2, else ORC-2), as basedOn names it. */
  readonly placer?: Identifier;
}

export interface OrderNumbers {
  readonly placer?: Identifier;
  readonly filler?: Identifier;
  readonly all: Identifier[];
}

/** OBR-2 / OBR-3, else ORC-2 / ORC-3 (identifier[1], identifier[2] of both tables; ORC-4 placer group). */
export function orderNumbers(env: SegmentMapEnv, group: OrderGroup): OrderNumbers {
  const obr: SegmentAt = { message: env.message, name: 'OBR', occurrence: group.obr };
  const orc: SegmentAt | undefined =
    group.orc !== undefined ? { message: env.message, name: 'ORC', occurrence: group.orc } : undefined;
  const read = (seg: SegmentAt | undefined, field: number, type: 'PLAC' | 'FILL') =>
    seg ? eiToIdentifier(valueAt(seg, field), type, env.cx) : undefined;
  const placer = read(obr, 2, 'PLAC') ?? read(orc, 2, 'PLAC');
  const filler = read(obr, 3, 'FILL') ?? read(orc, 3, 'FILL');
  const all: Identifier[] = [];
  const seen = new Set<string>();
  for (const id of [placer, read(orc, 2, 'PLAC'), filler, read(orc, 3, 'FILL')]) {
    if (!id || seen.has(identifierText(id))) continue;
    seen.add(identifierText(id));
    all.push(id);
  }
  return { ...(placer && { placer }), ...(filler && { filler }), all };
}

/** What identifies a report in the message: its order number and OBR-4 (code and system name). */
export function reportIdentity(env: SegmentMapEnv, group: OrderGroup, numbers: OrderNumbers): string[] {
  const obr: SegmentAt = { message: env.message, name: 'OBR', occurrence: group.obr };
  const code = valueAt(obr, 4);
  const service = `${code.get(1) || code.get(4)}|${code.get(3) || code.get(6)}`;
  if (numbers.filler) return ['filler', identifierText(numbers.filler), service];
  if (numbers.placer) return ['placer', identifierText(numbers.placer), service];
  const { application, facility, controlId } = env.sender;
  env.warnings.push(
    `${label(obr, 3)} and ${label(obr, 2)} hold no order number: the DiagnosticReport is keyed on MSH-10`,
  );
  return ['message', application, facility, controlId, String(group.index), service];
}

/** NDL (OBR-32..35): NDL.1 is a CNN (id & family & given & ... & authority in subcomponents 9-11). */
function ndlToReference(ndl: Hl7Value, ctx: CxContext): Reference | undefined {
  const id = ndl.get(1, 1);
  const display = [ndl.get(1, 6), ndl.get(1, 3), ndl.get(1, 4), ndl.get(1, 2), ndl.get(1, 5), ndl.get(1, 7)]
    .filter((p) => p !== '')
    .join(' ');
  if (id === '' && display === '') return undefined;
  const ref: Reference = { type: 'Practitioner' };
  if (id !== '') {
    const system = systemFor(
      { namespaceId: ndl.get(1, 9), universalId: ndl.get(1, 10), universalIdType: ndl.get(1, 11) },
      '',
      ctx,
    );
    ref.identifier = { ...(system && { system }), value: id };
  }
  if (display !== '') ref.display = display;
  return ref;
}

function status(env: SegmentMapEnv, obr: SegmentAt, report: DiagnosticReport): void {
  const code = textAt(obr, 25);
  const mapped = diagnosticReportStatus(code);
  report.status = mapped.status;
  if (code === '') env.warnings.push(`${label(obr, 25)} is empty: DiagnosticReport.status "unknown"`);
  else if (mapped.how === 'unknown')
    env.warnings.push(
      `${label(obr, 25)} code "${code}" is not in table 0123: DiagnosticReport.status "unknown"`,
    );
}

function effective(env: SegmentMapEnv, obr: SegmentAt, report: DiagnosticReport): void {
  const start = dtmToDateTime(textAt(obr, 7), env.tz);
  const end = dtmToDateTime(textAt(obr, 8), env.tz);
  if (textAt(obr, 7) !== '' && !start) env.warnings.push(`${label(obr, 7)} is not a valid DTM: left out`);
  // OBR-7 "IF OBR-8 NOT VALUED" -> effectiveDateTime; "IF OBR-8 VALUED" -> effectivePeriod.start; OBR-8 -> .end
  if (end) report.effectivePeriod = { ...(start && { start: start.value }), end: end.value };
  else if (start) report.effectiveDateTime = start.value;
  // OBR-22 -> issued (an instant: to the second with a zone, so a date alone is left out)
  const issuedText = textAt(obr, 22);
  const issued = dtmToDateTime(issuedText, env.tz);
  if (issued?.value.includes('T')) report.issued = issued.value;
  else if (issuedText !== '')
    env.warnings.push(`${label(obr, 22)} is not a DTM with a time: issued left out`);
}

export function mapReport(env: SegmentMapEnv, group: OrderGroup, ctx: ReportContext): MappedReport {
  const obr: SegmentAt = { message: env.message, name: 'OBR', occurrence: group.obr };
  const numbers = orderNumbers(env, group);
  const { key, identifier: keyId } = derivedKey(REPORT_KEY_SYSTEM, [
    ...reportIdentity(env, group, numbers),
    String(ctx.ordinal),
  ]);
  // OBR-4 -> code (1..1)
  let code = cweToCodeableConcept(valueAt(obr, 4));
  if (!code) {
    env.warnings.push(`${label(obr, 4)} is empty: DiagnosticReport.code is data-absent "unknown"`);
    code = { extension: [{ url: DATA_ABSENT, valueCode: 'unknown' }] };
  }
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    identifier: [...numbers.all, keyId],
    status: 'unknown',
    code,
  };
  // ORC-2 -> basedOn(ServiceRequest), by the placer identifier
  if (numbers.placer?.system !== undefined && numbers.placer.value !== undefined) {
    report.basedOn = [
      { type: 'ServiceRequest', identifier: { system: numbers.placer.system, value: numbers.placer.value } },
    ];
  }
  status(env, obr, report);
  // OBR-24 -> category (DiagnosticServiceSectionID)
  const category = cweToCodeableConcept(valueAt(obr, 24), DIAGNOSTIC_SERVICE_SECTION);
  if (category) report.category = [category];
  report.subject = ctx.subject;
  if (ctx.encounter) report.encounter = ctx.encounter; // ORC row: DiagnosticReport.encounter -> Encounter[1]
  effective(env, obr, report);
  // OBR-34 / OBR-35 -> performer; OBR-32 -> resultsInterpreter (NDL, by identifier and name)
  const performer = PERFORMER_FUNCTIONS.flatMap(([field, fn]) =>
    mapRepetitions(env.message, pathAt(obr, field), (v) => ndlToReference(v, env.cx)).map((ref) => ({
      ...ref,
      extension: [
        { url: PERFORMER_FUNCTION, valueCodeableConcept: { coding: [{ system: PARTICIPATION, code: fn }] } },
      ],
    })),
  );
  if (performer.length > 0) report.performer = performer;
  const interpreter = mapRepetitions(env.message, pathAt(obr, 32), (v) => ndlToReference(v, env.cx));
  if (interpreter.length > 0) report.resultsInterpreter = interpreter;
  const notes = ntesToAnnotations(env, group.notes);
  if (notes.length > 0) {
    report.extension = notes.map((n): OruExtension => ({ url: DIAGNOSTIC_REPORT_NOTE, valueAnnotation: n }));
  }
  return { report, key, ...(numbers.placer && { placer: numbers.placer }) };
}
