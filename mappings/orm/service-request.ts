/**
 * One ORM ORDER group (ORC, its OBR, TQ1 and NTEs) -> ServiceRequest, per "HL7 Segment - FHIR R4_
 * ORC[ServiceRequest]", "OBR[ServiceRequest]", "NTE[ServiceRequest]" and "TQ1[ServiceRequest]"
 * (row named at each element). The ServiceRequest is keyed on its placer order number (OBR-2,
 * else ORC-2), else its filler order number (OBR-3, else ORC-3), so NW, XO, CA ... of one order
 * update one resource. See mappings/README.md (ORM) for what is left out and why.
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type {
  CodeableConcept,
  Extension,
  FhirResource,
  Identifier,
  Reference,
} from '../../engine/fhir/types.ts';
import type { Hl7Path } from '../../engine/hl7/types.ts';
import type { SegmentMapEnv } from '../adt/env.ts';
import type { ResourceKey } from '../bundle.ts';
import type { EntryList } from '../common/entries.ts';
import { practitionerReference } from '../common/practitioner.ts';
import { atOccurrence } from '../common/segments.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { fieldPath, fieldValue, fieldValues, mapRepetitions } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import { xcnDisplay } from '../datatypes/xcn.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';
import {
  ORDER_CONTROL_SYSTEM,
  type RequestPriority,
  type RequestStatus,
} from '../vocabulary/order-control.ts';
import type { OrderGroup } from './order-groups.ts';
import { eiToIdentifier } from './order-identifiers.ts';
import { orderRequestStatus } from './order-status.ts';
import { type Quantity, type Timing, orderTiming } from './order-timing.ts';

const ORC = {
  control: fieldPath('ORC-1'),
  placer: fieldPath('ORC-2'),
  filler: fieldPath('ORC-3'),
  placerGroup: fieldPath('ORC-4'),
  orderStatus: fieldPath('ORC-5'),
  eventTime: fieldPath('ORC-9'),
  orderingProvider: fieldPath('ORC-12'),
  controlReason: fieldPath('ORC-16'),
} as const;

const OBR = {
  placer: fieldPath('OBR-2'),
  filler: fieldPath('OBR-3'),
  service: fieldPath('OBR-4'),
  specimenAction: fieldPath('OBR-11'),
  orderingProvider: fieldPath('OBR-16'),
  placerField1: fieldPath('OBR-18'),
  fillerField1: fieldPath('OBR-20'),
  reason: fieldPath('OBR-31'),
  placerSupplemental: fieldPath('OBR-46'),
  fillerSupplemental: fieldPath('OBR-47'),
} as const;

const NTE = {
  comment: fieldPath('NTE-3'),
  enteredBy: fieldPath('NTE-5'),
  enteredAt: fieldPath('NTE-6'),
} as const;

const BUSINESS_EVENT = 'http://hl7.org/fhir/StructureDefinition/businessEvent';
const STATUS_REASON = 'http://hl7.org/fhir/StructureDefinition/request-statusReason';

/** System of the key of an order group without placer or filler number (see `orderKey`). */
export const DERIVED_ORDER_SYSTEM = `${SWITCHBOARD_ID_PREFIX}derived-order`;

export interface Annotation {
  text: string;
  time?: string;
  authorReference?: Reference;
}

export interface ServiceRequest extends FhirResource {
  resourceType: 'ServiceRequest';
  extension?: Extension[];
  identifier?: Identifier[];
  requisition?: Identifier;
  status: RequestStatus;
  intent: 'order' | 'reflex-order';
  priority?: RequestPriority;
  code?: CodeableConcept;
  orderDetail?: CodeableConcept[];
  quantityQuantity?: Quantity;
  subject: Reference;
  encounter?: Reference;
  occurrenceDateTime?: string;
  occurrenceTiming?: Timing;
  authoredOn?: string;
  requester?: Reference;
  reasonCode?: CodeableConcept[];
  note?: Annotation[];
}

export interface MappedServiceRequest {
  readonly serviceRequest: ServiceRequest;
  readonly key: ResourceKey;
}

export interface ServiceRequestContext {
  readonly env: SegmentMapEnv;
  /** Practitioner entries (requester, note authors) are added here, once each. */
  readonly entries: EntryList;
  readonly patient: Reference;
  readonly encounter: Reference | undefined;
  /** Keys of the order groups mapped before this one (two entries may not share one). */
  readonly usedKeys: Set<string>;
}

const EMPTY: Hl7Value = { get: () => '' };

/** Reads fields of the group's ORC, OBR or one of its NTEs ('' when the segment is absent). */
class GroupReader {
  constructor(
    private readonly env: SegmentMapEnv,
    readonly group: OrderGroup,
  ) {}

  at(field: Hl7Path, occurrence: number | undefined): Hl7Value {
    return occurrence === undefined ? EMPTY : fieldValue(this.env.message, atOccurrence(field, occurrence));
  }

  all<T>(field: Hl7Path, occurrence: number | undefined, map: (v: Hl7Value) => T | undefined): T[] {
    return occurrence === undefined
      ? []
      : mapRepetitions(this.env.message, atOccurrence(field, occurrence), map);
  }

  orc(field: Hl7Path): Hl7Value {
    return this.at(field, this.group.orc);
  }

  obr(field: Hl7Path): Hl7Value {
    return this.at(field, this.group.obr);
  }

  /** The OBR field when valued, else the ORC one (the IG's "IF OBR-n NOT VALUED" pairs). */
  obrElseOrc(obrField: Hl7Path, orcField: Hl7Path): Hl7Value {
    const obr = this.obr(obrField);
    return obr.get(1) !== '' ? obr : this.orc(orcField);
  }
}

function identifiers(env: SegmentMapEnv, r: GroupReader) {
  const placer = eiToIdentifier(r.obrElseOrc(OBR.placer, ORC.placer), 'PLAC', env.cx); // OBR-2 / ORC-2
  const filler = eiToIdentifier(r.obrElseOrc(OBR.filler, ORC.filler), 'FILL', env.cx); // OBR-3 / ORC-3
  // OBR-18 / OBR-20 (placer / filler field 1): the accession number, where senders put one.
  const accession = [OBR.placerField1, OBR.fillerField1].flatMap((f) =>
    r.all(f, r.group.obr, (v) => eiToIdentifier(v, 'ACSN', env.cx)),
  );
  return { placer, filler, accession };
}

/**
 * The conditional-update key: placer number, else filler number. An OBR repeating the order
 * number of an earlier group in the same message (two OBRs under one ORC) is keyed on that number
 * and its OBR-4 code; a group without any number on MSH-3/MSH-4/MSH-10 and its position, with a
 * warning (a later message about that order cannot find it).
 */
function orderKey(
  ctx: ServiceRequestContext,
  r: GroupReader,
  numbered: Identifier | undefined,
): { key: ResourceKey; derived?: Identifier } {
  const { env, usedKeys } = ctx;
  let basis: string;
  if (numbered?.system !== undefined && numbered.value !== undefined) {
    const key = { system: numbered.system, value: numbered.value };
    if (!usedKeys.has(`${key.system}|${key.value}`)) return { key };
    const code = r.obr(OBR.service);
    basis = `order|${key.system}|${key.value}|${code.get(3)}|${code.get(1)}|${r.group.index}`;
    env.warnings.push(
      `order group ${r.group.index} repeats the order number of an earlier group: keyed on it and OBR-4`,
    );
  } else {
    const { application, facility, controlId } = env.sender;
    basis = `message|${application}|${facility}|${controlId}|${r.group.index}`;
    env.warnings.push(
      `order group ${r.group.index} has no placer or filler order number (ORC-2/3, OBR-2/3): keyed on MSH-10`,
    );
  }
  const value = uuidV5(basis);
  const derived: Identifier = {
    use: 'secondary',
    type: { text: 'Switchboard derived order key' },
    system: DERIVED_ORDER_SYSTEM,
    value,
  };
  return { key: { system: DERIVED_ORDER_SYSTEM, value }, derived };
}

function dateTime(env: SegmentMapEnv, raw: string, where: string): string | undefined {
  if (raw === '') return undefined;
  const value = dtmToDateTime(raw, env.tz)?.value;
  if (!value) env.warnings.push(`${where} is not a valid DTM: left out`);
  return value;
}

/** ORC-1 -> extension businessEvent (value: the code, date: ORC-9), as the ORC-1 and ORC-9 rows set it. */
function businessEvent(control: string, eventTime: string | undefined): Extension | undefined {
  if (control === '') return undefined;
  const parts: Extension[] = [
    { url: 'value', valueCodeableConcept: { coding: [{ system: ORDER_CONTROL_SYSTEM, code: control }] } },
  ];
  if (eventTime) parts.push({ url: 'date', valueDateTime: eventTime });
  return { url: BUSINESS_EVENT, extension: parts };
}

function notes(ctx: ServiceRequestContext, r: GroupReader): Annotation[] {
  const { env } = ctx;
  const out: Annotation[] = [];
  for (const nte of r.group.nte) {
    const text = fieldValues(env.message, atOccurrence(NTE.comment, nte))
      .map((v) => v.get(1))
      .filter((t) => t !== '')
      .join('\n'); // NTE-3 -> note.text
    if (text === '') continue;
    const note: Annotation = { text };
    const author = practitionerReference(r.at(NTE.enteredBy, nte), env, ctx.entries); // NTE-5
    if (author) note.authorReference = author;
    const time = dateTime(env, r.at(NTE.enteredAt, nte).get(1), 'NTE-6'); // NTE-6 -> note.time
    if (time) note.time = time;
    out.push(note);
  }
  return out;
}

function extensions(r: GroupReader, control: string, eventTime: string | undefined): Extension[] {
  const out: Extension[] = [];
  const event = businessEvent(control, eventTime);
  if (event) out.push(event);
  const reason = cweToCodeableConcept(r.orc(ORC.controlReason)); // ORC-16 -> request-statusReason
  if (reason) out.push({ url: STATUS_REASON, valueCodeableConcept: reason });
  return out;
}

/** ORC-12 -> requester; OBR-16 "IF ORC-12 NOT VALUED". requester is 0..1: the first repetition. */
function requester(ctx: ServiceRequestContext, r: GroupReader): Reference | undefined {
  const orc12 = r.orc(ORC.orderingProvider);
  const named = orc12.get(1) !== '' || xcnDisplay(orc12) !== '';
  return practitionerReference(named ? orc12 : r.obr(OBR.orderingProvider), ctx.env, ctx.entries);
}

export function mapServiceRequest(ctx: ServiceRequestContext, group: OrderGroup): MappedServiceRequest {
  const { env } = ctx;
  const r = new GroupReader(env, group);
  const control = r.orc(ORC.control).get(1);
  const { placer, filler, accession } = identifiers(env, r);
  const { key, derived } = orderKey(ctx, r, placer ?? filler);
  ctx.usedKeys.add(`${key.system}|${key.value}`);
  const eventTime = dateTime(env, r.orc(ORC.eventTime).get(1), 'ORC-9');
  const extension = extensions(r, control, eventTime);
  const identifier = [derived, placer, filler, ...accession].filter((i) => i !== undefined);
  const requisition = eiToIdentifier(r.orc(ORC.placerGroup), 'PGN', env.cx); // ORC-4 -> requisition
  const status = orderRequestStatus(env, { control, orderStatus: r.orc(ORC.orderStatus).get(1) });
  const timing = orderTiming(env, group);
  const code = cweToCodeableConcept(r.obr(OBR.service)); // OBR-4 -> code
  const orderDetail = [OBR.placerSupplemental, OBR.fillerSupplemental].flatMap((f) =>
    r.all(f, group.obr, (v) => cweToCodeableConcept(v)),
  ); // OBR-46 / OBR-47 -> orderDetail
  const authoredOn = control === 'NW' ? eventTime : undefined; // ORC-9 "IF ORC-1 IS NW" -> authoredOn
  const orderedBy = requester(ctx, r);
  const reasonCode = r.all(OBR.reason, group.obr, (v) => cweToCodeableConcept(v)); // OBR-31 -> reasonCode
  const note = [...notes(ctx, r), ...timing.notes.map((text) => ({ text }))];
  const serviceRequest: ServiceRequest = {
    resourceType: 'ServiceRequest',
    ...(extension.length > 0 && { extension }),
    ...(identifier.length > 0 && { identifier }),
    ...(requisition && { requisition }),
    status,
    // ORC-1 intent "order"; OBR-11 "G" (generated) -> "reflex-order".
    intent: r.obr(OBR.specimenAction).get(1) === 'G' ? 'reflex-order' : 'order',
    ...(timing.priority && { priority: timing.priority }),
    ...(code && { code }),
    ...(orderDetail.length > 0 && { orderDetail }),
    ...(timing.quantityQuantity && { quantityQuantity: timing.quantityQuantity }),
    subject: { ...ctx.patient }, // ORM_O01 ORC row: subject -> Patient[1]
    ...(ctx.encounter && { encounter: { ...ctx.encounter } }),
    ...(timing.occurrenceTiming
      ? { occurrenceTiming: timing.occurrenceTiming }
      : timing.occurrenceDateTime && { occurrenceDateTime: timing.occurrenceDateTime }),
    ...(authoredOn && { authoredOn }),
    ...(orderedBy && { requester: orderedBy }),
    ...(reasonCode.length > 0 && { reasonCode }),
    ...(note.length > 0 && { note }),
  };
  return { serviceRequest, key };
}
