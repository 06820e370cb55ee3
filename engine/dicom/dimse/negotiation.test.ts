import { describe, expect, it } from 'vitest';
import { VERIFICATION_SOP_CLASS_UID, decideContext } from './negotiation.ts';
import { TransferSyntax as TS } from './uids.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';

describe('decideContext', () => {
  it('takes the first proposed transfer syntax we support, in the proposer order', () => {
    expect(decideContext(CT, ['1.2.3.4', TS.Jpeg2000Lossless, TS.ExplicitVRLittleEndian])).toEqual({
      result: 'accept',
      transferSyntaxUid: TS.Jpeg2000Lossless,
    });
  });

  it('takes explicit big endian only when nothing else is acceptable', () => {
    expect(decideContext(CT, [TS.ExplicitVRBigEndian, TS.ImplicitVRLittleEndian])).toEqual({
      result: 'accept',
      transferSyntaxUid: TS.ImplicitVRLittleEndian,
    });
    expect(decideContext(CT, [TS.ExplicitVRBigEndian])).toEqual({
      result: 'accept',
      transferSyntaxUid: TS.ExplicitVRBigEndian,
    });
  });

  it('accepts every storage transfer syntax of the brief', () => {
    for (const ts of Object.values(TS)) {
      expect(decideContext('1.2.840.10008.5.1.4.1.1.481.5', [ts])).toEqual({
        result: 'accept',
        transferSyntaxUid: ts,
      });
    }
  });

  it('accepts verification with uncompressed syntaxes only', () => {
    expect(decideContext(VERIFICATION_SOP_CLASS_UID, [TS.ImplicitVRLittleEndian])).toMatchObject({
      result: 'accept',
    });
    expect(decideContext(VERIFICATION_SOP_CLASS_UID, [TS.JpegBaseline])).toEqual({
      result: 'transfer-syntaxes-not-supported',
    });
  });

  it('accepts storage classes outside the storage root from the table, and rejects non-storage classes', () => {
    expect(decideContext('1.2.840.10008.5.1.4.38.1', [TS.ExplicitVRLittleEndian])).toMatchObject({
      result: 'accept',
    });
    // Storage Commitment Push Model and General Purpose Worklist FIND (retired): not served.
    expect(decideContext('1.2.840.10008.1.20.1', [TS.ExplicitVRLittleEndian])).toEqual({
      result: 'abstract-syntax-not-supported',
    });
    expect(decideContext('1.2.840.10008.5.1.4.32.1', [TS.ExplicitVRLittleEndian])).toEqual({
      result: 'abstract-syntax-not-supported',
    });
    expect(decideContext(CT, ['1.2.840.10008.1.2.4.100'])).toEqual({
      result: 'transfer-syntaxes-not-supported',
    });
  });
});
