import { describe, expect, it } from 'vitest';
import { EngineEvents, type EngineEvent } from '../events/engine-events.ts';
import { EngineMetrics, type MetricsSource } from './engine-metrics.ts';
import type { QueuedCount } from './queued-deliveries.ts';

const AT = '2026-01-01T00:00:00.000Z';

function source(over: Partial<MetricsSource> = {}): MetricsSource {
  return {
    events: new EngineEvents(),
    dispatcherPending: () => 3,
    listeners: () => [{ name: 'mllp', openConnections: 2 }],
    channels: () => [
      { id: 'adt', state: 'paused', destinations: [{ name: 'fhir' }, { name: 'archive' }] },
      { id: 'oru', state: 'started', destinations: [{ name: 'fhir' }] },
    ],
    queuedDeliveries: async (): Promise<QueuedCount[]> => [
      { channelId: 'adt', destination: 'fhir', queued: 5 },
      { channelId: 'gone', destination: 'old', queued: 1 },
    ],
    ...over,
  };
}

/** `name{labels}` -> value, from the exposition text. */
async function samples(metrics: EngineMetrics): Promise<Map<string, number>> {
  const text = await metrics.scrape();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const received = (over: Partial<Extract<EngineEvent, { type: 'message.received' }>> = {}): EngineEvent => ({
  type: 'message.received',
  at: AT,
  messageId: '1',
  listener: 'mllp:2575',
  messageType: 'ADT',
  triggerEvent: 'A01',
  controlId: 'C1',
  ackCode: 'AA',
  status: 'received',
  ackSeconds: 0.004,
  ...over,
});

const delivery = (ok: boolean, status: 'sent' | 'queued' | 'error'): EngineEvent => ({
  type: 'delivery.attempted',
  at: AT,
  deliveryId: '9',
  messageId: '1',
  channelId: 'adt',
  destination: 'fhir',
  ok,
  status,
  attempts: 1,
  seconds: 0.02,
  error: ok ? null : 'refused',
});

describe('EngineMetrics', () => {
  it('counts received messages by listener name (not id), ACK code and status, with ACK latency', async () => {
    const src = source();
    const m = new EngineMetrics(src);
    src.events.publish(received());
    src.events.publish(received({ listener: 'http:adt', ackCode: 'AR', status: 'rejected' }));
    src.events.publish(received({ status: 'duplicate' }));
    const s = await samples(m);
    expect(
      s.get('switchboard_messages_received_total{listener="mllp",ack_code="AA",status="received"}'),
    ).toBe(1);
    expect(
      s.get('switchboard_messages_received_total{listener="mllp",ack_code="AA",status="duplicate"}'),
    ).toBe(1);
    expect(
      s.get('switchboard_messages_received_total{listener="http",ack_code="AR",status="rejected"}'),
    ).toBe(1);
    expect(s.get('switchboard_ack_latency_seconds_count{listener="mllp"}')).toBe(2);
    expect(s.get('switchboard_ack_latency_seconds_bucket{le="0.005",listener="mllp"}')).toBe(2);
    expect(s.get('switchboard_ack_latency_seconds_bucket{le="0.0025",listener="mllp"}')).toBe(0);
    m.close();
  });

  it('counts per channel: received, filtered, errored from processing; sent and dead-letters from deliveries', async () => {
    const src = source();
    const m = new EngineMetrics(src);
    src.events.publish({
      type: 'message.processed',
      at: AT,
      messageId: '1',
      status: 'error',
      channels: [
        { channelId: 'adt', status: 'transformed' },
        { channelId: 'oru', status: 'filtered' },
        { channelId: 'orm', status: 'error' },
      ],
      processingSeconds: 0.01,
      error: 'boom',
    });
    src.events.publish(delivery(true, 'sent'));
    src.events.publish(delivery(false, 'queued'));
    src.events.publish(delivery(false, 'error'));
    const s = await samples(m);
    const ch = (channel: string, outcome: string) =>
      s.get(`switchboard_channel_messages_total{channel="${channel}",outcome="${outcome}"}`);
    expect([ch('adt', 'received'), ch('oru', 'received'), ch('orm', 'received')]).toEqual([1, 1, 1]);
    expect(ch('oru', 'filtered')).toBe(1);
    expect(ch('orm', 'errored')).toBe(1);
    expect(ch('adt', 'sent')).toBe(1);
    expect(ch('adt', 'errored')).toBe(1); // the dead-lettered delivery
    expect(ch('adt', 'filtered')).toBeUndefined();
    const d = (outcome: string) =>
      s.get(`switchboard_delivery_attempts_total{channel="adt",destination="fhir",outcome="${outcome}"}`);
    expect([d('sent'), d('retry'), d('dead-letter')]).toEqual([1, 1, 1]);
    expect(s.get('switchboard_message_processing_seconds_count{status="error"}')).toBe(1);
    expect(
      s.get('switchboard_delivery_latency_seconds_count{channel="adt",destination="fhir",outcome="sent"}'),
    ).toBe(1);
    m.close();
  });

  it('reads gauges when scraped: queue depth (0 for empty deployed destinations), backlog, connections, state', async () => {
    const m = new EngineMetrics(source());
    const s = await samples(m);
    expect(s.get('switchboard_delivery_queue_depth{channel="adt",destination="fhir"}')).toBe(5);
    expect(s.get('switchboard_delivery_queue_depth{channel="adt",destination="archive"}')).toBe(0);
    expect(s.get('switchboard_delivery_queue_depth{channel="oru",destination="fhir"}')).toBe(0);
    expect(s.get('switchboard_delivery_queue_depth{channel="gone",destination="old"}')).toBe(1);
    expect(s.get('switchboard_dispatcher_backlog')).toBe(3);
    expect(s.get('switchboard_listener_open_connections{listener="mllp"}')).toBe(2);
    expect(s.get('switchboard_channel_state{channel="adt",state="paused"}')).toBe(1);
    expect(s.get('switchboard_channel_state{channel="adt",state="started"}')).toBe(0);
    expect(s.get('switchboard_channel_state{channel="oru",state="started"}')).toBe(1);
    expect([...s.keys()].some((k) => k.startsWith('switchboard_process_cpu_seconds_total'))).toBe(true);
    m.close();
  });

  it('scrapes without queue depth when the store fails, and says so', async () => {
    const errors: string[] = [];
    const m = new EngineMetrics(
      source({
        queuedDeliveries: () => Promise.reject(new Error('store down')),
        onCollectError: (metric, err) => errors.push(`${metric}: ${String(err)}`),
      }),
    );
    const s = await samples(m);
    expect([...s.keys()].some((k) => k.startsWith('switchboard_delivery_queue_depth'))).toBe(false);
    expect(s.get('switchboard_dispatcher_backlog')).toBe(3);
    expect(errors).toEqual(['delivery_queue_depth: Error: store down']);
    m.close();
  });

  it('keeps one registry per engine: two instances count apart, and close stops counting', async () => {
    const a = source();
    const b = source();
    const ma = new EngineMetrics(a);
    const mb = new EngineMetrics(b);
    a.events.publish(received());
    expect(a.events.listenerCount('event')).toBe(1);
    ma.close();
    expect(a.events.listenerCount('event')).toBe(0);
    a.events.publish(received());
    const key = 'switchboard_messages_received_total{listener="mllp",ack_code="AA",status="received"}';
    expect((await samples(ma)).get(key)).toBe(1);
    expect((await samples(mb)).get(key)).toBeUndefined();
    mb.close();
  });
});
