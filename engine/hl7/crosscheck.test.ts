import { Message } from 'node-hl7-client';
import { describe, expect, it } from 'vitest';
import { Hl7Message } from './message.ts';
import { readBytes, readManifest } from './testing/corpus.ts';

/**
 * Cross-check against node-hl7-client 3.2 on every ADT/ORM/ORU corpus file. Its path 'PID.5.1' is our
 * get('PID-5.1') (decoded first subcomponent); its toRaw() of a field is our getAll(field) joined with '~'.
 * Every disagreement must be one of the documented differences (docs/hl7-paths.md), counted exactly.
 */

const FIELDS = [
  'MSH-3', 'MSH-4', 'MSH-5', 'MSH-6', 'MSH-7', 'MSH-9', 'MSH-10', 'MSH-11', 'MSH-12',
  'PID-3', 'PID-5', 'PID-7', 'PID-8', 'PID-11',
  'PV1-2', 'PV1-3', 'PV1-7', 'PV1-14',
  'ORC-1', 'OBR-4', 'OBR-7', 'OBX-2', 'OBX-3', 'OBX-5', 'NTE-3',
]; // prettier-ignore

/** The subset of node-hl7-client's node API used here (read() takes a path array and consumes it). */
interface NodeHl7 {
  read(path: string[]): NodeHl7 | undefined;
  get(path: string | number): NodeHl7;
  toString(): string;
  toRaw(): string;
}

type Reason = 'formatting escapes kept by node-hl7-client' | 'node-hl7-client trims each segment';

function explain(ours: string, theirs: string, escape: string): Reason | null {
  // node-hl7-client leaves \.br\ in the text; we turn it into a line break.
  if (theirs.replaceAll(`${escape}.br${escape}`, '\n') === ours)
    return 'formatting escapes kept by node-hl7-client';
  // It calls trim() on every segment, losing trailing spaces of the last field (we keep them: lossless).
  if (ours.trimEnd() === theirs) return 'node-hl7-client trims each segment';
  return null;
}

describe('cross-check with node-hl7-client', () => {
  const rows = readManifest('hl7').filter((r) => /^(ADT|ORM|ORU)/.test(r.msh9));

  it('agrees on every value, apart from the documented differences', () => {
    const reasons = new Map<string, number>();
    const unexplained: string[] = [];
    const refused: string[] = [];
    let compared = 0;

    for (const row of rows) {
      const m = Hl7Message.parse(readBytes(row));
      let theirs: Message;
      try {
        theirs = new Message({ text: m.toString() });
      } catch (e) {
        refused.push(`${row.path}: ${(e as Error).message}`);
        continue;
      }
      for (const field of FIELDS) {
        const [seg = '', f = ''] = field.split('-');
        const count = m.segmentCount(seg);
        for (let occ = 1; occ <= count; occ++) {
          const nodeSeg = (theirs.get(seg) as unknown as NodeHl7).get(occ - 1);
          const pairs: [string, string, string][] = [
            [
              `${seg}[${occ}]-${f} raw`,
              m.getAll(`${seg}[${occ}]-${f}`).join(m.delimiters.repetition),
              rawOf(nodeSeg.read([f])),
            ],
            [
              `${seg}[${occ}]-${f}.1`,
              m.get(`${seg}[${occ}]-${f}.1`),
              nodeSeg.read([f, '1'])?.toString() ?? '',
            ],
            [
              `${seg}[${occ}]-${f}.2`,
              m.get(`${seg}[${occ}]-${f}.2`),
              nodeSeg.read([f, '2'])?.toString() ?? '',
            ],
          ];
          for (const [where, ours, other] of pairs) {
            compared++;
            if (ours === other) continue;
            const reason = explain(ours, other, m.delimiters.escape);
            if (reason === null)
              unexplained.push(`${row.path} ${where}: ${JSON.stringify(ours)} vs ${JSON.stringify(other)}`);
            else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          }
        }
      }
    }

    expect(unexplained).toEqual([]);
    expect(compared).toBeGreaterThan(25_000);
    expect(Object.fromEntries(reasons)).toEqual({
      'formatting escapes kept by node-hl7-client': 7,
      'node-hl7-client trims each segment': 2,
    });
    // Its segment finder matches "MSH|" anywhere, so a field holding the value MSH looks like a second message.
    expect(refused).toEqual(['fhir-converter/ADT04-23.hl7: Multiple MSH segments found. Use Batch.']);
  });

  it('differs on escapes exactly as documented', () => {
    const text = 'MSH|^~\\&#|A|B\rOBX|1|ST|X||a\\XC3A9\\b\\Zfoo\\c\\H\\d\\N\\e\\P\\f\\.sp\\g\\E\\h\\F\\i\r';
    const ours = Hl7Message.parse(text).get('OBX-5.1');
    const theirs = (new Message({ text }).get('OBX.5') as unknown as NodeHl7).toString();
    // Same: \H\ \N\ removed, \E\ \F\ decoded.
    // \X..\ : UTF-8 bytes for us, one Latin-1 character per byte for node-hl7-client.
    // \Z..\ : kept by us (locally defined, meaning unknown), dropped by node-hl7-client.
    // \P\ (v2.7 truncation) and \.sp\ : decoded by us, kept by node-hl7-client.
    expect(ours).toBe('aéb\\Zfoo\\cde#f\ng\\h|i');
    expect(theirs).toBe('aÃ©bcde\\P\\f\\.sp\\g\\h|i');
  });
});

function rawOf(node: NodeHl7 | undefined): string {
  if (node === undefined) return '';
  try {
    return node.toRaw();
  } catch {
    return ''; // its "empty node" throws from toRaw()
  }
}
