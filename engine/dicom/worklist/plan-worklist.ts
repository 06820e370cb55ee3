/**
 * Plans the worklist items of one ORM^O01: pure, from the message alone, so it is unit-tested on
 * the corpus. apply-worklist.ts writes the plan.
 *
 * Order groups as engine/hms reads them: an ORC starts a group, the OBR after it joins it (an OBR
 * without an ORC starts its own), a TQ1 joins the group it follows. The key is the placer order
 * number (OBR-2, else ORC-2) with its namespace, else the filler number (OBR-3, else ORC-3).
 *
 * Fields (IHE Radiology RAD-2/RAD-4 layout, which radiology senders follow):
 * - AccessionNumber: OBR-18 (placer field 1), else OBR-20 (filler field 1): the two fields the
 *   orm-to-fhir mapping records as ACSN identifiers. With neither, apply-worklist uses the filler
 *   number, else the placer number (a RIS filler number is commonly the accession number).
 * - RequestedProcedureID: OBR-19 (placer field 2); the query falls back to the accession number.
 * - ScheduledProcedureStepID: OBR-20 when OBR-18 holds the accession; else as RequestedProcedureID.
 * - RequestedProcedureDescription: OBR-44.2, else OBR-4.2, else OBR-4.1. SPS description: OBR-4.
 * - Modality: OBR-24 (worklist-modality.ts); ScheduledStationAETitle: the `stationAeTitles` option.
 * - Scheduled start: TQ1-7, else ORC-7.4 (TQ start), else OBR-27.4, else OBR-36, else OBR-7.
 * - Patient: PID-3 first identifier (CX.1), PID-5 first name, PID-7, PID-8.
 * - ReferringPhysicianName: OBR-16, else ORC-12.
 * - Status: ORC-1 CA, CR, DC, DR, OC, OD cancel; else ORC-5 then ORC-1 via engine/hms/order-status.ts
 *   (active -> SCHEDULED, on-hold -> HELD, completed -> COMPLETED, revoked or in error -> CANCELLED).
 */
import type { Hl7Message } from '../../hl7/message.ts';
import { orderStatus } from '../../hms/order-status.ts';
import { clean } from '../../../mappings/datatypes/value.ts';
import { dicomDate, dicomSex, dicomTime, personName } from './hl7-to-dicom.ts';
import { modalityFor } from './worklist-modality.ts';
import type {
  PlannedWorklistItem,
  WorklistFlag,
  WorklistOrderNumber,
  WorklistPlan,
  WorklistPlanOptions,
  WorklistStatus,
} from './types.ts';

/** Order controls that take the order off the worklist whatever ORC-5 says. */
const CANCEL_CONTROLS = new Set(['CA', 'CR', 'DC', 'DR', 'OC', 'OD']);

const BY_REQUEST_STATUS: Readonly<Record<string, WorklistStatus>> = {
  active: 'SCHEDULED',
  'on-hold': 'HELD',
  completed: 'COMPLETED',
  revoked: 'CANCELLED',
  'entered-in-error': 'CANCELLED',
};

export function worklistStatus(orderControl: string, orderStatusCode: string): WorklistStatus | null {
  if (CANCEL_CONTROLS.has(orderControl)) return 'CANCELLED';
  const status = orderStatus(orderControl, orderStatusCode);
  return status === null ? null : (BY_REQUEST_STATUS[status] ?? null);
}

interface OrderGroup {
  orc: number | null;
  obr: number | null;
  tq1: number | null;
}

function orderGroups(msg: Hl7Message): OrderGroup[] {
  const groups: OrderGroup[] = [];
  const seen = new Map<string, number>();
  let current: OrderGroup | null = null;
  for (const name of msg.segmentNames()) {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (name === 'ORC') {
      current = { orc: n, obr: null, tq1: null };
      groups.push(current);
    } else if (name === 'OBR') {
      if (current && current.obr === null) current.obr = n;
      else {
        current = { orc: null, obr: n, tq1: null };
        groups.push(current);
      }
    } else if (name === 'TQ1' && current && current.tq1 === null) {
      current.tq1 = n;
    }
  }
  return groups;
}

/** Reads `SEG[n]-field.component.subcomponent`, decoded, '' for absent or HL7 null. */
type Reader = (field: number, component?: number, subcomponent?: number) => string;

function reader(msg: Hl7Message, segment: string, occurrence: number | null): Reader {
  if (occurrence === null) return () => '';
  return (field, component = 1, subcomponent = 1) =>
    clean(msg.get(`${segment}[${occurrence}]-${field}.${component}.${subcomponent}`));
}

const orNull = (s: string): string | null => (s === '' ? null : s);
const firstOf = (...values: string[]): string | null => orNull(values.find((v) => v !== '') ?? '');

function orderNumber(seg: Reader, field: number): WorklistOrderNumber | null {
  const number = seg(field, 1);
  if (number === '') return null;
  return { namespace: seg(field, 2) || seg(field, 3), number };
}

/** XCN at a field: id^family^given^middle^suffix^prefix -> PN. */
function xcnName(seg: Reader, field: number): string | null {
  return personName(seg(field, 2), seg(field, 3), seg(field, 4), seg(field, 6), seg(field, 5));
}

function scheduledStart(orc: Reader, obr: Reader, tq1: Reader): string {
  return [tq1(7), orc(7, 4), obr(27, 4), obr(36), obr(7)].find((v) => dicomDate(v) !== null) ?? '';
}

export function planWorklist(msg: Hl7Message, options: WorklistPlanOptions): WorklistPlan {
  const flags: WorklistFlag[] = [];
  const { messageType, triggerEvent } = msg.header;
  if (messageType !== 'ORM') {
    flags.push({
      code: 'UNSUPPORTED_MESSAGE_TYPE',
      detail: `${messageType}^${triggerEvent}: the worklist takes ORM^O01 orders only`,
    });
    return { items: [], flags };
  }
  const pid = reader(msg, 'PID', msg.segmentCount('PID') > 0 ? 1 : null);
  const patient = {
    patientId: orNull(pid(3)),
    patientName: personName(pid(5, 1), pid(5, 2), pid(5, 3), pid(5, 5), pid(5, 4)),
    patientBirthDate: dicomDate(pid(7)),
    patientSex: dicomSex(pid(8)),
  };
  const items: PlannedWorklistItem[] = [];
  const keys = new Set<string>();
  for (const g of orderGroups(msg)) {
    const orc = reader(msg, 'ORC', g.orc);
    const obr = reader(msg, 'OBR', g.obr);
    const tq1 = reader(msg, 'TQ1', g.tq1);
    const where = g.orc !== null ? `ORC[${g.orc}]` : `OBR[${g.obr}]`;
    const placer = orderNumber(obr, 2) ?? orderNumber(orc, 2);
    const filler = orderNumber(obr, 3) ?? orderNumber(orc, 3);
    if (!placer && !filler) {
      flags.push({ code: 'ORDER_NO_NUMBER', detail: `${where}: no placer or filler order number` });
      continue;
    }
    const key = placer
      ? `P|${placer.namespace}|${placer.number}`
      : `F|${filler!.namespace}|${filler!.number}`;
    if (keys.has(key)) {
      flags.push({
        code: 'ORDER_REPEATED',
        detail: `${where}: repeats the order number of an earlier group: it updates the same worklist item`,
      });
    }
    keys.add(key);
    const section = obr(24);
    const mapped = modalityFor(section, options.modalities);
    if (mapped === null && section !== '' && options.defaultModality === null) {
      flags.push({
        code: 'MODALITY_UNMAPPED',
        detail: `${where}: OBR-24 "${section}" is no DICOM modality (map it with the modalities option)`,
      });
    }
    const modality = mapped ?? (g.obr !== null ? options.defaultModality : null);
    const control = orc(1);
    const statusCode = orc(5);
    const start = scheduledStart(orc, obr, tq1);
    const accessionNumber = firstOf(obr(18), obr(20));
    items.push({
      placer,
      filler,
      orderControl: orNull(control),
      orderStatusCode: orNull(statusCode),
      status: worklistStatus(control, statusCode),
      accessionNumber,
      requestedProcedureId: orNull(obr(19)),
      requestedProcedureDescription: firstOf(obr(44, 2), obr(4, 2), obr(4, 1)),
      scheduledProcedureStepId: obr(18) !== '' ? orNull(obr(20)) : null,
      scheduledProcedureStepDescription: firstOf(obr(4, 2), obr(4, 1)),
      modality,
      scheduledStationAeTitle: modality === null ? null : (options.stationAeTitles[modality] ?? null),
      scheduledStartDate: dicomDate(start),
      scheduledStartTime: dicomTime(start),
      ...patient,
      referringPhysicianName: xcnName(obr, 16) ?? xcnName(orc, 12),
    });
  }
  return { items, flags };
}
