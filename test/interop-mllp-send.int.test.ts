/**
 * Interop: every well-formed corpus message sent by python-hl7's `mllp_send` (Debian python3-hl7),
 * an MLLP client nobody here wrote. Each gets an ACK naming its control ID, and is stored byte-exact.
 * mllp_send waits for exactly one answer per message, so the whole corpus goes to a listener in
 * `ackMode: original`; the enhanced-mode files that ask for exactly one answer also go to a listener
 * in the default `auto` mode, which honours MSH-15/MSH-16.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHeader } from '../engine/hl7/message.ts';
import { CORPUS, startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { readAck } from './support/hl7-samples.ts';
import { toolAvailable } from './support/tools.ts';

const HAVE_MLLP_SEND = toolAvailable('mllp_send', 'apt-get install python3-hl7');

const run = promisify(execFile);
const HL7_DIR = path.join(CORPUS, 'hl7');

async function corpusFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await corpusFiles(full)));
    else if (entry.name.endsWith('.hl7')) out.push(full);
  }
  return out.sort();
}

function ackFramesOf(stdout: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  let start = stdout.indexOf(0x0b);
  while (start !== -1) {
    const end = stdout.indexOf(0x1c, start);
    if (end === -1) break;
    frames.push(stdout.subarray(start + 1, end));
    start = stdout.indexOf(0x0b, end);
  }
  return frames;
}

/**
 * What mllp_send puts on the wire for one framed message: python-hl7's read_stream strips 0x0B and
 * 0x0D from both ends of every message (`m.strip(SB + CR)`), so the final segment terminator goes.
 */
function asSentByMllpSend(raw: Buffer): Buffer {
  let start = 0;
  let end = raw.length;
  while (start < end && (raw[start] === 0x0b || raw[start] === 0x0d)) start++;
  while (end > start && (raw[end - 1] === 0x0b || raw[end - 1] === 0x0d)) end--;
  return raw.subarray(start, end);
}

function catchAllChannel(dir: string): Record<string, string> {
  return {
    'catch-all.yaml': [
      'id: catch-all',
      "source: { listener: mllp, messageTypes: ['*'] }",
      'destinations:',
      '  - name: files',
      '    type: file',
      `    directory: ${JSON.stringify(path.join(dir, 'out'))}`,
    ].join('\n'),
  };
}

async function mllpSend(
  fx: EngineFixture,
  messages: readonly Buffer[],
): Promise<ReturnType<typeof readAck>[]> {
  const stream = Buffer.concat(messages.flatMap((m) => [Buffer.from([0x0b]), m, Buffer.from([0x1c, 0x0d])]));
  const streamFile = path.join(fx.dir, `stream-${messages.length}.mllp`);
  await writeFile(streamFile, stream);
  const { stdout } = await run(
    'mllp_send',
    ['-p', String(fx.engine.mllpPort), '-f', streamFile, '127.0.0.1'],
    {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    },
  );
  return ackFramesOf(stdout).map((a) => readAck(a));
}

describe.runIf(HAVE_MLLP_SEND)('interop: python-hl7 mllp_send, ackMode original', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await startTestEngine({
      database: 'pglite',
      shippedChannels: false,
      channels: catchAllChannel,
      configYaml: 'mllp:\n  - name: mllp\n    ackMode: original\n',
      // Several corpus files share a control ID (copies from different sources): store each as sent.
      env: { SWITCHBOARD_DEDUP_WINDOW_SECONDS: '0' },
    });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('ACKs every corpus message with AA and its own control ID, and stores its exact bytes', async () => {
    const files = await corpusFiles(HL7_DIR);
    expect(files.length).toBeGreaterThan(200);
    const messages = await Promise.all(files.map((f) => readFile(f)));
    const acks = await mllpSend(fx, messages);
    expect(acks).toHaveLength(files.length);

    const problems: string[] = [];
    messages.forEach((raw, i) => {
      const header = readHeader(raw);
      const ack = acks[i]!;
      const name = path.relative(HL7_DIR, files[i]!);
      if (ack.controlId !== header.controlId)
        problems.push(`${name}: MSA-2 ${ack.controlId} != ${header.controlId}`);
      if (ack.code !== 'AA') problems.push(`${name}: ${ack.code} ${ack.err ?? ''}`);
    });
    expect(problems).toEqual([]);

    await fx.engine.drain();
    const { rows } = await fx.engine.db.query<{ raw: Buffer; status: string }>(
      `SELECT raw, status FROM messages ORDER BY id`,
    );
    expect(rows).toHaveLength(files.length);
    rows.forEach((row, i) => {
      expect(row.raw.equals(asSentByMllpSend(messages[i]!)), path.relative(HL7_DIR, files[i]!)).toBe(true);
      expect(row.status).toBe('processed');
    });
  }, 240_000);
});

/** Enhanced mode (HL7 table 0155) for an accepted message: which single answer each pair asks for. */
const SINGLE_ANSWER: Readonly<Record<string, 'CA' | 'AA'>> = {
  'AL/NE': 'CA', // commit ACK only
  'AL/': 'CA',
  'NE/AL': 'AA', // application ACK only
  'ER/AL': 'AA', // commit ACK on errors only
};

describe.runIf(HAVE_MLLP_SEND)('interop: python-hl7 mllp_send, ackMode auto (MSH-15/MSH-16 honoured)', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await startTestEngine({
      database: 'pglite',
      shippedChannels: false,
      channels: catchAllChannel,
      env: { SWITCHBOARD_DEDUP_WINDOW_SECONDS: '0' },
    });
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('answers each enhanced-mode corpus message with the one acknowledgment it asks for', async () => {
    const files = await corpusFiles(HL7_DIR);
    const chosen: { name: string; raw: Buffer; expected: string; controlId: string }[] = [];
    for (const file of files) {
      const raw = await readFile(file);
      const h = readHeader(raw);
      const expected = SINGLE_ANSWER[`${h.acceptAckType}/${h.applicationAckType}`];
      if (expected)
        chosen.push({ name: path.relative(HL7_DIR, file), raw, expected, controlId: h.controlId });
    }
    expect(chosen.length).toBeGreaterThanOrEqual(15);
    const acks = await mllpSend(
      fx,
      chosen.map((c) => c.raw),
    );
    expect(acks.map((a, i) => `${chosen[i]!.name}: ${a.code} ${a.controlId}`)).toEqual(
      chosen.map((c) => `${c.name}: ${c.expected} ${c.controlId}`),
    );
  }, 120_000);
});
