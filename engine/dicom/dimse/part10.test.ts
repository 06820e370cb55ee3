import { describe, expect, it } from 'vitest';
import { IMPLEMENTATION_CLASS_UID, encodeFileMeta, part10DatasetOffset, part10Header } from './part10.ts';
import { isUid } from './uids.ts';

const meta = {
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: '1.2.3.4.5',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  sourceAeTitle: 'CT1',
};

describe('Part-10 wrapping', () => {
  it('writes preamble, DICM, a meta group whose length is right, then the dataset untouched', () => {
    const dataset = [Buffer.from([0x08, 0x00, 0x18, 0x00]), Buffer.from('rest-of-dataset')];
    const file = Buffer.concat([part10Header(meta), ...dataset]);
    expect(file.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(file.toString('latin1', 128, 132)).toBe('DICM');
    const offset = part10DatasetOffset(file);
    expect(file.subarray(offset)).toEqual(Buffer.concat(dataset));
    expect(offset).toBe(132 + encodeFileMeta(meta).length);
  });

  it('pads UIDs with NUL and AE titles with a space to even lengths', () => {
    const encoded = encodeFileMeta(meta);
    // 1.2.3.4.5 is 9 characters: stored as 10 with a trailing NUL.
    const at = encoded.indexOf(Buffer.from('1.2.3.4.5'));
    expect(encoded.readUInt16LE(at - 2)).toBe(10);
    expect(encoded[at + 9]).toBe(0);
    const ae = encoded.indexOf(Buffer.from('CT1 '));
    expect(encoded.readUInt16LE(ae - 2)).toBe(4);
  });

  it('refuses values that are not UIDs', () => {
    expect(() => encodeFileMeta({ ...meta, sopInstanceUid: '1.2.03' })).toThrow(/SOP instance UID/);
    expect(() => encodeFileMeta({ ...meta, transferSyntaxUid: '' })).toThrow(/transfer syntax/);
  });

  it('has a valid implementation class UID', () => {
    expect(isUid(IMPLEMENTATION_CLASS_UID)).toBe(true);
  });

  it('rejects files without DICM or a group length', () => {
    expect(() => part10DatasetOffset(Buffer.alloc(200))).toThrow(/not a Part-10/);
  });
});
