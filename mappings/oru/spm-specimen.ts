/**
 * SPM -> Specimen, per "HL7 Segment - FHIR R4_ SPM[Specimen]" (row named at each element). The
 * conditional key is SPM-2's filler identifier, else its placer identifier; an SPM without SPM-2
 * is keyed on its report and position (keys.ts).
 */
import type { Identifier, Reference } from '../../engine/fhir/types.ts';
import type { SegmentMapEnv } from '../adt/env.ts';
import type { ResourceKey } from '../bundle.ts';
import { cweToCodeableConcept } from '../datatypes/cwe.ts';
import { cxToIdentifier } from '../datatypes/cx.ts';
import { dtmToDateTime } from '../datatypes/dtm.ts';
import { mapRepetitions } from '../datatypes/field.ts';
import { SPECIMEN_AVAILABILITY, SPECIMEN_TYPE } from '../vocabulary/result-vocabulary.ts';
import { eipToIdentifiers } from './ei-identifier.ts';
import { derivedKey, SPECIMEN_KEY_SYSTEM } from './keys.ts';
import type { Specimen } from './resources.ts';
import { type SegmentAt, label, pathAt, textAt, valueAt } from './seg-path.ts';
import { cweToQuantityUnit, parseNm } from './units.ts';

export interface MappedSpecimen {
  readonly specimen: Specimen;
  readonly key: ResourceKey;
}

function collection(env: SegmentMapEnv, seg: SegmentAt): Specimen['collection'] {
  const out: NonNullable<Specimen['collection']> = {};
  const period = valueAt(seg, 17);
  const start = dtmToDateTime(period.get(1), env.tz);
  const end = dtmToDateTime(period.get(2), env.tz);
  // SPM-17 "IF SPM-17.2 VALUED" -> collectedPeriod, else collectedDateTime
  if (end) out.collectedPeriod = { ...(start && { start: start.value }), end: end.value };
  else if (start) out.collectedDateTime = start.value;
  const method = cweToCodeableConcept(valueAt(seg, 7)); // SPM-7 -> collection.method
  if (method) out.method = method;
  const site = cweToCodeableConcept(valueAt(seg, 8)); // SPM-8 -> collection.bodySite
  if (site) out.bodySite = site;
  // SPM-12 (CQ: quantity ^ units) -> collection.quantity (CQ[Quantity])
  const amount = valueAt(seg, 12);
  const value = parseNm(amount.get(1));
  if (value !== undefined) {
    const units = { get: (sub: number) => amount.get(2, sub) };
    out.quantity = { value, ...cweToQuantityUnit(units) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function mapSpecimen(
  env: SegmentMapEnv,
  spm: number,
  subject: Reference,
  fallback: { readonly reportKey: ResourceKey; readonly ordinal: number },
): MappedSpecimen {
  const seg: SegmentAt = { message: env.message, name: 'SPM', occurrence: spm };
  const { placer, filler } = eipToIdentifiers(valueAt(seg, 2), env.cx); // SPM-2 -> identifier[1], [2]
  const identifiers: Identifier[] = [...(placer ? [placer] : []), ...(filler ? [filler] : [])];
  // SPM-31 -> identifier (CX)
  identifiers.push(...mapRepetitions(env.message, pathAt(seg, 31), (v) => cxToIdentifier(v, env.cx)));
  const main = filler ?? placer;
  let key: ResourceKey;
  if (main?.system !== undefined && main.value !== undefined)
    key = { system: main.system, value: main.value };
  else {
    env.warnings.push(`${label(seg, 2)} is empty: the Specimen is keyed on its report and position`);
    const derived = derivedKey(SPECIMEN_KEY_SYSTEM, [fallback.reportKey.value, String(fallback.ordinal)]);
    identifiers.push(derived.identifier);
    key = derived.key;
  }
  const specimen: Specimen = { resourceType: 'Specimen', identifier: identifiers };
  const accession = cxToIdentifier(valueAt(seg, 30), env.cx); // SPM-30 -> accessionIdentifier
  if (accession) specimen.accessionIdentifier = accession;
  const availability = SPECIMEN_AVAILABILITY.get(textAt(seg, 20)); // SPM-20 -> status
  if (availability) specimen.status = availability;
  const type = cweToCodeableConcept(valueAt(seg, 4), SPECIMEN_TYPE); // SPM-4 -> type (SpecimenType)
  if (type) specimen.type = type;
  specimen.subject = subject;
  const received = dtmToDateTime(textAt(seg, 18), env.tz); // SPM-18 -> receivedTime
  if (received) specimen.receivedTime = received.value;
  const collected = collection(env, seg);
  if (collected) specimen.collection = collected;
  // SPM-24 -> condition (SpecimenCondition: table 0493, kept as sent)
  const condition = mapRepetitions(env.message, pathAt(seg, 24), (v) => cweToCodeableConcept(v));
  if (condition.length > 0) specimen.condition = condition;
  const description = textAt(seg, 14); // SPM-14 -> note.text
  if (description !== '') specimen.note = [{ text: description }];
  return { specimen, key };
}
