/**
 * One error catalogue as data: every error Switchboard reports to a peer or a user, with its HL7
 * table 0357 code, HTTP status, DIMSE status and how to fix it. ERR segments, HTTP problem bodies
 * and DIMSE statuses are all derived from here.
 */
export interface ErrorDefinition {
  readonly code: string;
  readonly message: string;
  readonly httpStatus: number;
  /** HL7 table 0357 (message error condition codes). */
  readonly hl7Code: string;
  readonly hl7Text: string;
  /** What the sender's ACK says: AE (error, correct and resend) or AR (rejected). */
  readonly ackCode: 'AE' | 'AR';
  /** DIMSE status (hex), when the error can arise over DICOM. */
  readonly dimseStatus: number | null;
  readonly fix: string;
}

const define = <T extends Record<string, Omit<ErrorDefinition, 'code'>>>(
  defs: T,
): { readonly [K in keyof T]: ErrorDefinition } => {
  const out: Record<string, ErrorDefinition> = {};
  for (const [code, def] of Object.entries(defs)) out[code] = Object.freeze({ code, ...def });
  return Object.freeze(out) as { readonly [K in keyof T]: ErrorDefinition };
};

export const ERRORS = define({
  HL7_NOT_PARSEABLE: {
    message: 'The message could not be parsed as HL7 v2',
    httpStatus: 400,
    hl7Code: '100',
    hl7Text: 'Segment sequence error',
    ackCode: 'AR',
    dimseStatus: null,
    fix: 'Send a message that starts with an MSH segment with valid MSH-1/MSH-2 delimiters.',
  },
  HL7_MISSING_REQUIRED_FIELD: {
    message: 'A required field is missing',
    httpStatus: 400,
    hl7Code: '101',
    hl7Text: 'Required field missing',
    ackCode: 'AE',
    dimseStatus: null,
    fix: 'Populate the field named in ERR-2 and resend.',
  },
  HL7_DATA_TYPE_ERROR: {
    message: 'A field does not match its data type',
    httpStatus: 400,
    hl7Code: '102',
    hl7Text: 'Data type error',
    ackCode: 'AE',
    dimseStatus: null,
    fix: 'Correct the value at the location in ERR-2 and resend.',
  },
  HL7_UNSUPPORTED_MESSAGE_TYPE: {
    message: 'No channel accepts this message type',
    httpStatus: 422,
    hl7Code: '200',
    hl7Text: 'Unsupported message type',
    ackCode: 'AR',
    dimseStatus: null,
    fix: 'Add the message type to a channel source, or stop sending it to this port.',
  },
  HL7_UNSUPPORTED_EVENT: {
    message: 'No channel accepts this trigger event',
    httpStatus: 422,
    hl7Code: '201',
    hl7Text: 'Unsupported event code',
    ackCode: 'AR',
    dimseStatus: null,
    fix: 'Add the trigger event to a channel source, or stop sending it to this port.',
  },
  HL7_UNSUPPORTED_VERSION: {
    message: 'Unsupported HL7 version (MSH-12)',
    httpStatus: 422,
    hl7Code: '203',
    hl7Text: 'Unsupported version id',
    ackCode: 'AR',
    dimseStatus: null,
    fix: 'Send an HL7 v2 version from 2.1 to 2.8.2 in MSH-12.',
  },
  MESSAGE_TOO_LARGE: {
    message: 'The message exceeds the configured maximum size',
    httpStatus: 413,
    hl7Code: '207',
    hl7Text: 'Application internal error',
    ackCode: 'AR',
    dimseStatus: null,
    fix: 'Raise the listener maxMessageBytes or split the message.',
  },
  STORE_UNAVAILABLE: {
    message: 'The message could not be stored; nothing was accepted',
    httpStatus: 503,
    hl7Code: '207',
    hl7Text: 'Application internal error',
    ackCode: 'AE',
    dimseStatus: 0xa700,
    fix: 'Resend later; check the database connection (DATABASE_URL) and disk space.',
  },
});

export type ErrorCode = keyof typeof ERRORS;

/** An error that knows its catalogue entry, and where in the message it was found. */
export class SwitchboardError extends Error {
  readonly definition: ErrorDefinition;
  /** HL7 location (ERR-2), e.g. `MSH-10` or `PID-3`. */
  readonly location: string | null;

  constructor(code: ErrorCode, detail?: string, location?: string | null) {
    const definition = ERRORS[code];
    super(detail ? `${definition.message}: ${detail}` : definition.message);
    this.name = 'SwitchboardError';
    this.definition = definition;
    this.location = location ?? null;
  }
}
