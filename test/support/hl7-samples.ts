/** Small, explicit HL7 v2 messages for engine tests (segments end with \r, as on the wire). */
export interface AdtOptions {
  readonly controlId: string;
  readonly trigger?: string;
  readonly mrn?: string;
  readonly family?: string;
  readonly given?: string;
  readonly visit?: string;
  readonly msh15?: string;
  readonly msh16?: string;
  readonly version?: string;
  readonly sendingFacility?: string;
}

export function adtMessage(o: AdtOptions): string {
  const trigger = o.trigger ?? 'A01';
  const mrn = o.mrn ?? '100001';
  const msh = [
    'MSH',
    '^~\\&',
    'REGADT',
    o.sendingFacility ?? 'MCM',
    'SWITCHBOARD',
    'HOSP',
    '20261121093000',
    '',
    `ADT^${trigger}^ADT_A01`,
    o.controlId,
    'P',
    o.version ?? '2.5.1',
    '',
    '',
    o.msh15 ?? '',
    o.msh16 ?? '',
  ];
  const segments = [
    msh.join('|').replace(/\|+$/, ''),
    `EVN|${trigger}|20261121093000`,
    `PID|1||${mrn}^^^MCM^MR||${o.family ?? 'EVERYWOMAN'}^${o.given ?? 'EVE'}^E||19800101|F|||1 MAIN ST^^ANYTOWN^CA^90210||^PRN^PH^^^555^5551234`,
    `PV1|1|I|W4^401^1^MCM||||1234^ATTEND^ANNE|||MED||||ADM|||||${o.visit ?? `V${mrn}`}|||||||||||||||||||||||||20261121090000`,
  ];
  return `${segments.join('\r')}\r`;
}

/** MSA-1 and MSA-2 of an ACK, and its ERR segment if any. */
export function readAck(ack: Buffer | string): {
  code: string;
  controlId: string;
  err: string | null;
  text: string;
} {
  const text = Buffer.isBuffer(ack) ? ack.toString('utf8') : ack;
  const segments = text.split(/\r|\n/).filter(Boolean);
  const msa = segments.find((s) => s.startsWith('MSA'));
  const fieldSep = text[3] ?? '|';
  const fields = msa?.split(fieldSep) ?? [];
  return {
    code: fields[1] ?? '',
    controlId: fields[2] ?? '',
    err: segments.find((s) => s.startsWith('ERR')) ?? null,
    text,
  };
}
