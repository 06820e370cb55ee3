import type { AckError } from '../hl7/ack.ts';
import type { Hl7Header } from '../hl7/types.ts';

/** HL7 v2 versions Switchboard accepts (MSH-12): 2.1 to 2.8.x, and the "2.3.z" style local suffixes seen in the wild. */
const VERSION = /^2\.[1-8](\.\d+)?(\.[A-Za-z0-9]+)?$/;

/**
 * Checks an incoming message's header before it is accepted (HL7 v2.5 ch. 2.9.2 "Response to the
 * sender": reject what we cannot process). Returns the first problem, or null.
 * MSH-9, MSH-10 or MSH-12 missing -> AE/101 (required field missing, ch. 2.14.9); unsupported
 * version -> AR/203. MSH-11 (processing id) is not judged here: senders use values beyond table 0103
 * (e.g. "N" in CDC feeds); a channel filter on MSH-11 decides what to do with test traffic.
 */
export function validateHeader(header: Hl7Header): AckError | null {
  if (header.messageType === '') {
    return { code: 'HL7_MISSING_REQUIRED_FIELD', detail: 'MSH-9 (message type) is empty', location: 'MSH-9' };
  }
  if (header.controlId === '') {
    return {
      code: 'HL7_MISSING_REQUIRED_FIELD',
      detail: 'MSH-10 (message control ID) is empty',
      location: 'MSH-10',
    };
  }
  if (header.version === '') {
    return { code: 'HL7_MISSING_REQUIRED_FIELD', detail: 'MSH-12 (version ID) is empty', location: 'MSH-12' };
  }
  if (!VERSION.test(header.version)) {
    return {
      code: 'HL7_UNSUPPORTED_VERSION',
      detail: `MSH-12 "${header.version}" is not an HL7 v2 version from 2.1 to 2.8`,
      location: 'MSH-12',
    };
  }
  return null;
}
