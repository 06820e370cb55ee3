/**
 * What dcmjs-dimse does not check in an A-ASSOCIATE-RQ (it reads past both): the protocol version,
 * of which bit 0 (version 1) must be set (PS3.8 9.3.2), and the application context name, which is
 * the DICOM one for every DICOM association (PS3.7 A.2.1). Refusals map to A-ASSOCIATE-RJ
 * result 1 (permanent) with source and reason as PS3.8 9.3.4 lists them.
 */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

export type AssociateRqProblem = 'protocol-version-not-supported' | 'application-context-not-supported';

/** A-ASSOCIATE-RJ source and reason (PS3.8 9.3.4, table 9-21). */
export const REJECT_SOURCE_AND_REASON: Readonly<
  Record<
    AssociateRqProblem | 'called-ae-not-recognized' | 'calling-ae-not-recognized' | 'no-reason-given',
    { readonly source: 1 | 2 | 3; readonly reason: number }
  >
> = {
  'no-reason-given': { source: 1, reason: 1 },
  'application-context-not-supported': { source: 1, reason: 2 },
  'calling-ae-not-recognized': { source: 1, reason: 3 },
  'called-ae-not-recognized': { source: 1, reason: 7 },
  // Source 2: DICOM UL service-provider (ACSE related function).
  'protocol-version-not-supported': { source: 2, reason: 2 },
};

/**
 * @param head the A-ASSOCIATE-RQ body from its first byte (protocol version), at least the fixed
 * 68 bytes and, when present, the first variable item.
 */
export function checkAssociateRqHead(head: Buffer): AssociateRqProblem | null {
  if (head.length < 2) return null; // dcmjs-dimse refuses what is too short to read
  if ((head.readUInt16BE(0) & 0x0001) === 0) return 'protocol-version-not-supported';
  // The application context item (type 0x10) is the first variable item in practice, and must be there.
  if (head.length >= 72 && head.readUInt8(68) === 0x10) {
    const length = head.readUInt16BE(70);
    const name = head.toString('latin1', 72, 72 + length).replace(/[\0 ]+$/, '');
    if (72 + length <= head.length && name !== DICOM_APPLICATION_CONTEXT) {
      return 'application-context-not-supported';
    }
  }
  return null;
}

/** A-ABORT reasons when the service provider aborts (PS3.8 9.3.8, table 9-26). */
export const ProviderAbortReason = {
  NotSpecified: 0,
  UnrecognizedPdu: 1,
  UnexpectedPdu: 2,
  InvalidPduParameter: 6,
} as const;

/** An A-ABORT PDU from us as the service provider (source 2). */
export function providerAbortPdu(reason: number): Buffer {
  return Buffer.from([0x07, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, reason]);
}
