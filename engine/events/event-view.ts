/**
 * What a subscriber of the live event stream sees: the event as published for roles that may read
 * message content, and without its content-bearing fields (`controlId`, `error`) for the others.
 * Also the Server-Sent Events framing and the `types=` subscription filter of GET /api/events.
 */
import { ENGINE_EVENT_TYPES, type EngineEvent, type EngineEventType } from './engine-events.ts';

/** Fields that identify a message to its sender or may quote its content. */
const CONTENT_FIELDS: ReadonlySet<string> = new Set(['controlId', 'error']);

export function eventForViewer(event: EngineEvent, readsContent: boolean): Record<string, unknown> {
  if (readsContent) return { ...event };
  return Object.fromEntries(Object.entries(event).filter(([key]) => !CONTENT_FIELDS.has(key)));
}

/** One SSE message: `event:` names the type, `data:` is one line of JSON. */
export function sseMessage(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An SSE comment line: keeps proxies and clients from timing the stream out. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

function isEventType(value: string): value is EngineEventType {
  return (ENGINE_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The event types a `types=a,b` query asks for: every type when absent or empty. Throws on a name
 * that is no event type, so a typo is a 400 rather than a silent stream.
 */
export function parseEventTypes(query: string | undefined): ReadonlySet<EngineEventType> {
  const names = (query ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return new Set(ENGINE_EVENT_TYPES);
  const unknown = names.filter((n) => !isEventType(n));
  if (unknown.length > 0) {
    throw new RangeError(`unknown event type ${unknown.join(', ')}; known: ${ENGINE_EVENT_TYPES.join(', ')}`);
  }
  return new Set(names.filter(isEventType));
}
