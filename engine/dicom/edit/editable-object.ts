/**
 * A Part-10 object opened for editing: parse once, let every compiled edit change it in order,
 * write once. The pixel data (the raw tail, see part10-split.ts) is never decoded or rewritten, and
 * the transfer syntax is the input's. After writing, the result is walked structurally again, so a
 * broken object is an error here rather than at the receiver.
 */
import { checkDatasetStructure } from '../part10-structure.ts';
import { datasetEncoding, readDataset, writeDataset, type EditDataset } from './dcmjs-codec.ts';
import { joinPart10, splitPart10, uiValue, type MetaElement, type TailElement } from './part10-split.ts';
import { DicomEditError } from './types.ts';

export interface EditableObject {
  preamble: Buffer;
  meta: MetaElement[];
  readonly transferSyntaxUid: string;
  readonly dataset: EditDataset;
  tail: TailElement[];
}

export type ObjectEdit = (object: EditableObject) => void;

export function openObject(part10: Buffer): EditableObject {
  const parts = splitPart10(part10);
  let dataset: EditDataset;
  try {
    dataset = readDataset(parts.head, datasetEncoding(parts.transferSyntaxUid));
  } catch (err) {
    throw new DicomEditError(`dataset cannot be parsed: ${(err as Error).message}`);
  }
  return {
    preamble: parts.preamble,
    meta: [...parts.meta],
    transferSyntaxUid: parts.transferSyntaxUid,
    dataset,
    tail: [...parts.tail],
  };
}

/** The first value of a string element, e.g. SOPInstanceUID. */
export function firstString(dataset: EditDataset, tag: string): string | undefined {
  const v = dataset[tag]?.Value?.[0];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * PS3.10 7.1: Media Storage SOP Class/Instance UID equal the dataset's SOP Class/Instance UID;
 * kept so after any edit that changed them.
 */
function syncMeta(object: EditableObject): MetaElement[] {
  const follow: Record<string, string> = { '00020002': '00080016', '00020003': '00080018' };
  return object.meta.map((e) => {
    const source = follow[e.tag];
    const uid = source ? firstString(object.dataset, source) : undefined;
    return uid ? { tag: e.tag, vr: 'UI', value: uiValue(uid) } : e;
  });
}

/** Group lengths (gggg,0000) are retired (PS3.5 7.2) and would be wrong after an edit: dropped everywhere. */
function dropGroupLengths(dataset: EditDataset): void {
  for (const [tag, element] of Object.entries(dataset)) {
    if (tag.endsWith('0000')) delete dataset[tag];
    else if (element.vr === 'SQ') {
      for (const item of element.Value ?? [])
        if (item && typeof item === 'object') dropGroupLengths(item as EditDataset);
    }
  }
}

export function writeObject(object: EditableObject): Buffer {
  dropGroupLengths(object.dataset);
  const encoding = datasetEncoding(object.transferSyntaxUid);
  let head: Buffer;
  try {
    head = writeDataset(object.dataset, encoding);
  } catch (err) {
    throw new DicomEditError(`edited dataset cannot be written: ${(err as Error).message}`);
  }
  const dataset = Buffer.concat([head, ...object.tail.map((e) => e.bytes)]);
  const out = joinPart10(object.preamble, syncMeta(object), object.transferSyntaxUid, dataset);
  // 128 preamble + "DICM" + (0002,0000) UL (12 bytes, its value at 140) + the meta it counts.
  const datasetOffset = 144 + out.readUInt32LE(140);
  const problem = checkDatasetStructure(out, datasetOffset, object.transferSyntaxUid);
  if (problem) throw new DicomEditError(`edited object is malformed: ${problem.message}`);
  return out;
}
