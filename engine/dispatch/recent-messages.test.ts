import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../store/types.ts';
import { RecentMessages } from './recent-messages.ts';

const message = (id: string, controlId: string): StoredMessage =>
  ({ id, controlId, messageType: 'ADT', triggerEvent: 'A01' }) as StoredMessage;

describe('RecentMessages', () => {
  it('answers remembered messages without loading and loads the rest', async () => {
    const loaded: string[] = [];
    const recent = new RecentMessages(async (id) => {
      loaded.push(id);
      return id === '9' ? message('9', 'C9') : null;
    }, 2);
    recent.remember(message('1', 'C1'));
    recent.remember(message('2', 'C2'));
    recent.remember(message('3', 'C3')); // capacity 2: '1' is forgotten
    expect(await recent.meta('3')).toEqual({ controlId: 'C3', messageType: 'ADT', triggerEvent: 'A01' });
    expect(await recent.meta('2')).toMatchObject({ controlId: 'C2' });
    expect(loaded).toEqual([]);
    expect(await recent.meta('1')).toEqual({ controlId: '', messageType: '', triggerEvent: '' });
    expect(await recent.meta('9')).toMatchObject({ controlId: 'C9' });
    expect(loaded).toEqual(['1', '9']);
  });
});
