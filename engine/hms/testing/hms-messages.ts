/** Small HL7 v2 messages for the HMS tests (segments end with \r, as on the wire). */

export interface AdtSpec {
  readonly trigger: string;
  readonly controlId?: string;
  /** EVN-2, also MSH-7 (yyyyMMddHHmm). */
  readonly at: string;
  readonly mrn?: string;
  readonly visit?: string;
  /** PV1-3 as unit^room^bed. */
  readonly location?: string;
  readonly patientClass?: string;
  readonly family?: string;
  readonly extraSegments?: readonly string[];
}

function msh(type: string, controlId: string, at: string): string {
  return `MSH|^~\\&|REGADT|MCM|SWITCHBOARD|HOSP|${at}||${type}|${controlId}|P|2.5.1`;
}

export function adt(s: AdtSpec): string {
  const mrn = s.mrn ?? '100001';
  const segments = [
    msh(`ADT^${s.trigger}^ADT_A01`, s.controlId ?? `${s.trigger}-${s.at}`, s.at),
    `EVN|${s.trigger}|${s.at}`,
    `PID|1||${mrn}^^^MCM^MR||${s.family ?? 'EVERYWOMAN'}^EVE^E||19800101|F`,
    `PV1|1|${s.patientClass ?? 'I'}|${s.location ?? ''}||||||||||||||||${s.visit ?? `V${mrn}`}`,
    ...(s.extraSegments ?? []),
  ];
  return `${segments.join('\r')}\r`;
}

/** A40: survivor MRN in PID-3, prior MRN in MRG-1. */
export function a40(at: string, survivorMrn: string, priorMrn: string): string {
  return [
    msh('ADT^A40^ADT_A39', `A40-${at}`, at),
    `EVN|A40|${at}`,
    `PID|1||${survivorMrn}^^^MCM^MR||SURVIVOR^SAM`,
    `MRG|${priorMrn}^^^MCM^MR`,
    '',
  ].join('\r');
}

export function orm(
  at: string,
  control: string,
  placer: string,
  options: { status?: string; mrn?: string } = {},
): string {
  return [
    msh('ORM^O01^ORM_O01', `ORM-${control}-${at}`, at),
    `PID|1||${options.mrn ?? '100001'}^^^MCM^MR||EVERYWOMAN^EVE`,
    `ORC|${control}|${placer}^OE|||${options.status ?? ''}||||${at}`,
    `OBR|1|${placer}^OE||2345-7^Glucose^LN`,
    '',
  ].join('\r');
}

/** ORU with one OBR (placer number) and the given OBX lines (without the OBX| prefix numbers). */
export function oru(at: string, placer: string, obx: readonly string[], resultStatus = 'F'): string {
  return [
    msh('ORU^R01^ORU_R01', `ORU-${resultStatus}-${at}`, at),
    'PID|1||100001^^^MCM^MR||EVERYWOMAN^EVE',
    obr(placer, at, resultStatus),
    ...obx.map((o, i) => `OBX|${i + 1}|${o}`),
    '',
  ].join('\r');
}

function obr(placer: string, at: string, resultStatus: string): string {
  const fields = Array.from({ length: 26 }, () => '');
  fields[0] = 'OBR';
  fields[1] = '1';
  fields[2] = `${placer}^OE`;
  fields[3] = `F-${placer}^LAB`;
  fields[4] = '24323-8^Comprehensive metabolic panel^LN';
  fields[7] = at;
  fields[25] = resultStatus;
  return fields.join('|');
}
