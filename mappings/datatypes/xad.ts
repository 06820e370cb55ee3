/**
 * XAD -> Address, per "HL7 Data Type - FHIR R4_ XAD[Address]" (XAD.1 via "SAD[Address]").
 */
import type { Address, Extension } from '../../engine/fhir/types.ts';
import { ADDRESS_TYPE, ADDRESS_USE, mapCode } from '../vocabulary/tables.ts';
import { dtmToDateTime } from './dtm.ts';
import type { Hl7Value } from './value.ts';

/** Returns undefined when no address part is valued. */
export function xadToAddress(xad: Hl7Value, defaultOffset = 'Z'): Address | undefined {
  const address: Address = {};
  const extension: Extension[] = [];
  // SAD.1-SAD.3 -> line[1-3], XAD.2 -> line[4], XAD.19 -> line[5]
  const line = [xad.get(1, 1), xad.get(1, 2), xad.get(1, 3), xad.get(2), xad.get(19)].filter((v) => v !== '');
  if (line.length > 0) address.line = line;
  const parts: [keyof Pick<Address, 'city' | 'state' | 'postalCode' | 'country'>, number][] = [
    ['city', 3], // XAD.3
    ['state', 4], // XAD.4
    ['postalCode', 5], // XAD.5
    ['country', 6], // XAD.6
  ];
  for (const [key, component] of parts) {
    const v = xad.get(component);
    if (v !== '') address[key] = v;
  }
  // XAD.9 (CWE) -> district, via CWE[string]: CWE.9 original text, else CWE.2 text, else the code.
  const district = xad.get(9, 9) || xad.get(9, 2) || xad.get(9, 1);
  if (district !== '') address.district = district;
  const addressType = xad.get(7);
  if (addressType !== '') {
    // XAD.7 rows: M, SH -> type; BA, BI, C, B, H, O -> use; HV -> iso21090-AD-use. The IG's last
    // XAD.7 row (the v2 code in an extension) names no extension URL, so it is left out.
    const type = mapCode(ADDRESS_TYPE, addressType)?.code;
    const use = mapCode(ADDRESS_USE, addressType)?.code;
    if (use) address.use = use;
    if (type) address.type = type;
    if (addressType === 'HV') {
      extension.push({ url: 'http://hl7.org/fhir/StructureDefinition/iso21090-AD-use', valueCode: 'HV' });
    }
  }
  const censusTract = xad.get(10); // XAD.10 -> iso21090-ADXP-censusTract
  if (censusTract !== '') {
    extension.push({
      url: 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-censusTract',
      valueString: censusTract,
    });
  }
  // XAD.13/XAD.14 -> period; XAD.12 (DR) only when neither is valued.
  const explicit = xad.get(13) !== '' || xad.get(14) !== '';
  const start = dtmToDateTime(explicit ? xad.get(13) : xad.get(12, 1), defaultOffset)?.value;
  const end = dtmToDateTime(explicit ? xad.get(14) : xad.get(12, 2), defaultOffset)?.value;
  if (start || end) address.period = { ...(start && { start }), ...(end && { end }) };
  const hasContent =
    address.line !== undefined ||
    address.city !== undefined ||
    address.state !== undefined ||
    address.postalCode !== undefined ||
    address.country !== undefined ||
    address.district !== undefined;
  if (!hasContent) return undefined;
  if (extension.length > 0) address.extension = extension;
  return address;
}
