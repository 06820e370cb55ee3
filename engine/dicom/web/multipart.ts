/**
 * multipart/related (RFC 2387) as DICOMweb uses it: WADO-RS answers and STOW-RS requests carry one
 * DICOM Part-10 object per part. Encoding streams the parts (a study can be large); decoding works on
 * the buffered request body and returns views into it, so part bytes are never copied or altered.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface MediaType {
  /** Lower-cased `type/subtype`. */
  readonly essence: string;
  /** Parameter names lower-cased; values unquoted, case kept. */
  readonly params: Readonly<Record<string, string>>;
}

export interface MultipartPart {
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: MediaType | null;
  readonly body: Buffer;
}

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses `type/subtype; a=b; c="d e"`; null when there is no `type/subtype`. */
export function parseMediaType(header: string | undefined): MediaType | null {
  if (!header) return null;
  const [head = '', ...rest] = splitOutsideQuotes(header, ';');
  const essence = head.trim().toLowerCase();
  if (!/^[^/\s]+\/[^/\s]+$/.test(essence)) return null;
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    if (name !== '') params[name] = value;
  }
  return { essence, params };
}

/** Splits on `sep` outside double quotes (Accept lists, parameter lists). */
export function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && quoted && i + 1 < s.length) {
      current += c + s[i + 1];
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === sep && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** A parameter value, quoted unless it is a plain token. */
export function paramValue(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function newBoundary(): string {
  return `switchboard-${randomBytes(12).toString('hex')}`;
}

export interface OutgoingPart {
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * The multipart body as a stream: `parts` is pulled one at a time, so only one part is in memory.
 * A failure while pulling ends the stream with that error (the answer is then cut short).
 */
export function multipartStream(boundary: string, parts: AsyncIterable<OutgoingPart>): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const part of parts) {
      const lines = [`--${boundary}`, `Content-Type: ${part.contentType}`];
      for (const [name, value] of Object.entries(part.headers ?? {})) lines.push(`${name}: ${value}`);
      lines.push(`Content-Length: ${part.body.length}`, '', '');
      yield Buffer.from(lines.join('\r\n'), 'latin1');
      yield part.body;
      yield Buffer.from('\r\n', 'latin1');
    }
    yield Buffer.from(`--${boundary}--\r\n`, 'latin1');
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The whole multipart body in one buffer (STOW-RS clients, tests). */
export function encodeMultipart(boundary: string, parts: readonly OutgoingPart[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const lines = [`--${boundary}`, `Content-Type: ${part.contentType}`];
    for (const [name, value] of Object.entries(part.headers ?? {})) lines.push(`${name}: ${value}`);
    lines.push('', '');
    chunks.push(Buffer.from(lines.join('\r\n'), 'latin1'), part.body, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/**
 * Splits a multipart body into its parts. The boundary is the one in the Content-Type; a delimiter
 * is CRLF + `--boundary` (the first may be at the very start). Preamble and epilogue are ignored.
 */
export function decodeMultipart(body: Buffer, boundary: string): MultipartPart[] {
  if (boundary === '' || boundary.length > 70) {
    throw new MultipartError('multipart boundary is missing or longer than 70 characters');
  }
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let pos = 0;
  if (!body.subarray(0, dashBoundary.length).equals(dashBoundary)) {
    const first = body.indexOf(delimiter);
    if (first < 0) throw new MultipartError('no multipart boundary found in the body');
    pos = first + 2;
  }
  const parts: MultipartPart[] = [];
  for (;;) {
    const afterBoundary = pos + dashBoundary.length;
    if (body[afterBoundary] === 0x2d && body[afterBoundary + 1] === 0x2d) return parts; // close delimiter
    const lineEnd = body.indexOf('\r\n', afterBoundary, 'latin1');
    if (lineEnd < 0) throw new MultipartError('multipart body ends inside a boundary line');
    // Headers end at the first empty line; with no headers that is the boundary line's own CRLF.
    const headerEnd = body.indexOf('\r\n\r\n', lineEnd, 'latin1');
    if (headerEnd < 0) throw new MultipartError('multipart part has no end of headers');
    const start = headerEnd + 4;
    const next = body.indexOf(delimiter, headerEnd + 2);
    if (next < 0) throw new MultipartError('multipart body has no closing boundary');
    const headers = parseHeaders(body.toString('latin1', lineEnd + 2, Math.max(lineEnd + 2, headerEnd)));
    parts.push({
      headers,
      contentType: parseMediaType(headers['content-type']),
      body: body.subarray(Math.min(start, next), next),
    });
    pos = next + 2;
  }
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
