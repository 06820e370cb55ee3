import { describe, expect, it } from 'vitest';
import { ENGINE_EVENT_TYPES, type EngineEvent } from './engine-events.ts';
import { eventForViewer, parseEventTypes, sseComment, sseMessage } from './event-view.ts';

const event: EngineEvent = {
  type: 'message.processed',
  at: '2026-01-01T00:00:00.000Z',
  messageId: '7',
  status: 'error',
  channels: [{ channelId: 'adt', status: 'error' }],
  processingSeconds: 0.01,
  error: 'PID-5 DOE^JANE is not allowed',
};

describe('event view', () => {
  it('keeps every field for content readers and drops controlId and error for the others', () => {
    expect(eventForViewer(event, true)).toEqual(event);
    const viewer = eventForViewer(event, false);
    expect(viewer).not.toHaveProperty('error');
    expect(Object.keys(viewer).sort()).toEqual(
      ['type', 'at', 'messageId', 'status', 'channels', 'processingSeconds'].sort(),
    );
    const received = eventForViewer(
      {
        type: 'message.received',
        at: event.at,
        messageId: '8',
        listener: 'mllp:1',
        messageType: 'ADT',
        triggerEvent: 'A01',
        controlId: 'CTL1',
        ackCode: 'AA',
        status: 'received',
        ackSeconds: 0.002,
      },
      false,
    );
    expect(received).not.toHaveProperty('controlId');
    expect(received.messageType).toBe('ADT');
  });

  it('frames SSE messages as event and one data line, and comments without line breaks', () => {
    expect(sseMessage('channel.state', { a: 'x\ny' })).toBe('event: channel.state\ndata: {"a":"x\\ny"}\n\n');
    expect(sseComment('heart\nbeat')).toBe(': heart beat\n\n');
  });

  it('parses types=: all when absent, a subset when named, an error on an unknown name', () => {
    expect([...parseEventTypes(undefined)]).toEqual(ENGINE_EVENT_TYPES);
    expect([...parseEventTypes(' , ')]).toEqual(ENGINE_EVENT_TYPES);
    expect([...parseEventTypes('channel.state, message.received')]).toEqual([
      'channel.state',
      'message.received',
    ]);
    expect(() => parseEventTypes('message.received,message.read')).toThrow(
      /unknown event type message\.read/,
    );
  });
});
