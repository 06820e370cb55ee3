import { buildAck, salvageHeader, type AckError } from '../hl7/ack.ts';
import { Hl7Message } from '../hl7/message.ts';
import { splitBatch } from '../hl7/batch.ts';
import type { Hl7Header } from '../hl7/types.ts';
import { SwitchboardError } from '../errors/catalogue.ts';
import type { Logger } from '../log/logger.ts';
import type { IngestRequest, IngestResult, PatientIdentifier } from '../store/types.ts';
import { planAcks, type AppAckCode } from './ack-policy.ts';
import { patientIdentifiersOf } from './patient-identifiers.ts';
import { validateHeader } from './validate-header.ts';

export interface Hl7IngestDeps {
  /** Durable commit (group commit in front of the store). */
  readonly ingest: (req: IngestRequest) => Promise<IngestResult>;
  /** Does a routed channel on this listener take the type? */
  readonly accepts: (listener: string, messageType: string, triggerEvent: string) => boolean;
  /** Called after commit for messages that are to be processed. */
  readonly onAccepted: (messageId: string, partitionKey: string | null) => void;
  readonly logger: Logger;
  readonly dedupWindowSeconds: number;
  readonly ackSendingApplication: string;
  readonly ackSendingFacility: string;
}

export interface SourceInfo {
  /** Listener name as channels name it, e.g. `mllp`. */
  readonly listener: string;
  /** Stored with the message, e.g. `mllp:2575`. */
  readonly listenerId: string;
  readonly remoteAddress: string | null;
  /** The listener's acknowledgment mode (see MllpListenerConfig.ackMode). */
  readonly ackMode: 'auto' | 'original';
}

let ackCounter = 0;
/** ACK control ids: unique per process start and counter, short enough for MSH-10 (ST, 20 chars in 2.3). */
export function nextAckControlId(): string {
  ackCounter = (ackCounter + 1) % 1_000_000;
  return `SB${Date.now().toString(36).toUpperCase()}${ackCounter.toString(36).toUpperCase().padStart(4, '0')}`;
}

/**
 * Patient partition key: PID-3 first repetition (ID + assigning authority), so one patient's messages
 * are processed in arrival order. MRG (merges) still key on the surviving patient.
 */
export function partitionKeyOf(message: Hl7Message): string | null {
  const id = message.get('PID-3.1');
  if (id === '') return null;
  return `${message.get('PID-3.4.1')}|${id}`;
}

interface Verdict {
  readonly header: Hl7Header | null;
  readonly outcome: AppAckCode;
  readonly error: AckError | null;
  readonly partitionKey: string | null;
  /** For search; kept for rejected messages too, so they can be found by patient. */
  readonly patientIds: readonly PatientIdentifier[];
}

function judge(frame: Buffer, source: SourceInfo, deps: Hl7IngestDeps): Verdict {
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(frame);
    message.segmentNames(); // forces segment splitting so a bad segment id is found now, not later
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const location = err instanceof SwitchboardError ? err.location : null;
    return {
      header: salvageHeader(frame),
      outcome: 'AR',
      error: { code: 'HL7_NOT_PARSEABLE', detail, location },
      partitionKey: null,
      patientIds: [],
    };
  }
  const header = message.header;
  const patientIds = patientIdentifiersOf(message);
  const problem = validateHeader(header);
  if (problem)
    return {
      header,
      outcome: problem.code === 'HL7_MISSING_REQUIRED_FIELD' ? 'AE' : 'AR',
      error: problem,
      partitionKey: null,
      patientIds,
    };
  if (!deps.accepts(source.listener, header.messageType, header.triggerEvent)) {
    const anyTrigger = deps.accepts(source.listener, header.messageType, '');
    return {
      header,
      outcome: 'AR',
      error: {
        code: anyTrigger ? 'HL7_UNSUPPORTED_EVENT' : 'HL7_UNSUPPORTED_MESSAGE_TYPE',
        detail: `no channel on listener "${source.listener}" accepts ${header.messageType}^${header.triggerEvent}`,
        location: 'MSH-9',
      },
      partitionKey: null,
      patientIds,
    };
  }
  return { header, outcome: 'AA', error: null, partitionKey: partitionKeyOf(message), patientIds };
}

/** The acknowledgments for a verdict, as one buffer of zero, one or two HL7 messages. */
function ackBytes(verdict: Verdict, deps: Hl7IngestDeps, mode: 'auto' | 'original'): Buffer {
  const plan = planAcks(verdict.header, verdict.outcome, mode);
  const opts = {
    sendingApplication: deps.ackSendingApplication,
    sendingFacility: deps.ackSendingFacility,
    timestamp: new Date(),
  };
  const error = verdict.error ?? undefined;
  let text = '';
  if (plan.commit)
    text += buildAck(verdict.header, plan.commit, { ...opts, controlId: nextAckControlId() }, error);
  if (plan.application) {
    text += buildAck(verdict.header, plan.application, { ...opts, controlId: nextAckControlId() }, error);
  }
  return Buffer.from(text, 'utf8');
}

/** Splits stored ACK bytes back into the messages to send, one frame each. */
export function ackFrames(ack: Buffer): Buffer[] {
  return ack.length === 0 ? [] : splitBatch(ack).messages;
}

/**
 * One received frame -> durable store -> the acknowledgments to send. Nothing is ACKed before it
 * is committed; unparseable and rejected input is stored too (status `rejected`) for review.
 * Only when the store itself fails is nothing stored: the sender gets AE and must resend.
 */
export async function ingestHl7(frame: Buffer, source: SourceInfo, deps: Hl7IngestDeps): Promise<Buffer[]> {
  const verdict = judge(frame, source, deps);
  const ack = ackBytes(verdict, deps, source.ackMode);
  const h = verdict.header;
  const request: IngestRequest = {
    raw: frame,
    listener: source.listenerId,
    remoteAddress: source.remoteAddress,
    header: h
      ? {
          sendingApplication: h.sendingApplication,
          sendingFacility: h.sendingFacility,
          receivingApplication: h.receivingApplication,
          receivingFacility: h.receivingFacility,
          messageType: h.messageType,
          triggerEvent: h.triggerEvent,
          controlId: h.controlId,
          version: h.version,
        }
      : null,
    partitionKey: verdict.partitionKey,
    ackCode: verdict.outcome,
    ack,
    error: verdict.error ? `${verdict.error.code}: ${verdict.error.detail}` : null,
    dedupWindowSeconds: deps.dedupWindowSeconds,
    patientIds: verdict.patientIds,
  };
  let result: IngestResult;
  try {
    result = await deps.ingest(request);
  } catch (err) {
    deps.logger.error('message not stored; answering AE so the sender resends', {
      listener: source.listenerId,
      error: String(err),
    });
    return ackFrames(
      ackBytes(
        {
          ...verdict,
          outcome: 'AE',
          error: { code: 'STORE_UNAVAILABLE', detail: 'the message could not be stored', location: null },
        },
        deps,
        source.ackMode,
      ),
    );
  }
  if (result.duplicateOf) {
    deps.logger.info('duplicate message answered with its original ACK', {
      messageId: result.messageId,
      duplicateOf: result.duplicateOf,
    });
  } else if (verdict.outcome === 'AA') {
    deps.onAccepted(result.messageId, verdict.partitionKey);
  } else {
    // The detail may quote message content (a malformed line): only the code above debug level.
    deps.logger.warn('message rejected', {
      messageId: result.messageId,
      ackCode: verdict.outcome,
      code: verdict.error?.code ?? null,
      location: verdict.error?.location ?? null,
    });
    deps.logger.debug('message rejected: detail', { messageId: result.messageId, error: request.error });
  }
  return ackFrames(result.ack);
}
