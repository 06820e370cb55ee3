/**
 * Conditional-update keys of the ORU resources. A filler order number alone cannot key a
 * DiagnosticReport: newborn-screening and panel senders give one ORC/OBR-3 to 10-20 OBR groups (the
 * corpus has them), and a conditional PUT matching several resources fails. So each resource gets a
 * Switchboard key identifier, a name-based UUID of what identifies it in v2:
 *   DiagnosticReport: OBR-3 filler order number (system|value; else OBR-2 / ORC-2 placer) + OBR-4 code;
 *   Observation: the report key + OBX-3 code + OBX-4 sub-id (+ the ordinal among OBX with the same
 *   code and sub-id in the group: multi-line TX results repeat both);
 *   Specimen: SPM-2 filler (else placer) identifier; without one, the report key + SPM ordinal.
 * A preliminary, final and corrected result for the same order therefore land on the same resources.
 */
import { uuidV5 } from '../../engine/fhir/ids.ts';
import type { Identifier } from '../../engine/fhir/types.ts';
import type { ResourceKey } from '../bundle.ts';
import { SWITCHBOARD_ID_PREFIX } from '../identifier-systems.ts';

export const REPORT_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}oru-report`;
export const OBSERVATION_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}oru-observation`;
export const SPECIMEN_KEY_SYSTEM = `${SWITCHBOARD_ID_PREFIX}oru-specimen`;

const TEXT: Record<string, string> = {
  [REPORT_KEY_SYSTEM]: 'Switchboard report key',
  [OBSERVATION_KEY_SYSTEM]: 'Switchboard observation key',
  [SPECIMEN_KEY_SYSTEM]: 'Switchboard specimen key',
};

export function derivedKey(
  system: string,
  parts: readonly string[],
): { key: ResourceKey; identifier: Identifier } {
  const value = uuidV5(`${system}|${parts.map((p) => p.replace(/[\\|]/g, (c) => `\\${c}`)).join('|')}`);
  return {
    key: { system, value },
    identifier: { use: 'secondary', type: { text: TEXT[system] ?? 'Switchboard key' }, system, value },
  };
}

export const identifierText = (id: Identifier | undefined): string =>
  id ? `${id.system ?? ''}|${id.value ?? ''}` : '';
