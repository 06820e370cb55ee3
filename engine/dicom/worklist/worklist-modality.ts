/**
 * The DICOM modality of an order from OBR-24 (diagnostic service section ID). IHE Radiology
 * (RAD-2/RAD-4) sends the DICOM modality itself there, so a DICOM modality code is taken as is.
 * Table 0074 codes with one clear DICOM counterpart are mapped (NMR -> MR, NMS -> NM, VUS and
 * OUS -> US; CT and US are the same in both). Others (RAD, RX, XRC, lab sections) need the
 * destination's `modalities` option, or `defaultModality`.
 */

/** DICOM modality defined terms (PS3.3 C.7.3.1.1.1) a worklist item is commonly scheduled for. */
const DICOM_MODALITIES = new Set([
  'AR',
  'AS',
  'BDUS',
  'BI',
  'BMD',
  'CR',
  'CT',
  'DG',
  'DX',
  'ECG',
  'EPS',
  'ES',
  'GM',
  'HD',
  'IO',
  'IVOCT',
  'IVUS',
  'KER',
  'LEN',
  'LS',
  'MG',
  'MR',
  'NM',
  'OAM',
  'OCT',
  'OP',
  'OPM',
  'OPT',
  'OPTBSV',
  'OPTENF',
  'OPV',
  'OSS',
  'OT',
  'PT',
  'PX',
  'RF',
  'RG',
  'SM',
  'SRF',
  'TG',
  'US',
  'VA',
  'XA',
  'XC',
]);

const TABLE_0074: Readonly<Record<string, string>> = { NMR: 'MR', NMS: 'NM', VUS: 'US', OUS: 'US' };

/** The modality for an OBR-24 value: the option's table first, then the built-in one; null if none. */
export function modalityFor(section: string, table: Readonly<Record<string, string>>): string | null {
  if (section === '') return null;
  const s = section.toUpperCase();
  return table[section] ?? table[s] ?? TABLE_0074[s] ?? (DICOM_MODALITIES.has(s) ? s : null);
}
