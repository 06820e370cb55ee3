/**
 * Builds the HMS plan of one ADT, ORM or ORU message: pure, from the message alone (no database),
 * so it is unit-tested and printed by `switchboard channels test`. apply-hms.ts applies it.
 *
 * Sources: PID-3 identifiers (CX, system as the FHIR mappings resolve it: mappings/datatypes/cx.ts),
 * PID-5/7/8 summary; PV1-19 visit number, PV1-2 class, PV1-3 location (PL.1 unit, PL.2 room, PL.3
 * bed), PV1-44/45 admit and discharge times; EVN-6, else EVN-2, else MSH-7 as the event time;
 * MRG-1 prior identifiers (A40); ORC-1/2/3/5/9 and OBR-2/3/4/7/25 per order group; OBX-1..14 per
 * result, grouped under the OBR before them (ORU_R01 ORDER_OBSERVATION group).
 */
import { formatHl7Path } from '../hl7/path.ts';
import type { Hl7Message } from '../hl7/message.ts';
import type { Hl7Path } from '../hl7/types.ts';
import { hdAt, systemFor, type CxContext } from '../../mappings/datatypes/cx.ts';
import { dtmToDate } from '../../mappings/datatypes/dtm.ts';
import { clean, type Hl7Value } from '../../mappings/datatypes/value.ts';
import type { IdentifierSystemTable } from '../../mappings/identifier-systems.ts';
import { hmsInstant } from './hms-time.ts';
import { orderStatus } from './order-status.ts';
import { parseReferenceRange } from './reference-range.ts';
import type {
  AdtEvent,
  HmsFlag,
  HmsPlan,
  OrderNumber,
  PlannedEncounter,
  PlannedIdentifier,
  PlannedMerge,
  PlannedOrder,
  PlannedPatient,
  PlannedResult,
} from './types.ts';

export interface PlanOptions {
  /** Offset for v2 times sent without one ('Z' or ±hh:mm). */
  readonly defaultTimezone: string;
  readonly identifierSystems: IdentifierSystemTable;
}

/** ADT triggers that change an encounter, and what they do (types.ts AdtEvent). */
export const ADT_EVENTS: ReadonlyMap<string, AdtEvent> = new Map<string, AdtEvent>([
  ['A01', 'admit'],
  ['A02', 'transfer'],
  ['A03', 'discharge'],
  ['A04', 'register'],
  ['A05', 'pre-admit'],
  ['A06', 'change-class'],
  ['A07', 'change-class'],
  ['A08', 'update'],
  ['A11', 'cancel-admit'],
  ['A12', 'cancel-transfer'],
  ['A13', 'cancel-discharge'],
]);

/** Triggers about the person only: the PV1 (if any) is not read. */
const PATIENT_ONLY = new Set(['A28', 'A31']);

/** One segment occurrence, read field by field (decoded, HL7 null `""` as ''). */
interface SegmentReader {
  get(field: number, component?: number, subcomponent?: number, repetition?: number): string;
  /** Every repetition of a field, as component readers. */
  repetitions(field: number): Hl7Value[];
  /** Component 1 of every repetition (decoded). */
  texts(field: number): string[];
}

function segment(msg: Hl7Message, name: string, occurrence: number): SegmentReader {
  const path = (field: number, rest: Partial<Hl7Path> = {}): Hl7Path => {
    const p = { segment: name, occurrence, field, ...rest };
    return { ...p, text: formatHl7Path(p) };
  };
  const get = (field: number, component = 1, subcomponent = 1, repetition = 1): string =>
    clean(msg.get(path(field, { repetition, component, subcomponent })));
  return {
    get,
    repetitions(field) {
      const count = msg.getAll(path(field)).length;
      const out: Hl7Value[] = [];
      for (let r = 1; r <= count; r++) out.push({ get: (c, s = 1) => get(field, c, s, r) });
      return out;
    },
    texts: (field) => msg.getAll(path(field, { component: 1 })).map(clean),
  };
}

const orNull = (s: string): string | null => (s === '' ? null : s);

interface Env {
  readonly msg: Hl7Message;
  readonly tz: string;
  readonly cx: CxContext;
  readonly flags: HmsFlag[];
}

function identifier(cx: Hl7Value, env: Env): PlannedIdentifier | null {
  const value = cx.get(1);
  if (value === '') return null;
  const system = systemFor(hdAt(cx, 4), cx.get(5), env.cx);
  if (system === undefined) return null;
  return { system, value, type: orNull(cx.get(5)) };
}

function identifiers(seg: SegmentReader, field: number, env: Env): PlannedIdentifier[] {
  const out: PlannedIdentifier[] = [];
  for (const rep of seg.repetitions(field)) {
    const id = identifier(rep, env);
    if (id && !out.some((o) => o.system === id.system && o.value === id.value)) out.push(id);
  }
  return out;
}

function patientFrom(pid: SegmentReader, env: Env): PlannedPatient | null {
  const ids = identifiers(pid, 3, env);
  if (ids.length === 0) {
    env.flags.push({
      code: 'NO_PATIENT_IDENTIFIER',
      detail: 'PID-3 has no identifier: patient not recorded',
    });
    return null;
  }
  return {
    identifiers: ids,
    familyName: orNull(pid.get(5, 1)),
    givenName: orNull(pid.get(5, 2)),
    birthDate: dtmToDate(pid.get(7)) ?? null,
    sex: orNull(pid.get(8)),
  };
}

function encounterFrom(pv1: SegmentReader, env: Env): PlannedEncounter | null {
  const visit = pv1.repetitions(19)[0];
  const visitId = visit ? identifier(visit, env) : null;
  if (!visitId) return null;
  const unit = pv1.get(3, 1);
  return {
    visitSystem: visitId.system,
    visitNumber: visitId.value,
    patientClass: orNull(pv1.get(2)),
    location: unit === '' ? null : { unit, room: orNull(pv1.get(3, 2)), bed: orNull(pv1.get(3, 3)) },
    admittedAt: hmsInstant(pv1.get(44), env.tz),
    dischargedAt: hmsInstant(pv1.get(45), env.tz),
  };
}

/** The occurrences of each segment, in message order: [name, occurrence]. */
function occurrences(msg: Hl7Message): [string, number][] {
  const seen = new Map<string, number>();
  return msg.segmentNames().map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return [name, n];
  });
}

function mergesFrom(env: Env): PlannedMerge[] {
  const out: PlannedMerge[] = [];
  let survivor: PlannedPatient | null = null;
  for (const [name, n] of occurrences(env.msg)) {
    if (name === 'PID') survivor = patientFrom(segment(env.msg, 'PID', n), env);
    if (name !== 'MRG' || survivor === null) continue;
    const prior = identifiers(segment(env.msg, 'MRG', n), 1, env);
    if (prior.length === 0) env.flags.push({ code: 'MERGE_NO_PRIOR', detail: `MRG[${n}]-1 is empty` });
    else out.push({ survivor, prior });
  }
  return out;
}

function orderNumber(seg: SegmentReader | null, field: number): OrderNumber | null {
  if (!seg) return null;
  const number = seg.get(field, 1);
  if (number === '') return null;
  return { namespace: seg.get(field, 2) || seg.get(field, 3), number };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** OBX-5 as text and, for NM and plain SN, as a number. ED/RP content is not copied (type only). */
function observationValue(obx: SegmentReader, type: string): { text: string | null; numeric: number | null } {
  switch (type) {
    case 'ED':
      return { text: null, numeric: null };
    case 'CE':
    case 'CWE':
    case 'CNE':
      return { text: orNull(obx.get(5, 2) || obx.get(5, 1)), numeric: null };
    case 'SN': {
      const [comparator, n1, separator, n2] = [1, 2, 3, 4].map((c) => obx.get(5, c));
      const text = `${comparator}${n1}${separator}${n2}`;
      const plain = (comparator === '' || comparator === '=') && separator === '' && NUMBER.test(n1!);
      return { text: orNull(text), numeric: plain ? Number(n1) : null };
    }
    default: {
      const text = obx.texts(5).join('\n');
      const numeric = type === 'NM' && NUMBER.test(text.trim()) ? Number(text.trim()) : null;
      return { text: orNull(text), numeric };
    }
  }
}

function resultFrom(
  obx: SegmentReader,
  n: number,
  observedFallback: string | null,
  env: Env,
): PlannedResult | null {
  const code = obx.get(3, 1);
  if (code === '') {
    env.flags.push({ code: 'RESULT_NO_CODE', detail: `OBX[${n}]-3 is empty: result not recorded` });
    return null;
  }
  const valueType = orNull(obx.get(2));
  const value = observationValue(obx, valueType ?? '');
  const range = parseReferenceRange(obx.get(7));
  return {
    setId: orNull(obx.get(1)),
    valueType,
    codeSystem: obx.get(3, 3),
    code,
    codeText: orNull(obx.get(3, 2)),
    subId: obx.get(4),
    valueText: value.text,
    valueNumeric: value.numeric,
    units: orNull(obx.get(6, 1) || obx.get(6, 2)),
    referenceLow: range.low,
    referenceHigh: range.high,
    referenceText: range.text,
    abnormalFlags: obx.texts(8).filter((f) => f !== ''),
    status: orNull(obx.get(11)),
    observedAt: hmsInstant(obx.get(14), env.tz) ?? observedFallback,
  };
}

interface OrderGroup {
  orc: number | null;
  obr: number | null;
  obx: number[];
}

/** ORC starts a group; an OBR joins the ORC before it or starts its own; OBX join the group's OBR. */
function orderGroups(msg: Hl7Message): OrderGroup[] {
  const groups: OrderGroup[] = [];
  let current: OrderGroup | null = null;
  for (const [name, n] of occurrences(msg)) {
    if (name === 'ORC') {
      current = { orc: n, obr: null, obx: [] };
      groups.push(current);
    } else if (name === 'OBR') {
      if (current && current.obr === null) current.obr = n;
      else {
        current = { orc: null, obr: n, obx: [] };
        groups.push(current);
      }
    } else if (name === 'OBX' && current?.obr != null) {
      current.obx.push(n);
    }
  }
  return groups;
}

function ordersFrom(env: Env, withResults: boolean): PlannedOrder[] {
  const out: PlannedOrder[] = [];
  for (const g of orderGroups(env.msg)) {
    const orc = g.orc === null ? null : segment(env.msg, 'ORC', g.orc);
    const obr = g.obr === null ? null : segment(env.msg, 'OBR', g.obr);
    // OBR-2/3 first: one ORC may head several OBRs in an ORU, each its own order.
    const placer = orderNumber(obr, 2) ?? orderNumber(orc, 2);
    const filler = orderNumber(obr, 3) ?? orderNumber(orc, 3);
    const where = `${g.orc !== null ? `ORC[${g.orc}]` : `OBR[${g.obr}]`}`;
    if (!placer && !filler) {
      env.flags.push({ code: 'ORDER_NO_NUMBER', detail: `${where}: no placer or filler order number` });
      continue;
    }
    const control = orc?.get(1) ?? '';
    const statusCode = orc?.get(5) ?? '';
    const observedFallback = hmsInstant(obr?.get(7) ?? '', env.tz);
    const results: PlannedResult[] = [];
    if (withResults) {
      for (const n of g.obx) {
        const r = resultFrom(segment(env.msg, 'OBX', n), n, observedFallback, env);
        if (r) results.push(r);
      }
    }
    out.push({
      placer,
      filler,
      code: orNull(obr?.get(4, 1) ?? ''),
      codeSystem: orNull(obr?.get(4, 3) ?? ''),
      codeText: orNull(obr?.get(4, 2) ?? ''),
      orderControl: orNull(control),
      orderStatusCode: orNull(statusCode),
      status: orderStatus(control, statusCode),
      resultStatus: orNull(obr?.get(25) ?? ''),
      transactionAt: hmsInstant(orc?.get(9) ?? '', env.tz),
      results,
    });
  }
  return out;
}

function eventTime(env: Env): string | null {
  const evn = segment(env.msg, 'EVN', 1);
  const msh = segment(env.msg, 'MSH', 1);
  return hmsInstant(evn.get(6), env.tz) ?? hmsInstant(evn.get(2), env.tz) ?? hmsInstant(msh.get(7), env.tz);
}

export function planHms(msg: Hl7Message, options: PlanOptions): HmsPlan {
  const facility = segment(msg, 'MSH', 1).repetitions(4)[0];
  const application = segment(msg, 'MSH', 1).repetitions(3)[0];
  const sender = facility && (facility.get(1) !== '' || facility.get(2) !== '') ? facility : application;
  const env: Env = {
    msg,
    tz: options.defaultTimezone,
    cx: {
      systems: options.identifierSystems,
      defaultAuthority: {
        namespaceId: sender?.get(1) ?? '',
        universalId: sender?.get(2) ?? '',
        universalIdType: sender?.get(3) ?? '',
      },
    },
    flags: [],
  };
  const messageType = msg.header.messageType;
  const triggerEvent = msg.header.triggerEvent;
  const base = { messageType, triggerEvent, eventAt: eventTime(env) };
  const empty = { patient: null, encounter: null, adtEvent: null, merges: [], orders: [] };

  if (messageType !== 'ADT' && messageType !== 'ORM' && messageType !== 'ORU') {
    env.flags.push({
      code: 'UNSUPPORTED_MESSAGE_TYPE',
      detail: `${messageType}^${triggerEvent}: nothing recorded`,
    });
    return { ...base, ...empty, flags: env.flags };
  }
  if (messageType === 'ADT' && triggerEvent === 'A40') {
    return { ...base, ...empty, merges: mergesFrom(env), flags: env.flags };
  }
  const hasPid = msg.segmentCount('PID') > 0;
  const patient = hasPid ? patientFrom(segment(msg, 'PID', 1), env) : null;
  if (!hasPid) env.flags.push({ code: 'NO_PATIENT_IDENTIFIER', detail: 'no PID segment' });
  const pv1 = msg.segmentCount('PV1') > 0 ? segment(msg, 'PV1', 1) : null;

  if (messageType === 'ADT') {
    const adtEvent = ADT_EVENTS.get(triggerEvent) ?? null;
    if (adtEvent === null) {
      if (!PATIENT_ONLY.has(triggerEvent)) {
        env.flags.push({
          code: 'TRIGGER_NOT_APPLIED',
          detail: `ADT^${triggerEvent}: patient recorded, the event itself is not applied to encounters`,
        });
      }
      return { ...base, ...empty, patient, flags: env.flags };
    }
    const encounter = pv1 ? encounterFrom(pv1, env) : null;
    if (!encounter && patient) {
      env.flags.push({
        code: 'NO_VISIT_NUMBER',
        detail: `ADT^${triggerEvent}: PV1-19 is empty, encounter not recorded`,
      });
    }
    return { ...base, ...empty, patient, encounter, adtEvent, flags: env.flags };
  }
  const encounter = pv1 ? encounterFrom(pv1, env) : null;
  const orders = ordersFrom(env, messageType === 'ORU');
  return { ...base, ...empty, patient, encounter, orders, flags: env.flags };
}
