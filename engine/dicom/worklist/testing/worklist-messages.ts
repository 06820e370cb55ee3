/** Radiology ORM^O01 messages for the worklist tests (IHE RAD-4 layout, segments end with \r). */

export interface RadiologyOrderSpec {
  readonly controlId: string;
  /** ORC-1. */
  readonly control: string;
  /** ORC-2 / OBR-2 number (namespace RIS). */
  readonly placer: string;
  /** ORC-5. */
  readonly statusCode?: string;
  /** OBR-18 (accession number); omitted = empty. */
  readonly accession?: string;
  /** OBR-24; default CT. */
  readonly section?: string;
  /** TQ1-7 scheduled start (yyyyMMddHHmm[ss]). */
  readonly start?: string;
  readonly mrn?: string;
  readonly family?: string;
  /** false = ORC only (an order control message without OBR). */
  readonly withObr?: boolean;
  readonly description?: string;
}

function obr(s: RadiologyOrderSpec): string {
  const fields = Array.from({ length: 45 }, () => '');
  fields[0] = 'OBR';
  fields[1] = '1';
  fields[2] = `${s.placer}^RIS`;
  fields[4] = `CTHEAD^${s.description ?? 'CT head without contrast'}^L`;
  fields[16] = '4455^WELBY^MARCUS^J^JR^DR';
  fields[18] = s.accession ?? '';
  fields[19] = s.accession ? `RP-${s.accession}` : '';
  fields[20] = s.accession ? `SPS-${s.accession}` : '';
  fields[24] = s.section ?? 'CT';
  fields[44] = `RPC1^${s.description ?? 'CT head without contrast'}^L`;
  return fields.join('|');
}

export function radiologyOrm(s: RadiologyOrderSpec): string {
  return [
    `MSH|^~\\&|RIS|HOSP|SWITCHBOARD|HOSP|20260301080000||ORM^O01^ORM_O01|${s.controlId}|P|2.5.1`,
    `PID|1||${s.mrn ?? 'MRN100'}^^^HOSP^MR~SSN-1^^^SSA^SS||${s.family ?? 'DOE'}^JANE^Q^^MRS||19750412|F`,
    `ORC|${s.control}|${s.placer}^RIS|||${s.statusCode ?? ''}|||||||4455^WELBY^MARCUS`,
    ...(s.withObr === false ? [] : [`TQ1|1||||||${s.start ?? '20260302093000'}`, obr(s)]),
    '',
  ].join('\r');
}
