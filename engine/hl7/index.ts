export type { Delimiters, Hl7Charset, Hl7Header, Hl7Path } from './types.ts';
export { Hl7Message, readHeader } from './message.ts';
export { parseHl7Path, formatHl7Path, Hl7PathError } from './path.ts';
export { escapeHl7, unescapeHl7 } from './escape.ts';
export { splitBatch, type BatchSplit } from './batch.ts';
export { buildAck, salvageHeader, type AckCode, type AckError, type AckOptions } from './ack.ts';
export { DEFAULT_DELIMITERS } from './delimiters.ts';
