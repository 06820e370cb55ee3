/**
 * ServiceRequest.status of an order group, per ORC[ServiceRequest]: ORC-5 (order status, "HL7
 * Concept Map_ OrderStatus") when valued, else ORC-1 ("IF ORC-5 NOT VALUED", "HL7 Concept Map_
 * OrderControlCode[ServiceRequest.status]"); an ORC-5 outside table 0038 falls back to ORC-1.
 * Codes neither table maps give "unknown" (R4 status is 1..1) and a warning naming the code.
 */
import type { SegmentMapEnv } from '../adt/env.ts';
import { ORDER_CONTROL_STATUS, ORDER_STATUS, type RequestStatus } from '../vocabulary/order-control.ts';

/** ORC-1 and ORC-5 of one group, decoded ('' when absent). */
export interface OrderControl {
  readonly control: string;
  readonly orderStatus: string;
}

export function orderRequestStatus(
  env: SegmentMapEnv,
  { control, orderStatus }: OrderControl,
): RequestStatus {
  if (orderStatus !== '') {
    const byStatus = ORDER_STATUS.get(orderStatus);
    if (byStatus) return byStatus;
    env.warnings.push(`ORC-5 code "${orderStatus}" is not in table 0038: status taken from ORC-1`);
  }
  const effect = ORDER_CONTROL_STATUS.get(control);
  if (effect === undefined) {
    env.warnings.push(
      control === ''
        ? 'ORC-1 (order control) is empty: ServiceRequest.status is "unknown"'
        : `ORC-1 code "${control}" has no ServiceRequest.status in OrderControlCode: status is "unknown"`,
    );
    return 'unknown';
  }
  if (effect === 'from-order-status') {
    env.warnings.push(`ORC-1 "${control}" needs a table 0038 code in ORC-5: status is "unknown"`);
    return 'unknown';
  }
  return effect;
}
