/**
 * PL -> an Encounter.location Reference by display. The IG ("HL7 Data Type - FHIR R4_ PL[Location]")
 * builds a chain of Location resources (bed partOf room partOf point of care ...); until Location
 * resources exist here, the reference names every level the sender gave, most general first.
 */
import type { Reference } from '../../engine/fhir/types.ts';
import type { Hl7Value } from './value.ts';

const LEVELS: readonly (readonly [string, number])[] = [
  ['Facility', 4], // PL.4 (HD.1)
  ['Building', 7], // PL.7
  ['Floor', 8], // PL.8
  ['Point of care', 1], // PL.1
  ['Room', 2], // PL.2
  ['Bed', 3], // PL.3
];

export function plToReference(pl: Hl7Value): Reference | undefined {
  const parts = LEVELS.map(([label, c]) => [label, pl.get(c, 1)] as const).filter(([, v]) => v !== '');
  const description = pl.get(9); // PL.9 -> Location.description
  if (parts.length === 0 && description === '') return undefined;
  const display = parts.map(([label, v]) => `${label} ${v}`).join(', ');
  return { type: 'Location', display: display !== '' ? display : description };
}
