/** MLLP load generator for benchmarks: unique MSH-10 per message, bounded by count and time. */
import { MllpClient } from './client.ts';

export interface LoadSpec {
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  readonly connections: number;
  readonly count: number;
  /** The message up to MSH-10, and from the end of MSH-10 on. */
  readonly prefix: string;
  readonly suffix: string;
  readonly idPrefix: string;
  readonly timeCapMs: number;
  readonly perMessageTimeoutMs: number;
}

export interface LoadResult {
  sent: number;
  /** Responses received. */
  acked: number;
  /** Responses with MSA-1 AA or CA. */
  accepted: number;
  /** Responses by MSA-1 code other than AA/CA. */
  rejected: Record<string, number>;
  /** Sent but never answered within the per-message timeout, or the connection closed first. */
  lost: number;
  reconnects: number;
  errors: Record<string, number>;
  elapsedMs: number;
  msgPerSec: number;
  stoppedByTimeCap: boolean;
  latencyMs: { p50: number; p99: number; max: number };
}

function ackCode(ack: Buffer): string {
  const i = ack.indexOf('MSA|');
  return i === -1 ? '??' : ack.toString('latin1', i + 4, i + 6);
}

/**
 * `connections` lanes sharing one message counter, one message in flight per lane (send, wait for the
 * response, next). A message unanswered within perMessageTimeoutMs counts as lost and its lane reconnects,
 * so a server that drops frames shows up in the figures instead of hanging the run.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const r: LoadResult = {
    sent: 0,
    acked: 0,
    accepted: 0,
    rejected: {},
    lost: 0,
    reconnects: 0,
    errors: {},
    elapsedMs: 0,
    msgPerSec: 0,
    stoppedByTimeCap: false,
    latencyMs: { p50: 0, p99: 0, max: 0 },
  };
  const latencies = new Float64Array(spec.count);
  const note = (err: unknown): void => {
    const key = (err as { code?: string }).code ?? String(err);
    r.errors[key] = (r.errors[key] ?? 0) + 1;
  };
  let next = 0;
  let connectFailures = 0;
  const started = performance.now();
  const deadline = started + spec.timeCapMs;
  const lane = async (): Promise<void> => {
    let client: MllpClient | null = null;
    while (next < spec.count && connectFailures < 20) {
      if (performance.now() > deadline) {
        r.stoppedByTimeCap = true;
        break;
      }
      if (!client) {
        try {
          client = await MllpClient.connect({
            host: '127.0.0.1',
            port: spec.port,
            timeoutMs: spec.perMessageTimeoutMs,
          });
        } catch (err) {
          note(err);
          connectFailures++;
          continue;
        }
      }
      const n = next++;
      const message = Buffer.from(
        spec.prefix + spec.idPrefix + n.toString(36).toUpperCase() + spec.suffix,
        'latin1',
      );
      r.sent++;
      const t0 = performance.now();
      try {
        const ack = await client.send(message);
        latencies[r.acked++] = performance.now() - t0;
        const code = ackCode(ack);
        if (code === 'AA' || code === 'CA') r.accepted++;
        else r.rejected[code] = (r.rejected[code] ?? 0) + 1;
      } catch (err) {
        r.lost++;
        note(err);
        await client.close();
        client = null;
        r.reconnects++;
      }
    }
    await client?.close();
  };
  await Promise.all(Array.from({ length: spec.connections }, lane));
  r.elapsedMs = performance.now() - started;
  r.msgPerSec = r.acked / (r.elapsedMs / 1000);
  const sorted = latencies.subarray(0, r.acked).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  r.latencyMs = { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? 0 };
  return r;
}
