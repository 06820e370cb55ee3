import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from './load-generator.ts';
import { MllpServer } from './server.ts';

const servers: MllpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(100)));
});

async function start(handler: (frame: Buffer) => Promise<readonly Buffer[]>): Promise<number> {
  const server = new MllpServer(
    { name: 'load', host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, idleTimeoutMs: 0 },
    handler,
    { onOversize: () => [], onHandlerError: () => [] },
  );
  servers.push(server);
  return (await server.listen()).port;
}

const spec = { prefix: 'MSH|^~\\&|A|B|||20240101||ADT^A01|', suffix: '|P|2.5\rPID|1\r', timeCapMs: 10_000 };

describe('runLoad', () => {
  it('sends count messages with unique control ids over several connections and tallies ACK codes', async () => {
    const ids: string[] = [];
    const port = await start(async (frame) => {
      const id = frame.toString('latin1').split('|')[9] ?? '';
      ids.push(id);
      return [Buffer.from(`MSH|^~\\&|||||||ACK|1|P|2.5\rMSA|${id.endsWith('7') ? 'AE' : 'AA'}|${id}\r`)];
    });
    const r = await runLoad({
      ...spec,
      port,
      connections: 3,
      count: 60,
      idPrefix: 'T',
      perMessageTimeoutMs: 2_000,
    });
    expect(r).toMatchObject({ sent: 60, acked: 60, lost: 0, stoppedByTimeCap: false });
    expect(new Set(ids).size).toBe(60);
    expect(ids.every((id) => id.startsWith('T'))).toBe(true);
    expect(r.accepted + (r.rejected.AE ?? 0)).toBe(60);
    expect(r.rejected.AE).toBeGreaterThan(0);
    expect(r.msgPerSec).toBeGreaterThan(0);
    expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
  });

  it('counts an unanswered message as lost and carries on over a new connection', async () => {
    let n = 0;
    const port = await start(async () => (++n === 3 ? [] : [Buffer.from('MSA|AA|x\r')]));
    const r = await runLoad({
      ...spec,
      port,
      connections: 1,
      count: 10,
      idPrefix: 'L',
      perMessageTimeoutMs: 100,
    });
    expect(r).toMatchObject({ sent: 10, acked: 9, accepted: 9, lost: 1, reconnects: 1 });
    expect(r.errors).toEqual({ MLLP_TIMEOUT: 1 });
  });
});
