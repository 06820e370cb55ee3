/**
 * GET /metrics against a real engine: real ADT messages over MLLP move the channel and listener
 * counters by exactly what was sent, histograms fill, the open-connection and queue-depth gauges read
 * the live engine and the store, and no patient data reaches the text. Prometheus scrapes with an API
 * token; without one it gets 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenStore } from '../../engine/auth/api-tokens.ts';
import { MllpClient, sendMllp } from '../../listeners/mllp/client.ts';
import { startApiEngine, type ApiFixture } from '../support/api.ts';
import { adtMessage, readAck } from '../support/hl7-samples.ts';
import { waitFor } from '../support/wait.ts';

const FAMILY = 'QUILLFEATHER';
const GIVEN = 'OPHELIA';
const MRN = '7316842';

/** `name{labels}` -> value for every sample line of the exposition text. */
function parseSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('GET /metrics', () => {
  let f: ApiFixture;
  let scrapeToken: string;

  const scrape = async (): Promise<{ text: string; samples: Map<string, number> }> => {
    const res = await f.call<string>('GET', '/metrics', { token: scrapeToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: res.text, samples: parseSamples(res.text) };
  };
  const value = (s: Map<string, number>, key: string): number => s.get(key) ?? 0;
  const messages = (n: number, prefix: string): string[] =>
    Array.from({ length: n }, (_, i) =>
      adtMessage({ controlId: `${prefix}${i}`, mrn: `${MRN}${i}`, family: FAMILY, given: GIVEN }),
    );
  const mllp = () => ({ host: '127.0.0.1', port: f.engine.mllpPort });

  beforeAll(async () => {
    f = await startApiEngine({ database: 'pglite' });
    // Prometheus holds an API token of a viewer (stats.view is all it needs).
    const viewer = await f.engine.users.get('viewer-user');
    scrapeToken = (await new ApiTokenStore(f.engine.db).create(viewer!.id, 'prometheus')).token;
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('answers 401 without a token', async () => {
    const res = await f.call('GET', '/metrics');
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('switchboard_');
  });

  it('counts the messages sent over MLLP exactly, fills the histograms, and carries no patient data', async () => {
    const before = (await scrape()).samples;
    const sent = 4;
    const acks = await sendMllp(mllp(), messages(sent, 'MTRC'));
    expect(acks.map((a) => readAck(a).code)).toEqual(Array(sent).fill('AA'));
    await f.engine.drain();

    const { text, samples } = await scrape();
    const moved = (key: string): number => value(samples, key) - value(before, key);
    expect(
      moved('switchboard_messages_received_total{listener="mllp",ack_code="AA",status="received"}'),
    ).toBe(sent);
    expect(moved('switchboard_channel_messages_total{channel="adt",outcome="received"}')).toBe(sent);
    // Deliveries sent: adt has two destinations (fhir, hms).
    expect(moved('switchboard_channel_messages_total{channel="adt",outcome="sent"}')).toBe(sent * 2);
    expect(moved('switchboard_channel_messages_total{channel="adt",outcome="errored"}')).toBe(0);
    expect(moved('switchboard_channel_messages_total{channel="oru",outcome="received"}')).toBe(0);
    expect(
      moved('switchboard_delivery_attempts_total{channel="adt",destination="fhir",outcome="sent"}'),
    ).toBe(sent);
    expect(moved('switchboard_ack_latency_seconds_count{listener="mllp"}')).toBe(sent);
    expect(moved('switchboard_message_processing_seconds_count{status="processed"}')).toBe(sent);
    expect(
      moved('switchboard_delivery_latency_seconds_count{channel="adt",destination="fhir",outcome="sent"}'),
    ).toBe(sent);
    expect(
      value(samples, 'switchboard_ack_latency_seconds_bucket{le="+Inf",listener="mllp"}'),
    ).toBeGreaterThanOrEqual(sent);
    expect(value(samples, 'switchboard_channel_state{channel="adt",state="started"}')).toBe(1);
    expect(value(samples, 'switchboard_dispatcher_backlog')).toBe(0);
    expect(samples.has('switchboard_process_resident_memory_bytes')).toBe(true);

    for (const phi of [FAMILY, GIVEN, MRN, 'MTRC0', 'EVERYWOMAN', '1 MAIN ST', '19800101']) {
      expect(text).not.toContain(phi);
    }
  });

  it('counts a rejected message by its ACK code', async () => {
    const before = (await scrape()).samples;
    const oml = adtMessage({ controlId: 'MTRCX', mrn: MRN, family: FAMILY }).replace(
      'ADT^A01^ADT_A01',
      'OML^O21',
    );
    const [ack] = await sendMllp(mllp(), [oml]);
    expect(readAck(ack!).code).toBe('AR');
    const { samples } = await scrape();
    const key = 'switchboard_messages_received_total{listener="mllp",ack_code="AR",status="rejected"}';
    expect(value(samples, key) - value(before, key)).toBe(1);
  });

  it('shows open MLLP connections while a sender is connected', async () => {
    const client = await MllpClient.connect(mllp());
    const connections = async () =>
      value((await scrape()).samples, 'switchboard_listener_open_connections{listener="mllp"}');
    try {
      await waitFor(async () => (await connections()) === 1, 'the open connection to show');
    } finally {
      await client.close();
    }
    await waitFor(async () => (await connections()) === 0, 'the closed connection to go');
  });

  it('reads queue depth from the store: deliveries of a paused channel stay queued', async () => {
    const depth = async () =>
      value((await scrape()).samples, 'switchboard_delivery_queue_depth{channel="adt",destination="fhir"}');
    expect(await depth()).toBe(0);
    await f.engine.channels.pause('adt');
    try {
      const acks = await sendMllp(mllp(), messages(3, 'MTRCQ'));
      expect(acks.map((a) => readAck(a).code)).toEqual(['AA', 'AA', 'AA']);
      await f.engine.drain();
      expect(await depth()).toBe(3);
      expect(value((await scrape()).samples, 'switchboard_channel_state{channel="adt",state="paused"}')).toBe(
        1,
      );
    } finally {
      await f.engine.channels.start('adt');
    }
    await f.engine.drain();
    expect(await depth()).toBe(0);
  });
});
