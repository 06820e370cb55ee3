import { splitBatch } from '../hl7/batch.ts';
import { formatTimestamp } from '../hl7/ack.ts';
import { ingestHl7, type Hl7IngestDeps, type SourceInfo } from './hl7-ingest.ts';

/** A frame that holds an HL7 batch (chapter 2.10.3): it starts with FHS or BHS, not MSH. */
export function isBatchFrame(frame: Buffer): boolean {
  let i = frame.length >= 3 && frame[0] === 0xef && frame[1] === 0xbb && frame[2] === 0xbf ? 3 : 0;
  while (i < frame.length && (frame[i] === 0x0d || frame[i] === 0x0a || frame[i] === 0x20)) i++;
  const id = frame.toString('latin1', i, i + 3);
  return id === 'FHS' || id === 'BHS';
}

/** Header segment fields 3..6 (sending/receiving application and facility) and its delimiters. */
function headerParts(line: string | null): { field: string; encoding: string; fields: string[] } {
  if (!line || line.length < 8) return { field: '|', encoding: '^~\\&', fields: [] };
  const field = line[3]!;
  const parts = line.split(field);
  return { field, encoding: parts[1] ?? '^~\\&', fields: parts };
}

/** One frame in: a batch (answered with a batch of ACKs) or a single message. */
export function ingestHl7Frame(frame: Buffer, source: SourceInfo, deps: Hl7IngestDeps): Promise<Buffer[]> {
  return isBatchFrame(frame) ? ingestHl7Batch(frame, source, deps) : ingestHl7(frame, source, deps);
}

/**
 * One MLLP frame holding a batch: every message in it is judged, stored and acknowledged on its
 * own (exactly as if sent one by one: dedup, per-patient order), and the sender gets one batch of
 * acknowledgments back, [FHS] BHS {ACK} BTS [FTS], in message order (HL7 v2.5 ch. 2.10.3.3). Inner
 * messages are always acknowledged in original mode so the reply has one ACK per message.
 */
export async function ingestHl7Batch(
  frame: Buffer,
  source: SourceInfo,
  deps: Hl7IngestDeps,
): Promise<Buffer[]> {
  let split;
  try {
    split = splitBatch(frame);
  } catch {
    // Not splittable: judge it as one message, which stores it and answers AR with an ERR segment.
    return ingestHl7(frame, source, deps);
  }
  const acks: Buffer[] = [];
  for (const message of split.messages) {
    acks.push(...(await ingestHl7(message, { ...source, ackMode: 'original' }, deps)));
  }
  const batch = headerParts(split.batchHeader ?? split.fileHeader);
  const file = split.fileHeader ? headerParts(split.fileHeader) : null;
  const now = formatTimestamp(new Date());
  const header = (id: 'FHS' | 'BHS', parts: ReturnType<typeof headerParts>): string =>
    [
      id,
      parts.encoding,
      deps.ackSendingApplication,
      deps.ackSendingFacility,
      parts.fields[2] ?? '', // answered to the batch's sender (its BHS-3/FHS-3 and -4)
      parts.fields[3] ?? '',
      now,
    ].join(parts.field);
  const segments = [
    ...(file ? [header('FHS', file)] : []),
    header('BHS', batch),
    ...acks.map((a) => a.toString('utf8').replace(/\r$/, '')),
    `BTS${batch.field}${acks.length}`,
    ...(file ? [`FTS${file.field}1`] : []),
  ];
  return [Buffer.from(`${segments.join('\r')}\r`, 'utf8')];
}
