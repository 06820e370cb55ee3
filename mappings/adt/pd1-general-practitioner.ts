/**
 * PD1 -> the Patient's primary care, per "HL7 Segment - FHIR R4_ PD1[Patient]": PD1-4 ->
 * generalPractitioner(Practitioner) via XCN[Practitioner] (a Practitioner entry when XCN.1 is
 * valued), PD1-3 -> generalPractitioner(Organization) by its name (XON.1; no identifier to key an
 * Organization on in the senders seen). The Patient is built by pid-patient.ts:
 * `generalPractitioners` gives it the references, ROL "PP" ones included.
 */
import type { Reference } from '../../engine/fhir/types.ts';
import { fieldPath, mapRepetitions } from '../datatypes/field.ts';
import { EntryList } from '../common/entries.ts';
import { practitionerReference } from '../common/practitioner.ts';
import { segmentReaders } from '../common/segments.ts';
import { rolGeneralPractitioners } from './rol-practitioner-role.ts';
import type { SegmentMapEnv } from './env.ts';

const PD1 = {
  primaryFacility: fieldPath('PD1-3'),
  primaryCareProvider: fieldPath('PD1-4'),
} as const;

function pd1References(env: SegmentMapEnv, entries: EntryList): Reference[] {
  const out: Reference[] = [];
  for (const pd1 of segmentReaders(env.message, 'PD1').slice(0, 1)) {
    for (const org of mapRepetitions(
      env.message,
      pd1.path(PD1.primaryFacility),
      (v) => v.get(1) || undefined,
    )) {
      out.push({ type: 'Organization', display: org }); // PD1-3 -> generalPractitioner[1](Organization)
    }
    // PD1-4 -> generalPractitioner[2](Practitioner)
    out.push(
      ...mapRepetitions(env.message, pd1.path(PD1.primaryCareProvider), (v) =>
        practitionerReference(v, env, entries),
      ),
    );
  }
  return out;
}

/** Adds the Practitioner entries of PD1-4. */
export function mapPd1(env: SegmentMapEnv, entries: EntryList): void {
  pd1References(env, entries);
}

/** Patient.generalPractitioner: PD1-3, PD1-4, then ROL "PP" after PID/PD1; each reference once. */
export function generalPractitioners(env: SegmentMapEnv): Reference[] {
  const refs = [...pd1References(env, new EntryList()), ...rolGeneralPractitioners(env)];
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = r.reference ?? `display:${r.display ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
