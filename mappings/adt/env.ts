import type { Hl7Message } from '../../engine/hl7/message.ts';
import type { CxContext } from '../datatypes/cx.ts';
import { fieldPath, fieldValue } from '../datatypes/field.ts';
import { defaultTimezone } from '../options.ts';
import type { MappingContext } from '../types.ts';

const MSH_3 = fieldPath('MSH-3');
const MSH_4 = fieldPath('MSH-4');
const MSH_10 = fieldPath('MSH-10');

/** What the segment maps of one message share: options, identifier systems, sender, warnings. */
export interface SegmentMapEnv {
  readonly message: Hl7Message;
  readonly tz: string;
  readonly cx: CxContext;
  /** MSH-3.1, MSH-4.1 and MSH-10, decoded: the message's own identity, for derived keys. */
  readonly sender: { readonly application: string; readonly facility: string; readonly controlId: string };
  readonly warnings: string[];
}

export function segmentMapEnv(message: Hl7Message, ctx: MappingContext): SegmentMapEnv {
  const application = fieldValue(message, MSH_3);
  const facility = fieldValue(message, MSH_4);
  const defaultAuthority = facility.get(1) !== '' || facility.get(2) !== '' ? facility : application;
  return {
    message,
    tz: defaultTimezone(ctx.options),
    cx: {
      systems: ctx.identifierSystems,
      defaultAuthority: {
        namespaceId: defaultAuthority.get(1),
        universalId: defaultAuthority.get(2),
        universalIdType: defaultAuthority.get(3),
      },
    },
    sender: {
      application: application.get(1),
      facility: facility.get(1),
      controlId: fieldValue(message, MSH_10).get(1),
    },
    warnings: [],
  };
}
