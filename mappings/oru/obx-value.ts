/**
 * OBX-5 (by OBX-2 value type) -> Observation.value[x], per the OBX-5 rows of "HL7 Segment - FHIR
 * R4_ OBX[Observation]" and, when OBX-5 repeats, "OBX[Observation-Component]" (one component per
 * repetition; repeated ST/TX/FT lines are one text instead, joined by line breaks).
 *   NM -> valueQuantity (NM[Quantity] + OBX-6 CWE[Quantity]); SN -> valueQuantity / valueRange /
 *   valueRatio / valueString by SN.1 and SN.3 (SN[Quantity], SN[Range], SN[Ratio]); ST, TX, FT ->
 *   valueString (escapes decoded, \.br\ as a line break); CE, CWE, CNE, CF, IS, ID ->
 *   valueCodeableConcept; DT, DTM, TS -> valueDateTime (precision and zone kept); TM -> valueTime;
 *   DR -> valuePeriod; NR -> valueRange; VR -> valueString "low-high"; ED and RP -> the R5
 *   valueAttachment extension the IG names (R4 Observation has no valueAttachment); anything else
 *   -> valueString of the components joined by spaces (the IG's unconditioned row).
 */
import type { Hl7Message } from '../../engine/hl7/message.ts';
import { unescapeHl7 } from '../../engine/hl7/escape.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { fieldValue } from '../datatypes/field.ts';
import type { Hl7Value } from '../datatypes/value.ts';
import type { Attachment, ObservationValue, OruExtension, Quantity } from './resources.ts';
import { type SegmentAt, label, pathAt, valueAt } from './seg-path.ts';
import { cweToQuantityUnit, parseNm, type QuantityUnit } from './units.ts';

/** "OBX[Observation]" ED / RP rows: extension[1].url, as the IG writes it. */
export const OBSERVATION_VALUE_ATTACHMENT =
  'https://hl7.org/fhir/5.0/StructureDefinition/extension-Observation.valueAttachment';
const ORIGINAL_TEXT = 'http://hl7.org/fhir/StructureDefinition/originalText';

export interface MappedObxValue {
  /** The single value[x] (at most one member set). */
  readonly value?: ObservationValue;
  /** One per OBX-5 repetition when it repeats (Observation.component values). */
  readonly components?: ObservationValue[];
  /** ED / RP: the valueAttachment extension. */
  readonly extension?: OruExtension;
}

export interface ObxValueContext {
  readonly seg: SegmentAt;
  /** Default offset for times without one. */
  readonly tz: string;
  readonly warnings: string[];
}

const TEXT_TYPES = new Set(['ST', 'TX', 'FT']);
const CODED_TYPES = new Set(['CE', 'CWE', 'CNE', 'CF', 'IS', 'ID']);
const COMPARATORS = new Set(['<', '<=', '>=', '>']);

/** The raw repetitions of OBX-5 (escapes kept), the empty ones dropped. */
function rawRepetitions(seg: SegmentAt): string[] {
  return seg.message.getAll(pathAt(seg, 5)).filter((r) => r !== '' && r !== '""');
}

function decode(message: Hl7Message, raw: string): string {
  return unescapeHl7(raw, message.delimiters, message.charset);
}

/** ST/TX/FT: the whole repetition is text; a stray `^` in it is kept, not taken as a separator. */
function textValue(seg: SegmentAt, raws: string[]): ObservationValue | undefined {
  const text = raws.map((r) => decode(seg.message, r)).join('\n');
  return text.trim() === '' ? undefined : { valueString: text };
}

/** The IG's catch-all row: OBX-5.1 + " " + OBX-5.2 + ... (subcomponents likewise). */
function joinedText(message: Hl7Message, raw: string): string {
  const { component, subcomponent } = message.delimiters;
  return raw
    .split(component)
    .flatMap((c) => c.split(subcomponent))
    .map((p) => decode(message, p).trim())
    .filter((p) => p !== '' && p !== '""')
    .join(' ');
}

function quantity(value: number, unit: QuantityUnit, comparator?: string): Quantity {
  const q: Quantity = { value };
  if (comparator && COMPARATORS.has(comparator)) q.comparator = comparator as Quantity['comparator'];
  return { ...q, ...unit };
}

function nmValue(ctx: ObxValueContext, v: Hl7Value, unit: QuantityUnit): ObservationValue | undefined {
  const text = v.get(1);
  if (text === '') return undefined;
  const n = parseNm(text);
  if (n !== undefined) return { valueQuantity: quantity(n, unit) };
  ctx.warnings.push(`${label(ctx.seg, 5)} is not a number although OBX-2 is NM: kept as valueString`);
  return { valueString: text };
}

/** SN rows of OBX[Observation], with SN[Quantity], SN[Range], SN[Ratio]. */
export function snValue(v: Hl7Value, unit: QuantityUnit, unitText: string): ObservationValue | undefined {
  const comparator = v.get(1);
  const num1 = v.get(2);
  const separator = v.get(3);
  const num2 = v.get(4);
  if (comparator === '' && num1 === '' && separator === '' && num2 === '') return undefined;
  const original = [comparator, num1, separator, num2].filter((p) => p !== '').join(' ');
  const asString = (): ObservationValue => ({
    valueString: [original, unitText].filter((p) => p !== '').join(' '),
  });
  // "<>" (SN.1) and "+" (SN.3, e.g. "2+") are text in the IG.
  if (comparator === '<>' || separator === '+') return asString();
  const a = parseNm(num1);
  const b = parseNm(num2);
  const originalText = { extension: [{ url: ORIGINAL_TEXT, valueString: original }] };
  if (separator === ':' || separator === '/') {
    if (a === undefined || b === undefined) return asString();
    return {
      valueRatio: {
        numerator: quantity(a, unit, comparator),
        denominator: { value: b },
        ...originalText,
      },
    };
  }
  if (separator === '-') {
    if (a === undefined || b === undefined) return asString();
    return { valueRange: { low: { value: a, ...unit }, high: { value: b, ...unit }, ...originalText } };
  }
  if (
    separator !== '' ||
    num2 !== '' ||
    (comparator !== '' && comparator !== '=' && !COMPARATORS.has(comparator))
  )
    return asString();
  if (a === undefined) return asString();
  return { valueQuantity: quantity(a, unit, comparator) };
}

function dateTimeValue(ctx: ObxValueContext, v: Hl7Value): ObservationValue | undefined {
  const raw = v.get(1);
  if (raw === '') return undefined;
  const dt = dtmToDateTime(raw, ctx.tz);
  if (!dt) {
    ctx.warnings.push(`${label(ctx.seg, 5)} is not a valid DTM: kept as valueString`);
    return { valueString: raw };
  }
  if (dt.offsetAssumed) ctx.warnings.push(`${label(ctx.seg, 5)} has no time zone: read as ${ctx.tz}`);
  return { valueDateTime: dt.value };
}

/** v2 TM HH[MM[SS[.S+]]][+/-ZZZZ] -> FHIR time hh:mm:ss[.s+] (FHIR time has no zone: it is dropped). */
export function tmToTime(text: string): string | undefined {
  const m = /^(\d{2})(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$/.exec(text.trim());
  if (!m) return undefined;
  const [, h, mi = '00', s = '00', f = ''] = m;
  if (+h! > 23 || +mi > 59 || +s > 59) return undefined;
  return `${h}:${mi}:${s}${f}`;
}

function timeValue(ctx: ObxValueContext, v: Hl7Value): ObservationValue | undefined {
  const raw = v.get(1);
  if (raw === '') return undefined;
  const time = tmToTime(raw);
  if (time !== undefined) return { valueTime: time };
  ctx.warnings.push(`${label(ctx.seg, 5)} is not a valid TM: kept as valueString`);
  return { valueString: raw };
}

function periodValue(ctx: ObxValueContext, v: Hl7Value): ObservationValue | undefined {
  const start = dtmToDateTime(v.get(1), ctx.tz);
  const end = dtmToDateTime(v.get(2), ctx.tz);
  if (!start && !end) return undefined;
  return { valuePeriod: { ...(start && { start: start.value }), ...(end && { end: end.value }) } };
}

function rangeValue(v: Hl7Value, unit: QuantityUnit): ObservationValue | undefined {
  const low = parseNm(v.get(1));
  const high = parseNm(v.get(2));
  if (low === undefined && high === undefined) return undefined;
  return {
    valueRange: {
      ...(low !== undefined && { low: { value: low, ...unit } }),
      ...(high !== undefined && { high: { value: high, ...unit } }),
    },
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** ED[Attachment]: ED.3 -> contentType (with ED.2 as its type), ED.5 -> data as base64 by ED.4. */
function edAttachment(ctx: ObxValueContext, v: Hl7Value): Attachment | undefined {
  const type = v.get(2);
  const subtype = v.get(3);
  const encoding = v.get(4).toUpperCase();
  const data = v.get(5);
  if (data === '') return undefined;
  const out: Attachment = {};
  const contentType = mediaType(type, subtype);
  if (contentType) out.contentType = contentType;
  if (encoding === 'BASE64') {
    const compact = data.replace(/\s+/g, '');
    if (!BASE64.test(compact) || compact.length % 4 !== 0) {
      ctx.warnings.push(`${label(ctx.seg, 5)}.5 is not valid base64 although ED.4 is Base64: left out`);
      return undefined;
    }
    out.data = compact;
  } else if (encoding === 'HEX') {
    const hex = data.replace(/\s+/g, '');
    if (!/^([0-9A-Fa-f]{2})*$/.test(hex)) {
      ctx.warnings.push(`${label(ctx.seg, 5)}.5 is not valid hex although ED.4 is Hex: left out`);
      return undefined;
    }
    out.data = Buffer.from(hex, 'hex').toString('base64');
  } else {
    // ED.4 "A" (no encoding, printable text): the decoded text's UTF-8 bytes.
    out.data = Buffer.from(data, 'utf8').toString('base64');
  }
  return out;
}

/**
 * A MIME type from a v2 type (table 0191: TEXT, IMAGE, AUDIO, APPLICATION, Application...) and
 * subtype (table 0291: PDF, JPEG, Octet-stream, ...), lower-cased as media types are; the pair
 * must look like `type/subtype`, else undefined. A subtype alone (e.g. `PDF`) gets `application/`.
 */
export function mediaType(type: string, subtype: string): string | undefined {
  const t = type.trim().toLowerCase();
  const s = subtype.trim().toLowerCase();
  const known = ['text', 'image', 'audio', 'video', 'application', 'multipart', 'model', 'message'];
  const main = known.includes(t) ? t : s !== '' ? 'application' : undefined;
  const sub = s === 'octet-stream' || s === '' ? (main === 'application' ? 'octet-stream' : undefined) : s;
  if (!main || !sub || !/^[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(sub)) return undefined;
  if (main === 'text' && sub === 'octet-stream') return undefined;
  return `${main}/${sub}`;
}

/** RP[Attachment]: RP.1 -> url, RP.3 "/" RP.4 -> contentType. */
function rpAttachment(v: Hl7Value): Attachment | undefined {
  const url = v.get(1);
  if (url === '') return undefined;
  const out: Attachment = { url };
  const contentType = mediaType(v.get(3), v.get(4));
  if (contentType) out.contentType = contentType;
  return out;
}

function valueOf(
  ctx: ObxValueContext,
  type: string,
  v: Hl7Value,
  raw: string,
  unit: QuantityUnit,
  unitText: string,
): ObservationValue | undefined {
  if (type === 'NM') return nmValue(ctx, v, unit);
  if (type === 'SN') return snValue(v, unit, unitText);
  if (TEXT_TYPES.has(type)) return textValue(ctx.seg, [raw]);
  if (CODED_TYPES.has(type)) {
    const cc = cweToCodeableConcept(v);
    return cc ? { valueCodeableConcept: cc } : undefined;
  }
  if (type === 'DT' || type === 'DTM' || type === 'TS') return dateTimeValue(ctx, v);
  if (type === 'TM') return timeValue(ctx, v);
  if (type === 'DR') return periodValue(ctx, v);
  if (type === 'NR') return rangeValue(v, unit);
  if (type === 'VR') {
    const text = [v.get(1), v.get(2)].join('-');
    return text === '-' ? undefined : { valueString: text };
  }
  const text = joinedText(ctx.seg.message, raw);
  return text === '' ? undefined : { valueString: text };
}

export function mapObxValue(ctx: ObxValueContext): MappedObxValue {
  const { seg } = ctx;
  const type = valueAt(seg, 2).get(1).toUpperCase();
  const raws = rawRepetitions(seg);
  if (raws.length === 0) return {};
  const at = (r: number): Hl7Value => fieldValue(seg.message, pathAt(seg, 5), r);
  if (type === 'ED' || type === 'RP') {
    if (raws.length > 1)
      ctx.warnings.push(`${label(seg, 5)} repeats with OBX-2 ${type}: only the first is kept`);
    const attachment = type === 'ED' ? edAttachment(ctx, at(1)) : rpAttachment(at(1));
    return attachment
      ? { extension: { url: OBSERVATION_VALUE_ATTACHMENT, valueAttachment: attachment } }
      : {};
  }
  if (TEXT_TYPES.has(type)) {
    const value = textValue(seg, raws);
    return value ? { value } : {};
  }
  const unitsValue = valueAt(seg, 6);
  const unit = type === 'NM' || type === 'SN' || type === 'NR' ? cweToQuantityUnit(unitsValue) : {};
  const unitText = unitsValue.get(2) || unitsValue.get(1);
  // Empty repetitions were dropped from `raws`; read values by their position among all repetitions.
  const all = seg.message.getAll(pathAt(seg, 5));
  const values: ObservationValue[] = [];
  all.forEach((raw, i) => {
    if (raw === '' || raw === '""') return;
    const mapped = valueOf(ctx, type, at(i + 1), raw, unit, unitText);
    if (mapped) values.push(mapped);
  });
  if (values.length === 0) return {};
  if (values.length === 1) return { value: values[0]! };
  return { components: values };
}
