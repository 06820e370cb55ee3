/**
 * XTN -> ContactPoint, per "HL7 Data Type - FHIR R4_ XTN[ContactPoint]".
 */
import type { ContactPoint, Extension } from '../../engine/fhir/types.ts';
import { TELECOM_EQUIPMENT, TELECOM_USE, mapCode } from '../vocabulary/tables.ts';
import { dtmToDateTime } from './dtm.ts';
import type { Hl7Value } from './value.ts';

const EMAIL_TYPES = new Set(['Internet', 'X.400']);

/** XTN.5-XTN.8 composed as the XTN.7 rows assign it: "+5 6 7 X8", parts left out when empty. */
function composedNumber(xtn: Hl7Value): string {
  const local = xtn.get(7);
  if (local === '') return '';
  const country = xtn.get(5);
  const parts = [country !== '' ? `+${country}` : '', xtn.get(6), local].filter((p) => p !== '');
  const ext = xtn.get(8);
  return parts.join(' ') + (ext !== '' ? ` X${ext}` : '');
}

/**
 * `defaultUse` is the segment's assignment when XTN.2 is not valued (PID-13 "home", PID-14
 * "work"). Returns undefined when the repetition carries no address or number.
 */
export function xtnToContactPoint(
  xtn: Hl7Value,
  defaultUse?: string,
  defaultOffset = 'Z',
): ContactPoint | undefined {
  const equipment = xtn.get(3);
  const email = EMAIL_TYPES.has(equipment);
  // XTN.4 for Internet/X.400; else XTN.12, else XTN.5-8 composed (XTN.7 rows), else XTN.1.
  const value = email
    ? xtn.get(4) || xtn.get(1)
    : xtn.get(12) || composedNumber(xtn) || xtn.get(1) || (equipment === '' ? xtn.get(4) : '');
  if (value === '') return undefined;
  const point: ContactPoint = {};
  const extension: Extension[] = [];
  const rows: [number, string][] = [
    [5, 'http://hl7.org/fhir/StructureDefinition/contactpoint-country'],
    [6, 'http://hl7.org/fhir/StructureDefinition/contactpoint-area'],
    [7, 'http://hl7.org/fhir/StructureDefinition/contactpoint-local'],
    [8, 'http://hl7.org/fhir/StructureDefinition/contactpoint-extension'],
  ];
  for (const [component, url] of rows) {
    if (component === 7 && email) continue;
    const v = xtn.get(component);
    if (v !== '') extension.push({ url, valueString: v });
  }
  if (extension.length > 0) point.extension = extension;
  // XTN.3 -> system (TelecommunicationEquipmentType); not valued: "email" when XTN.4 is valued,
  // else data-absent-reason "unknown" (FHIR cpt-2: a value needs a system).
  const system = mapCode(TELECOM_EQUIPMENT, equipment)?.code ?? (xtn.get(4) !== '' ? 'email' : undefined);
  if (system) point.system = system;
  else {
    point._system = {
      extension: [
        { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' },
      ],
    };
  }
  point.value = value;
  // XTN.2 -> use (TelecommunicationUseCode); a cell phone (XTN.3 CP) is "mobile"; then the default.
  const use = mapCode(TELECOM_USE, xtn.get(2))?.code ?? (equipment === 'CP' ? 'mobile' : undefined);
  const useValue = use ?? (xtn.get(2) === '' ? defaultUse : undefined);
  if (useValue) point.use = useValue;
  const rank = Number(xtn.get(18)); // XTN.18 -> rank (positiveInt)
  if (Number.isInteger(rank) && rank > 0) point.rank = rank;
  const start = dtmToDateTime(xtn.get(13), defaultOffset)?.value; // XTN.13 -> period.start
  const end = dtmToDateTime(xtn.get(14), defaultOffset)?.value; // XTN.14 -> period.end
  if (start || end) point.period = { ...(start && { start }), ...(end && { end }) };
  return point;
}
