import type { StoredMessage } from '../store/types.ts';

export interface MessageMeta {
  readonly controlId: string;
  readonly messageType: string;
  readonly triggerEvent: string;
}

/**
 * What a delivery needs to know of its message (control id, type), remembered for recently
 * processed messages so a delivery right after processing does not read the message again. Bounded:
 * the oldest entries go first. A miss falls back to the store.
 */
export class RecentMessages {
  private readonly entries = new Map<string, MessageMeta>();

  constructor(
    private readonly load: (messageId: string) => Promise<StoredMessage | null>,
    private readonly capacity = 10_000,
  ) {}

  remember(message: StoredMessage): void {
    this.entries.delete(message.id);
    this.entries.set(message.id, metaOf(message));
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  async meta(messageId: string): Promise<MessageMeta> {
    const known = this.entries.get(messageId);
    if (known) return known;
    const message = await this.load(messageId);
    return message ? metaOf(message) : { controlId: '', messageType: '', triggerEvent: '' };
  }
}

function metaOf(m: StoredMessage): MessageMeta {
  return {
    controlId: m.controlId ?? '',
    messageType: m.messageType ?? '',
    triggerEvent: m.triggerEvent ?? '',
  };
}
