/**
 * dcmjs dataset -> DICOM JSON (PS3.18 F.2) without bulk data, for the index's jsonb column and
 * later for WADO-RS metadata / QIDO-RS answers.
 *
 * Binary values (OB, OD, OF, OL, OV, OW, UN) up to BULK_DATA_THRESHOLD bytes are kept inline
 * (InlineBinary, base64); larger ones become a relative `BulkDataURI` ("bulkdata/<tag path>") that
 * the DICOMweb layer resolves against the instance URL. Pixel Data is never read (see dcmjs-reader)
 * and always appears as such a placeholder. Strings lose NUL characters (PostgreSQL text and jsonb
 * reject them); group length elements (gggg0000) are dropped.
 */
import type { DcmjsDataset, DcmjsElement } from './dcmjs-reader.ts';

export const BULK_DATA_THRESHOLD = 1024;

export interface DicomJsonPersonName {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

export type DicomJsonValue = string | number | null | DicomJsonPersonName | DicomJsonDataset;

export interface DicomJsonElement {
  vr: string;
  Value?: DicomJsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

export type DicomJsonDataset = { [tag: string]: DicomJsonElement };

export const BINARY_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const NUMBER_VRS = new Set(['DS', 'IS', 'FL', 'FD', 'SL', 'SS', 'UL', 'US', 'SV', 'UV']);

const clean = (s: string): string => s.replace(/\0/g, '');

export function toDicomJson(dataset: DcmjsDataset, path: readonly string[] = []): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const [tag, element] of Object.entries(dataset)) {
    if (typeof element.vr !== 'string' || !Array.isArray(element.Value)) continue;
    if (tag.endsWith('0000')) continue;
    out[tag] = convertElement(element, [...path, tag]);
  }
  return out;
}

function convertElement(element: DcmjsElement, path: readonly string[]): DicomJsonElement {
  const vr = element.vr;
  const values = element.Value ?? [];
  if (BINARY_VRS.has(vr)) return binaryElement(vr, values, path);
  if (vr === 'SQ') {
    const items = values.map((item, i) =>
      isDataset(item) ? toDicomJson(item, [...path, String(i)]) : ({} as DicomJsonDataset),
    );
    return items.length > 0 ? { vr, Value: items } : { vr };
  }
  const converted = values.map((v) => convertValue(vr, v));
  if (converted.every((v) => v === null)) return { vr };
  return { vr, Value: converted };
}

function convertValue(vr: string, value: unknown): DicomJsonValue {
  if (value === null || value === undefined) return null;
  if (vr === 'PN') {
    if (typeof value === 'string') return value === '' ? null : { Alphabetic: clean(value) };
    if (typeof value === 'object') {
      const pn: DicomJsonPersonName = {};
      for (const group of ['Alphabetic', 'Ideographic', 'Phonetic'] as const) {
        const part = (value as Record<string, unknown>)[group];
        if (typeof part === 'string' && part !== '') pn[group] = clean(part);
      }
      return Object.keys(pn).length > 0 ? pn : null;
    }
    return null;
  }
  if (vr === 'AT' && typeof value === 'number') return value.toString(16).toUpperCase().padStart(8, '0');
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return NUMBER_VRS.has(vr) ? value.toString() : null;
  if (typeof value === 'string') {
    const s = clean(value);
    if (s === '') return null;
    if (vr === 'DS' || vr === 'IS') {
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    return s;
  }
  return null;
}

function binaryElement(vr: string, values: readonly unknown[], path: readonly string[]): DicomJsonElement {
  const chunks = values.flatMap((v) => {
    if (v instanceof ArrayBuffer) return [new Uint8Array(v)];
    if (ArrayBuffer.isView(v)) return [new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];
    return [];
  });
  const length = chunks.reduce((n, c) => n + c.byteLength, 0);
  if (length === 0) return { vr };
  if (length > BULK_DATA_THRESHOLD) return { vr, BulkDataURI: bulkDataUri(path) };
  return { vr, InlineBinary: Buffer.concat(chunks).toString('base64') };
}

export const bulkDataUri = (path: readonly string[]): string => `bulkdata/${path.join('/')}`;

function isDataset(v: unknown): v is DcmjsDataset {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ArrayBuffer);
}
