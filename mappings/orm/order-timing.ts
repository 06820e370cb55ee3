/**
 * When, how often and how urgently: TQ1 ("HL7 Segment - FHIR R4_ TQ1[ServiceRequest]"), else the
 * older TQ field ORC-7 / OBR-27 ("HL7 Data Type - FHIR R4_ TQ[ServiceRequest]"), else OBR-6
 * (OBR[ServiceRequest] OBR-6 -> occurrenceDateTime); priority from TQ1-9 / TQ.6, else OBR-5, via
 * ExtendedPriorityCodes. Only the first TQ1 / TQ repetition is read; the rest are reported.
 */
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { fieldPath, fieldValue, fieldValues } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import type { SegmentMapEnv } from '../adt/env.ts';
import { REQUEST_PRIORITY, type RequestPriority } from '../vocabulary/order-control.ts';
import { atOccurrence } from '../common/segments.ts';
import type { OrderGroup } from './order-groups.ts';

const ORC_7 = fieldPath('ORC-7');
const OBR_5 = fieldPath('OBR-5');
const OBR_6 = fieldPath('OBR-6');
const OBR_27 = fieldPath('OBR-27');
const TQ1 = {
  quantity: fieldPath('TQ1-2'),
  repeatPattern: fieldPath('TQ1-3'),
  serviceDuration: fieldPath('TQ1-6'),
  start: fieldPath('TQ1-7'),
  end: fieldPath('TQ1-8'),
  priority: fieldPath('TQ1-9'),
  text: fieldPath('TQ1-11'),
  occurrenceDuration: fieldPath('TQ1-13'),
  totalOccurrences: fieldPath('TQ1-14'),
} as const;

/** FHIR units-of-time (Timing.repeat.durationUnit, Duration with UCUM). */
const UNITS_OF_TIME: ReadonlySet<string> = new Set(['s', 'min', 'h', 'd', 'wk', 'mo', 'a']);
const UCUM = 'http://unitsofmeasure.org';

export interface Quantity {
  value: number;
  unit?: string;
  system?: string;
  code?: string;
}

export interface Timing {
  code?: { text: string };
  repeat?: {
    boundsPeriod?: { start?: string; end?: string };
    boundsDuration?: Quantity;
    count?: number;
    duration?: number;
    durationUnit?: string;
  };
}

export interface OrderTiming {
  readonly occurrenceTiming?: Timing;
  readonly occurrenceDateTime?: string;
  readonly quantityQuantity?: Quantity;
  readonly priority?: RequestPriority;
  /** TQ.8 / TQ1-11 text instructions, for ServiceRequest.note. */
  readonly notes: string[];
}

const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const POSITIVE_INT = /^[1-9]\d{0,8}$/;

function quantity(amount: string, unit: string): Quantity | undefined {
  if (!DECIMAL.test(amount)) return undefined;
  return { value: Number(amount), ...(unit !== '' && { unit }) };
}

/** A CQ field (CQ.1 quantity, CQ.2 units: a CWE whose CWE.1 is the unit code). */
const cqField = (value: Hl7Value): Quantity | undefined => quantity(value.get(1), value.get(2, 1));

/** A CQ inside a component (TQ.1): CQ.1 and CQ.2 are its subcomponents. */
const cqComponent = (value: Hl7Value, c: number): Quantity | undefined =>
  quantity(value.get(c, 1), value.get(c, 2));

function timeDuration(quantity: Quantity | undefined): Quantity | undefined {
  if (!quantity?.unit || !UNITS_OF_TIME.has(quantity.unit)) return undefined;
  return { value: quantity.value, unit: quantity.unit, system: UCUM, code: quantity.unit };
}

class TimingBuilder {
  readonly timing: Timing = {};
  constructor(private readonly env: SegmentMapEnv) {}

  repeat(): NonNullable<Timing['repeat']> {
    this.timing.repeat ??= {};
    return this.timing.repeat;
  }

  bounds(start: string, end: string, where: string): void {
    const s = this.dateTime(start, where);
    const e = this.dateTime(end, where);
    if (s || e) this.repeat().boundsPeriod = { ...(s && { start: s }), ...(e && { end: e }) };
  }

  dateTime(raw: string, where: string): string | undefined {
    if (raw === '') return undefined;
    const value = dtmToDateTime(raw, this.env.tz);
    if (!value) this.env.warnings.push(`${where} is not a valid DTM: left out`);
    return value?.value;
  }

  count(raw: string, where: string): void {
    if (raw === '') return;
    if (POSITIVE_INT.test(raw)) this.repeat().count = Number(raw);
    else this.env.warnings.push(`${where} is not a positive integer: left out`);
  }

  code(text: string): void {
    if (text !== '') this.timing.code = { text };
  }

  result(): Timing | undefined {
    return this.timing.code || this.timing.repeat ? this.timing : undefined;
  }
}

function priorityOf(env: SegmentMapEnv, code: string, where: string): RequestPriority | undefined {
  if (code === '') return undefined;
  const mapped = REQUEST_PRIORITY.get(code);
  if (!mapped)
    env.warnings.push(`${where} code "${code}" has no request-priority in ExtendedPriorityCodes: left out`);
  return mapped;
}

function fromTq1(env: SegmentMapEnv, occurrence: number): OrderTiming {
  const { message } = env;
  const at = (field: (typeof TQ1)[keyof typeof TQ1]) => fieldValue(message, atOccurrence(field, occurrence));
  const builder = new TimingBuilder(env);
  builder.code(at(TQ1.repeatPattern).get(1)); // TQ1-3 RPT.1 -> occurrenceTiming.code (text only)
  builder.bounds(at(TQ1.start).get(1), at(TQ1.end).get(1), 'TQ1-7/TQ1-8'); // -> repeat.boundsPeriod
  // TQ1-6 -> boundsDuration "IF TQ1-7 AND TQ1-8 NOT VALUED" (units of time only).
  const service = timeDuration(cqField(at(TQ1.serviceDuration)));
  if (service && !builder.timing.repeat?.boundsPeriod) builder.repeat().boundsDuration = service;
  const duration = timeDuration(cqField(at(TQ1.occurrenceDuration))); // TQ1-13 -> repeat.duration/durationUnit
  if (duration) {
    builder.repeat().duration = duration.value;
    builder.repeat().durationUnit = duration.code!;
  }
  builder.count(at(TQ1.totalOccurrences).get(1), 'TQ1-14'); // TQ1-14 -> repeat.count (IG: countMax)
  const amount = cqField(at(TQ1.quantity)); // TQ1-2 -> quantityQuantity
  const text = at(TQ1.text).get(1); // TQ1-11 -> note
  const timing = builder.result();
  const priority = fieldValues(message, atOccurrence(TQ1.priority, occurrence))
    .map((v) => priorityOf(env, v.get(1), 'TQ1-9'))
    .find((p) => p !== undefined); // TQ1-9 -> priority
  return {
    ...(timing && { occurrenceTiming: timing }),
    ...(amount && { quantityQuantity: amount }),
    ...(priority && { priority }),
    notes: text !== '' ? [text] : [],
  };
}

function fromTq(env: SegmentMapEnv, tq: Hl7Value, where: string): OrderTiming {
  const builder = new TimingBuilder(env);
  builder.code(tq.get(2, 1)); // TQ.2 RI.1 -> occurrenceTiming.code (text only)
  builder.bounds(tq.get(4, 1), tq.get(5, 1), `${where}.4/${where}.5`); // TQ.4/TQ.5 -> repeat.boundsPeriod
  builder.count(tq.get(12), `${where}.12`); // TQ.12 -> repeat.count
  const timing = builder.result();
  const amount = cqComponent(tq, 1); // TQ.1 CQ -> quantityQuantity
  const priority = priorityOf(env, tq.get(6), `${where}.6`); // TQ.6 -> priority
  const text = tq.get(8); // TQ.8 -> note
  return {
    ...(timing && { occurrenceTiming: timing }),
    ...(amount && { quantityQuantity: amount }),
    ...(priority && { priority }),
    notes: text !== '' ? [text] : [],
  };
}

function tqField(env: SegmentMapEnv, group: OrderGroup): OrderTiming | undefined {
  const sources: [number | undefined, typeof ORC_7, string][] = [
    [group.orc, ORC_7, 'ORC-7'],
    [group.obr, OBR_27, 'OBR-27'],
  ];
  for (const [occurrence, field, where] of sources) {
    if (occurrence === undefined) continue;
    const reps = fieldValues(env.message, atOccurrence(field, occurrence)).filter((v) =>
      [1, 2, 4, 5, 6, 8, 12].some((c) => v.get(c) !== ''),
    );
    if (reps.length === 0) continue;
    if (reps.length > 1) env.warnings.push(`${where} repeats: only its first repetition is mapped`);
    return fromTq(env, reps[0]!, where);
  }
  return undefined;
}

export function orderTiming(env: SegmentMapEnv, group: OrderGroup): OrderTiming {
  if (group.tq1.length > 1)
    env.warnings.push('more than one TQ1 in an order group: only the first is mapped');
  const first = group.tq1[0];
  const timing = first !== undefined ? fromTq1(env, first) : (tqField(env, group) ?? { notes: [] });
  let { priority } = timing;
  let occurrenceDateTime: string | undefined;
  if (group.obr !== undefined) {
    const obr = group.obr;
    priority ??= priorityOf(env, fieldValue(env.message, atOccurrence(OBR_5, obr)).get(1), 'OBR-5');
    if (!timing.occurrenceTiming) {
      const raw = fieldValue(env.message, atOccurrence(OBR_6, obr)).get(1); // OBR-6 -> occurrenceDateTime
      if (raw !== '') {
        occurrenceDateTime = dtmToDateTime(raw, env.tz)?.value;
        if (!occurrenceDateTime) env.warnings.push('OBR-6 is not a valid DTM: left out');
      }
    }
  }
  return {
    ...timing,
    ...(priority && { priority }),
    ...(occurrenceDateTime && { occurrenceDateTime }),
  };
}
