/**
 * Accept header negotiation for DICOMweb: what a client will take for WADO-RS retrieve (multipart of
 * application/dicom, optionally with a transfer-syntax) and for JSON answers (QIDO-RS, metadata).
 * We never transcode, so a transfer syntax other than the stored one (or `*`) cannot be served.
 */
import { parseMediaType, splitOutsideQuotes, type MediaType } from './multipart.ts';

function acceptedTypes(header: string | undefined): MediaType[] | null {
  if (header === undefined || header.trim() === '') return null;
  return splitOutsideQuotes(header, ',')
    .map((part) => parseMediaType(part))
    .filter((t): t is MediaType => t !== null && t.params.q !== '0' && !/^0(\.0*)?$/.test(t.params.q ?? ''));
}

/** True when the client takes JSON (application/dicom+json, application/json, or a wildcard). */
export function acceptsDicomJson(header: string | undefined): boolean {
  const types = acceptedTypes(header);
  if (types === null) return true;
  return types.some((t) =>
    ['*/*', 'application/*', 'application/dicom+json', 'application/json'].includes(t.essence),
  );
}

/**
 * For a retrieve: null when the client takes no multipart/related of application/dicom; otherwise
 * the transfer syntax it asks for ('*' when any, which includes not saying).
 */
export function acceptedDicomTransferSyntax(header: string | undefined): string | null {
  const types = acceptedTypes(header);
  if (types === null) return '*';
  for (const t of types) {
    if (t.essence === '*/*' || t.essence === 'multipart/*') return '*';
    if (t.essence !== 'multipart/related') continue;
    const type = t.params.type?.toLowerCase();
    if (type === undefined || type === 'application/dicom') return t.params['transfer-syntax'] ?? '*';
  }
  return null;
}
