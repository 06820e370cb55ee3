/**
 * Media types of retrieved frames (PS3.18 8.7.3, Tables 8.7.3-2 and 8.7.3-5) and the Accept header
 * negotiation for them. Frames are served as stored, never transcoded: native pixel data as
 * application/octet-stream (1.2.840.10008.1.2.1), compressed pixel data with the media type of its
 * transfer syntax, or as application/octet-stream when the client names that transfer syntax (or *).
 */
import { parseMediaType, splitOutsideQuotes, type MediaType } from './multipart.ts';

export const OCTET_STREAM = 'application/octet-stream';
/** What native frames are labelled with: little endian, whatever the stored object's VR encoding. */
export const NATIVE_FRAME_SYNTAX = '1.2.840.10008.1.2.1';

const JPEG = [
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
];
const COMPRESSED: Readonly<Record<string, string>> = {
  ...Object.fromEntries(JPEG.map((ts) => [ts, 'image/jpeg'])),
  '1.2.840.10008.1.2.4.80': 'image/jls',
  '1.2.840.10008.1.2.4.81': 'image/jls',
  '1.2.840.10008.1.2.4.90': 'image/jp2',
  '1.2.840.10008.1.2.4.91': 'image/jp2',
  '1.2.840.10008.1.2.4.92': 'image/jpx',
  '1.2.840.10008.1.2.4.93': 'image/jpx',
  '1.2.840.10008.1.2.4.201': 'image/jphc',
  '1.2.840.10008.1.2.4.202': 'image/jphc',
  '1.2.840.10008.1.2.4.203': 'image/jphc',
  '1.2.840.10008.1.2.5': 'image/dicom-rle',
};

/** MPEG-2, MPEG-4, HEVC (PS3.5 A.4.7-A.4.13): one stream for all frames, no frame is a fragment. */
export function isVideoSyntax(transferSyntaxUid: string): boolean {
  return /^1\.2\.840\.10008\.1\.2\.4\.1(0[0-9]|1[0-9])$/.test(transferSyntaxUid);
}

export interface FrameMedia {
  /** Content-Type of each part (and the multipart's `type`). */
  readonly type: string;
  readonly transferSyntaxUid: string;
}

/** What we serve when the client does not say: the frames' own media type. */
export function defaultFrameMedia(storedSyntax: string, encapsulated: boolean): FrameMedia {
  if (!encapsulated) return { type: OCTET_STREAM, transferSyntaxUid: NATIVE_FRAME_SYNTAX };
  return { type: COMPRESSED[storedSyntax] ?? OCTET_STREAM, transferSyntaxUid: storedSyntax };
}

function acceptedTypes(header: string | undefined): MediaType[] | null {
  if (header === undefined || header.trim() === '') return null;
  return splitOutsideQuotes(header, ',')
    .map((part) => parseMediaType(part))
    .filter((t): t is MediaType => t !== null && !/^0(\.0*)?$/.test(t.params.q ?? ''));
}

/**
 * The media the first acceptable Accept entry allows, or null (a 406): only multipart/related is
 * served, and only the stored transfer syntax (native frames: 1.2.840.10008.1.2.1).
 */
export function negotiateFrameMedia(accept: string | undefined, served: FrameMedia): FrameMedia | null {
  const types = acceptedTypes(accept);
  if (types === null) return served;
  for (const t of types) {
    if (t.essence === '*/*' || t.essence === 'multipart/*') return served;
    if (t.essence !== 'multipart/related') continue;
    const type = t.params.type?.toLowerCase();
    const syntax = t.params['transfer-syntax'];
    const sameSyntax = syntax === '*' || syntax === served.transferSyntaxUid;
    if (type === undefined || type === '*/*' || type === served.type) {
      if (syntax === undefined || sameSyntax) return served;
    } else if (type === OCTET_STREAM && sameSyntax) {
      // Compressed frames as octet-stream: allowed when the client names their syntax (or *).
      return { type: OCTET_STREAM, transferSyntaxUid: served.transferSyntaxUid };
    }
  }
  return null;
}
