/** multipart/related encoding and decoding, and the QIDO-RS parameter parser, without a server. */
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { acceptedDicomTransferSyntax, acceptsDicomJson } from './accept.ts';
import {
  decodeMultipart,
  encodeMultipart,
  MultipartError,
  multipartStream,
  parseMediaType,
} from './multipart.ts';
import { parseQidoQuery, QidoQueryError } from './qido-query.ts';

describe('multipart/related', () => {
  it('round-trips parts byte for byte, including CRLF and boundary-like bytes inside a part', async () => {
    const tricky = Buffer.from('\r\n--b\r\nnot a boundary\r\n--bx\r\n\0\xff', 'latin1');
    const parts = [
      { contentType: 'application/dicom', body: tricky },
      { contentType: 'application/dicom', body: Buffer.alloc(0) },
    ];
    const decoded = decodeMultipart(encodeMultipart('bb', parts), 'bb');
    expect(decoded.map((p) => p.body.equals(tricky))).toEqual([true, false]);
    expect(decoded[1]!.body.length).toBe(0);
    expect(decoded[0]!.contentType?.essence).toBe('application/dicom');
    const streamed = Buffer.from(
      await text(
        multipartStream(
          'bb',
          (async function* () {
            yield* parts;
          })(),
        ),
      ),
      'utf8',
    );
    expect(decodeMultipart(streamed, 'bb')).toHaveLength(2);
  });

  it('skips a preamble, takes a part without headers, and refuses a body without the boundary', () => {
    const body = Buffer.from(
      'preamble\r\n--q\r\n\r\nABC\r\n--q\r\nContent-Type: x/y\r\n\r\nD\r\n--q--\r\nepilogue',
    );
    const parts = decodeMultipart(body, 'q');
    expect(parts.map((p) => p.body.toString())).toEqual(['ABC', 'D']);
    expect(parts[0]!.contentType).toBeNull();
    expect(() => decodeMultipart(Buffer.from('nothing here'), 'q')).toThrow(MultipartError);
    expect(() => decodeMultipart(Buffer.from('--q\r\n\r\nABC'), 'q')).toThrow(MultipartError);
  });

  it('parses media types with quoted parameters', () => {
    expect(parseMediaType('Multipart/Related; type="application/dicom"; boundary="a;b"')).toEqual({
      essence: 'multipart/related',
      params: { type: 'application/dicom', boundary: 'a;b' },
    });
    expect(parseMediaType('nonsense')).toBeNull();
  });
});

describe('Accept', () => {
  it('negotiates retrieve and JSON answers', () => {
    expect(acceptedDicomTransferSyntax(undefined)).toBe('*');
    expect(
      acceptedDicomTransferSyntax('multipart/related; type="application/dicom"; transfer-syntax=1.2.3'),
    ).toBe('1.2.3');
    expect(acceptedDicomTransferSyntax('image/jpeg')).toBeNull();
    expect(acceptedDicomTransferSyntax('multipart/related; type="application/octet-stream"')).toBeNull();
    expect(acceptsDicomJson('application/dicom+json')).toBe(true);
    expect(acceptsDicomJson('text/html, application/json;q=0')).toBe(false);
  });
});

describe('QIDO-RS query', () => {
  it('maps keywords and tags to index filters', () => {
    const q = parseQidoQuery('study', [
      ['PatientName', 'SMI*'],
      ['00100020', 'P1'],
      ['StudyDate', '20200101-'],
      ['ModalitiesInStudy', 'CT,MR'],
      ['StudyInstanceUID', '1.2,1.3'],
      ['limit', '5000'],
      ['includefield', 'all'],
      ['fuzzymatching', 'false'],
    ]);
    expect(q.filter).toMatchObject({
      patientName: 'SMI*',
      patientId: 'P1',
      studyDate: '20200101-',
      modalitiesInStudy: ['CT', 'MR'],
      studyInstanceUid: ['1.2', '1.3'],
      limit: 1000,
    });
    expect(q.includeFields).toBe('all');
    expect(q.ignored).toEqual(['fuzzymatching']);
  });

  it('refuses keys the level cannot match, contradictions of the path, and bad numbers', () => {
    expect(() => parseQidoQuery('series', [['PatientID', 'x']])).toThrow(QidoQueryError);
    expect(() =>
      parseQidoQuery('series', [['StudyInstanceUID', '1.2']], { studyInstanceUid: '1.3' }),
    ).toThrow(QidoQueryError);
    expect(() => parseQidoQuery('study', [['offset', '-1']])).toThrow(QidoQueryError);
    expect(
      parseQidoQuery('instance', [], { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3' }).filter,
    ).toMatchObject({
      studyInstanceUid: '1.2',
      seriesInstanceUid: '1.2.3',
    });
  });
});
