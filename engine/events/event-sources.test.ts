import { describe, expect, it } from 'vitest';
import type { Delivery, IngestRequest, IngestResult } from '../store/types.ts';
import { EngineEvents, type EngineEvent } from './engine-events.ts';
import { deliveryEvent, messageProcessedEvent, publishingIngest } from './event-sources.ts';

const request: IngestRequest = {
  raw: Buffer.from('MSH|...'),
  listener: 'mllp:2575',
  remoteAddress: '127.0.0.1',
  header: {
    sendingApplication: 'A',
    sendingFacility: 'F',
    receivingApplication: 'R',
    receivingFacility: 'RF',
    messageType: 'ADT',
    triggerEvent: 'A01',
    controlId: 'CTL9',
    version: '2.5.1',
  },
  partitionKey: null,
  ackCode: 'AA',
  ack: Buffer.alloc(0),
  error: null,
  dedupWindowSeconds: 0,
};

function collect(events: EngineEvents): EngineEvent[] {
  const seen: EngineEvent[] = [];
  events.on('event', (e) => seen.push(e));
  return seen;
}

describe('event sources', () => {
  it('publishes message.received after the commit, with the stored status', async () => {
    const events = new EngineEvents();
    const seen = collect(events);
    const results: IngestResult[] = [
      { messageId: '1', duplicateOf: null, ack: Buffer.alloc(0), ackCode: 'AA' },
      { messageId: '2', duplicateOf: '1', ack: Buffer.alloc(0), ackCode: 'AA' },
      { messageId: '3', duplicateOf: null, ack: Buffer.alloc(0), ackCode: 'AR' },
    ];
    let committed = 0;
    const ingest = publishingIngest(async () => {
      expect(seen).toHaveLength(committed); // nothing is published before the store answers
      return results[committed++]!;
    }, events);
    for (let i = 0; i < results.length; i++) await ingest(request);
    expect(seen.map((e) => (e.type === 'message.received' ? [e.messageId, e.status] : null))).toEqual([
      ['1', 'received'],
      ['2', 'duplicate'],
      ['3', 'rejected'],
    ]);
    const first = seen[0]!;
    expect(first).toMatchObject({
      listener: 'mllp:2575',
      messageType: 'ADT',
      controlId: 'CTL9',
      ackCode: 'AA',
    });
    expect(first.type === 'message.received' && first.ackSeconds >= 0).toBe(true);
  });

  it('publishes nothing when the commit fails', async () => {
    const events = new EngineEvents();
    const seen = collect(events);
    const ingest = publishingIngest(() => Promise.reject(new Error('store down')), events);
    await expect(ingest(request)).rejects.toThrow('store down');
    expect(seen).toEqual([]);
  });

  it('names the first channel error of a processed message', () => {
    const e = messageProcessedEvent({ id: '5' } as Parameters<typeof messageProcessedEvent>[0], {
      status: 'error',
      results: [
        { channelId: 'a', status: 'transformed', error: null, detail: null },
        { channelId: 'b', status: 'error', error: 'bad PID', detail: 'transformer' },
      ],
      seconds: 0.5,
    });
    expect(e).toMatchObject({
      messageId: '5',
      status: 'error',
      channels: [
        { channelId: 'a', status: 'transformed' },
        { channelId: 'b', status: 'error' },
      ],
      processingSeconds: 0.5,
      error: 'bad PID',
    });
  });

  it('reports a delivery attempt as sent, queued for retry or dead-lettered, counting this attempt', () => {
    const created = new Date('2026-01-01T00:00:00.000Z');
    const delivery = {
      id: '9',
      messageId: '5',
      channelId: 'adt',
      destination: 'fhir',
      attempts: 2,
      createdAt: created,
    } as Delivery;
    const at = new Date(created.getTime() + 1500);
    expect(deliveryEvent({ delivery, ok: true, error: null, retryAt: null }, at)).toMatchObject({
      status: 'sent',
      attempts: 3,
      seconds: 1.5,
      ok: true,
    });
    expect(deliveryEvent({ delivery, ok: false, error: 'refused', retryAt: at }, at).status).toBe('queued');
    expect(deliveryEvent({ delivery, ok: false, error: 'refused', retryAt: null }, at)).toMatchObject({
      status: 'error',
      error: 'refused',
    });
  });
});
