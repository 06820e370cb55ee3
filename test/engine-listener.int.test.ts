/**
 * The engine's MLLP listener as configured in switchboard.yaml: TLS, the size limit (NAK, then
 * close), idle timeout, and enhanced-mode acknowledgments that send zero or two answers.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameMllp } from '../listeners/mllp/frame-decoder.ts';
import { MllpClient } from '../listeners/mllp/client.ts';
import { RawPeer, selfSignedCert } from '../listeners/mllp/test-helpers.ts';
import { splitBatch } from '../engine/hl7/batch.ts';
import { readHeader } from '../engine/hl7/message.ts';
import { CORPUS, startTestEngine, type EngineFixture } from './support/engine-fixture.ts';
import { adtMessage, readAck } from './support/hl7-samples.ts';

describe('MLLP listener settings', () => {
  let fx: EngineFixture;
  let certDir: string;
  let cert: { cert: string; key: string };

  beforeAll(async () => {
    certDir = await mkdtemp(path.join(tmpdir(), 'switchboard-tls-'));
    cert = selfSignedCert();
    await writeFile(path.join(certDir, 'server.crt'), cert.cert);
    await writeFile(path.join(certDir, 'server.key'), cert.key);
    fx = await startTestEngine({
      database: 'pglite',
      configYaml: [
        'mllp:',
        '  - name: mllp',
        '    maxMessageBytes: 262144',
        '    idleTimeoutMs: 300',
        '  - name: mllp-tls',
        '    port: 0',
        '    tls:',
        `      certFile: ${JSON.stringify(path.join(certDir, 'server.crt'))}`,
        `      keyFile: ${JSON.stringify(path.join(certDir, 'server.key'))}`,
      ].join('\n'),
      channels: {
        'adt-tls.yaml':
          'id: adt-tls\nsource: { listener: mllp-tls, messageTypes: [ADT] }\ndestinations:\n  - { name: fhir, type: fhir-store, transformers: [ { mapping: adt-to-fhir } ] }\n',
      },
    });
  });

  afterAll(async () => {
    await fx?.stop();
    await rm(certDir, { recursive: true, force: true });
  });

  it('accepts MLLP over TLS and routes it through that listener’s channels', async () => {
    const port = fx.engine.mllpPorts.get('mllp-tls')!;
    const client = await MllpClient.connect({
      host: '127.0.0.1',
      port,
      tls: { ca: cert.cert, rejectUnauthorized: false },
    });
    try {
      const ack = readAck(await client.send(adtMessage({ controlId: 'TLS-1', mrn: '610001' })));
      expect(ack.code).toBe('AA');
      expect(ack.controlId).toBe('TLS-1');
    } finally {
      await client.close();
    }
    await fx.engine.drain();
    const { rows } = await fx.engine.db.query<{ listener: string; status: string }>(
      `SELECT listener, status FROM messages WHERE control_id = 'TLS-1'`,
    );
    expect(rows).toEqual([
      { listener: `mllp-tls:${fx.engine.mllpPorts.get('mllp-tls')}`, status: 'processed' },
    ]);
  });

  it('answers an oversized message with AR and closes the connection', async () => {
    const peer = await RawPeer.connect(fx.engine.mllpPort);
    const big = adtMessage({ controlId: 'BIG-1' }).replace(
      'EVN|A01|20261121093000',
      `EVN|A01|20261121093000\rNTE|1||${'X'.repeat(300_000)}`,
    );
    peer.socket.write(frameMllp(big));
    const [frame] = await peer.waitFrames(1);
    const ack = readAck(frame!.toString('utf8'));
    expect(ack.code).toBe('AR');
    expect(ack.err).toMatch(/207/);
    await peer.closed;
  });

  it('closes a connection idle past idleTimeoutMs', async () => {
    const peer = await RawPeer.connect(fx.engine.mllpPort);
    peer.socket.write(frameMllp(adtMessage({ controlId: 'IDLE-1', mrn: '610002' })));
    await peer.waitFrames(1);
    await peer.closed; // resolves only when the server closes it (300 ms of silence)
    expect(readAck(peer.frames[0]!.toString('utf8')).code).toBe('AA');
  });

  it('sends CA then AA for MSH-15 AL / MSH-16 AL, and nothing for NE / NE', async () => {
    const peer = await RawPeer.connect(fx.engine.mllpPort);
    peer.socket.write(frameMllp(adtMessage({ controlId: 'ENH-1', mrn: '610003', msh15: 'AL', msh16: 'AL' })));
    peer.socket.write(frameMllp(adtMessage({ controlId: 'ENH-2', mrn: '610004', msh15: 'NE', msh16: 'NE' })));
    peer.socket.write(frameMllp(adtMessage({ controlId: 'ENH-3', mrn: '610005' })));
    // Answers come in arrival order: if ENH-2 were answered, its ACK would come before ENH-3's.
    const frames = await peer.waitFrames(3);
    expect(frames.map((f) => readAck(f.toString('utf8'))).map((a) => `${a.code} ${a.controlId}`)).toEqual([
      'CA ENH-1',
      'AA ENH-1',
      'AA ENH-3',
    ]);
    peer.socket.destroy();
    await fx.engine.drain();
    const { rows } = await fx.engine.db.query<{ control_id: string; status: string }>(
      `SELECT control_id, status FROM messages WHERE control_id LIKE 'ENH-%' ORDER BY control_id`,
    );
    expect(rows.map((r) => `${r.control_id} ${r.status}`)).toEqual([
      'ENH-1 processed',
      'ENH-2 processed',
      'ENH-3 processed',
    ]);
  });

  it('acknowledges a batch sent in one frame with a batch of ACKs, one per message, and stores each message', async () => {
    const file = path.join(CORPUS, 'hl7-batch/cdc-prime-reportstream/sample-batch-pdi-20210608-0001.hl7');
    const batch = await readFile(file);
    const { messages } = splitBatch(batch);
    expect(messages).toHaveLength(20);
    const peer = await RawPeer.connect(fx.engine.mllpPort);
    peer.socket.write(frameMllp(batch));
    const [reply] = await peer.waitFrames(1);
    peer.socket.destroy();
    const segments = reply!.toString('utf8').split('\r').filter(Boolean);
    expect(segments[0]).toMatch(/^FHS\|/);
    expect(segments[1]).toMatch(/^BHS\|/);
    expect(segments.at(-2)).toBe('BTS|20');
    expect(segments.at(-1)).toBe('FTS|1');
    const msa = segments.filter((s) => s.startsWith('MSA|'));
    expect(msa).toEqual(messages.map((m) => `MSA|AA|${readHeader(m).controlId}`));
    await fx.engine.drain();
    const { rows } = await fx.engine.db.query<{ raw: Buffer; status: string }>(
      `SELECT raw, status FROM messages WHERE message_type = 'ORU' ORDER BY id`,
    );
    expect(rows.map((r) => r.status)).toEqual(messages.map(() => 'processed'));
    rows.forEach((row, i) => expect(row.raw.equals(messages[i]!)).toBe(true));
  });
});
