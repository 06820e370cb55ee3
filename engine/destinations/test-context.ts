/** The delivery context destination tests hand to `deliver` (not used by the engine). */
import type { DeliveryContext } from './types.ts';

export const TEST_DELIVERY_CONTEXT: DeliveryContext = {
  deliveryId: '1',
  messageId: '42',
  channelId: 'adt',
  controlId: 'CTRL1',
  messageType: 'ADT',
  triggerEvent: 'A01',
  attempt: 1,
};
