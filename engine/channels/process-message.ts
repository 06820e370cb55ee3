import { Hl7Message } from '../hl7/message.ts';
import type { Logger } from '../log/logger.ts';
import type {
  ChannelResult,
  MessageStatus,
  MessageStore,
  NewDelivery,
  StoredMessage,
} from '../store/types.ts';
import type { CompiledChannel } from './compile.ts';
import { matchesMessageType } from './filters.ts';
import { HL7_V2_CONTENT_TYPE, type Payload, type TransformContext, type Transformer } from './transform.ts';

export interface ProcessorDeps {
  readonly store: MessageStore;
  /** The channels routing now (started or paused; stopped channels are not routed to). */
  readonly routedChannels: () => readonly CompiledChannel[];
  /** Called after deliveries were queued, so their queues look at once. */
  readonly onDeliveriesQueued: (channelId: string, destinations: readonly string[]) => void;
  /**
   * Called once the message's outcome is committed (deliveries included), before their queues are
   * kicked: the message as read, and what processing decided (for engine events and metrics).
   */
  readonly onProcessed?: (message: StoredMessage, outcome: ProcessingOutcome) => void;
  readonly logger: Logger;
}

export interface ProcessingOutcome {
  readonly status: Exclude<MessageStatus, 'received' | 'rejected' | 'duplicate'>;
  /** One per channel that took the message; empty when the stored message no longer parsed. */
  readonly results: readonly ChannelResult[];
  /** From the handler starting on the message to the commit of its outcome. */
  readonly seconds: number;
}

/** Listener name of a stored message: `mllp:2575` style ids keep the name before the colon. */
export function listenerName(listener: string): string {
  const i = listener.indexOf(':');
  return i === -1 ? listener : listener.slice(0, i);
}

/**
 * Messages posted to one channel over HTTP (POST /api/channels/{id}/messages) are stored with listener
 * `http:<channel id>` and go to that channel only, never to others sharing its MLLP listener.
 */
export const HTTP_LISTENER_PREFIX = 'http:';

export function httpListenerId(channelId: string): string {
  return `${HTTP_LISTENER_PREFIX}${channelId}`;
}

function takesMessage(channel: CompiledChannel, stored: StoredMessage): boolean {
  const types = matchesMessageType(
    channel.spec.source.messageTypes,
    stored.messageType ?? '',
    stored.triggerEvent ?? '',
  );
  if (stored.listener.startsWith(HTTP_LISTENER_PREFIX)) {
    return types && channel.spec.id === stored.listener.slice(HTTP_LISTENER_PREFIX.length);
  }
  return types && channel.spec.source.listener === listenerName(stored.listener);
}

async function applyAll(
  transformers: readonly Transformer[],
  input: Payload,
  ctx: TransformContext,
): Promise<Payload> {
  let payload = input;
  for (const t of transformers) payload = await t(payload, ctx);
  return payload;
}

interface ChannelOutcome {
  readonly result: ChannelResult;
  readonly deliveries: NewDelivery[];
}

async function runChannel(
  channel: CompiledChannel,
  message: Hl7Message,
  stored: StoredMessage,
): Promise<ChannelOutcome> {
  const channelId = channel.spec.id;
  const verdict = await channel.filter(message, { messageId: stored.id, channelId });
  if (!verdict.pass) {
    return { result: { channelId, status: 'filtered', error: null, detail: verdict.reason }, deliveries: [] };
  }
  const ctx: TransformContext = { message, messageId: stored.id, channelId };
  const source: Payload = { contentType: HL7_V2_CONTENT_TYPE, body: stored.raw };
  const channelPayload = await applyAll(channel.transformers, source, ctx);
  const deliveries: NewDelivery[] = [];
  for (const d of channel.destinations) {
    if (!d.spec.enabled) continue;
    const payload = await applyAll(d.transformers, channelPayload, ctx);
    deliveries.push({
      channelId,
      destination: d.spec.name,
      payload: payload.body,
      contentType: payload.contentType,
      maxAttempts: d.spec.retry.maxAttempts,
    });
  }
  return { result: { channelId, status: 'transformed', error: null, detail: null }, deliveries };
}

/**
 * The dispatcher's handler: runs every routed channel on one message and commits channel results,
 * deliveries and the message status in one transaction (store.completeProcessing). A channel that
 * throws is recorded as an error on the message (reprocess runs it again); other channels go on.
 */
export function createMessageProcessor(deps: ProcessorDeps): (messageId: string) => Promise<void> {
  return async (messageId) => {
    const started = performance.now();
    const elapsed = (): number => (performance.now() - started) / 1000;
    const stored = await deps.store.get(messageId);
    if (!stored || stored.status !== 'received') return;
    const channels = deps.routedChannels().filter((c) => takesMessage(c, stored));
    let message: Hl7Message;
    try {
      message = Hl7Message.parse(stored.raw);
    } catch (err) {
      if (await deps.store.completeProcessing(messageId, 'error', [], [])) {
        deps.onProcessed?.(stored, { status: 'error', results: [], seconds: elapsed() });
      }
      deps.logger.warn('stored message no longer parses', { messageId });
      deps.logger.debug('stored message no longer parses: detail', { messageId, error: String(err) });
      return;
    }
    const results: ChannelResult[] = [];
    const deliveries: NewDelivery[] = [];
    for (const channel of channels) {
      try {
        const outcome = await runChannel(channel, message, stored);
        results.push(outcome.result);
        deliveries.push(...outcome.deliveries);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        results.push({ channelId: channel.spec.id, status: 'error', error, detail: 'transformer' });
        // The error is kept in channel_results; its text may quote content, so only at debug here.
        deps.logger.warn('channel failed on message', { messageId, channel: channel.spec.id });
        deps.logger.debug('channel failed on message: detail', {
          messageId,
          channel: channel.spec.id,
          error,
        });
      }
    }
    const status = results.some((r) => r.status === 'error')
      ? 'error'
      : results.some((r) => r.status === 'transformed')
        ? 'processed'
        : 'filtered';
    const committed = await deps.store.completeProcessing(messageId, status, results, deliveries);
    if (!committed) return;
    deps.onProcessed?.(stored, { status, results, seconds: elapsed() });
    const byChannel = new Map<string, string[]>();
    for (const d of deliveries)
      byChannel.set(d.channelId, [...(byChannel.get(d.channelId) ?? []), d.destination]);
    for (const [channelId, names] of byChannel) deps.onDeliveriesQueued(channelId, names);
    deps.logger.debug('message processed', { messageId, status, deliveries: deliveries.length });
  };
}
