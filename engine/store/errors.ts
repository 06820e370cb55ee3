/**
 * markDeliverySent found the delivery not queued: someone else sent it (or it was dead-lettered).
 * Thrown so a caller's transaction (e.g. FHIR resources written with the mark) rolls back: exactly once.
 */
export class DeliveryNotQueuedError extends Error {
  readonly deliveryId: string;
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId} is not queued (already sent, dead-lettered or unknown)`);
    this.name = 'DeliveryNotQueuedError';
    this.deliveryId = deliveryId;
  }
}
