/**
 * Test helpers of the ORU map: a small ORU^R01 around the segments under test, mapped, with its
 * resources picked out by type. Test-only (imported by *.test.ts files).
 */
import type { FhirBundle, FhirResource } from '../../engine/fhir/types.ts';
import { Hl7Message } from '../../engine/hl7/message.ts';
import { mappingContext } from '../testing/fragments.ts';
import { oruToFhir } from './oru-to-fhir.ts';
import type { DiagnosticReport, Observation, Specimen } from './resources.ts';

export const MSH = 'MSH|^~\\&|LAB|ACME LAB|EHR|HOSP|20240301120000-0500||ORU^R01^ORU_R01|CTRL1|P|2.5.1';
export const PID = 'PID|1||MRN123^^^HOSP^MR||DOE^JANE||19800101|F';
export const OBR = (status = 'F', extra: { filler?: string; code?: string } = {}) =>
  `OBR|1|PLC1^EHR|${extra.filler ?? 'FIL1^ACME LAB'}|${extra.code ?? '24331-1^Lipid panel^LN'}|||20240301100000-0500|||||||||||||||20240301110000-0500|||${status}`;

export interface MappedOru {
  readonly bundle: FhirBundle;
  readonly warnings: string[];
  readonly observations: Observation[];
  readonly reports: DiagnosticReport[];
  readonly specimens: Specimen[];
}

const ofType = <T>(bundle: FhirBundle, type: string): T[] =>
  (bundle.entry ?? []).flatMap((e) =>
    e.resource?.resourceType === type ? [e.resource as FhirResource as T] : [],
  );

export function mapSegments(segments: readonly string[], options: Record<string, unknown> = {}): MappedOru {
  const message = Hl7Message.parse(segments.join('\r'));
  const { bundle, warnings } = oruToFhir.map(message, mappingContext(options));
  return {
    bundle,
    warnings,
    observations: ofType<Observation>(bundle, 'Observation'),
    reports: ofType<DiagnosticReport>(bundle, 'DiagnosticReport'),
    specimens: ofType<Specimen>(bundle, 'Specimen'),
  };
}

/** The Observation of one OBX line in a message with MSH, PID and one OBR. */
export function observationOf(
  obx: string,
  more: readonly string[] = [],
): { obs: Observation; warnings: string[] } {
  const { observations, warnings } = mapSegments([MSH, PID, OBR(), obx, ...more]);
  if (observations.length !== 1) throw new Error(`expected one Observation, got ${observations.length}`);
  return { obs: observations[0]!, warnings };
}
