import { describe, expect, it } from 'vitest';
import { defaultFrameMedia, isVideoSyntax, negotiateFrameMedia } from './frame-media.ts';

const JPEG = '1.2.840.10008.1.2.4.50';
const RLE = '1.2.840.10008.1.2.5';
const native = defaultFrameMedia('1.2.840.10008.1.2', false);
const jpeg = defaultFrameMedia(JPEG, true);

describe('frame media types', () => {
  it('labels native frames octet-stream little endian, compressed ones by their syntax (PS3.18 8.7.3)', () => {
    expect(native).toEqual({ type: 'application/octet-stream', transferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(jpeg).toEqual({ type: 'image/jpeg', transferSyntaxUid: JPEG });
    expect(defaultFrameMedia('1.2.840.10008.1.2.4.80', true).type).toBe('image/jls');
    expect(defaultFrameMedia('1.2.840.10008.1.2.4.90', true).type).toBe('image/jp2');
    expect(defaultFrameMedia(RLE, true).type).toBe('image/dicom-rle');
    expect(defaultFrameMedia('1.2.840.10008.1.2.1.98', true).type).toBe('application/octet-stream');
    expect(isVideoSyntax('1.2.840.10008.1.2.4.102')).toBe(true);
    expect(isVideoSyntax('1.2.840.10008.1.2.4.50')).toBe(false);
  });

  it('serves what is stored when the client takes it, or says nothing', () => {
    expect(negotiateFrameMedia(undefined, jpeg)).toEqual(jpeg);
    expect(negotiateFrameMedia('*/*', jpeg)).toEqual(jpeg);
    expect(negotiateFrameMedia('multipart/related; type="image/jpeg"', jpeg)).toEqual(jpeg);
    expect(
      negotiateFrameMedia(`multipart/related; type="image/jpeg"; transfer-syntax=${JPEG}`, jpeg),
    ).toEqual(jpeg);
    expect(negotiateFrameMedia('multipart/related; type="application/octet-stream"', native)).toEqual(native);
    expect(
      negotiateFrameMedia('multipart/related; type="application/octet-stream"; transfer-syntax=*', native),
    ).toEqual(native);
  });

  it('serves compressed frames as octet-stream only when the client names their syntax or *', () => {
    expect(
      negotiateFrameMedia(
        `multipart/related; type="application/octet-stream"; transfer-syntax=${JPEG}`,
        jpeg,
      ),
    ).toEqual({ type: 'application/octet-stream', transferSyntaxUid: JPEG });
    // octet-stream without a syntax means 1.2.840.10008.1.2.1: decompressed, which we do not do.
    expect(negotiateFrameMedia('multipart/related; type="application/octet-stream"', jpeg)).toBeNull();
  });

  it('refuses another syntax or media type (406), but takes a later acceptable entry', () => {
    expect(negotiateFrameMedia('multipart/related; type="image/jp2"', jpeg)).toBeNull();
    expect(negotiateFrameMedia('multipart/related; type="image/jpeg"', native)).toBeNull();
    expect(
      negotiateFrameMedia(
        'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.70',
        jpeg,
      ),
    ).toBeNull();
    expect(negotiateFrameMedia('image/jpeg', jpeg)).toBeNull();
    expect(negotiateFrameMedia('multipart/related; type="image/jpeg"; q=0', jpeg)).toBeNull();
    expect(
      negotiateFrameMedia('multipart/related; type="image/jp2", multipart/related; type="image/jpeg"', jpeg),
    ).toEqual(jpeg);
  });
});
