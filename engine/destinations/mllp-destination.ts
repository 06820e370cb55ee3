import net from 'node:net';
import tls from 'node:tls';
import { Message, MLLPCodec } from 'node-hl7-client';
import { HL7_V2_CONTENT_TYPE } from '../channels/transform.ts';
import type { Payload } from '../channels/transform.ts';
import type { DestinationSpec } from '../channels/types.ts';
import type { DeliveryOutcome, Destination } from './types.ts';

type MllpSpec = Extract<DestinationSpec, { type: 'mllp' }>;

/*
 * node-hl7-client 3.2 provides the MLLP framing (MLLPCodec) and the HL7 parsing (Message) used here. Its
 * Client/Connection transport is not used, because with it a message can be lost or sent twice:
 * - sendMessage() resolves even when nothing was sent: while not connected (refused, peer gone) or while
 *   an ACK is awaited, the message goes to an in-memory queue that is replayed on the next connect (a
 *   duplicate once our timeout has made the engine retry) and drops its oldest entry when full;
 * - with connectionTimeout 0 ("stay connected") a refused connection or a peer closing the socket raises
 *   no event at all; with connectionTimeout > 0 its timer is never cleared after connecting, so a healthy
 *   socket is destroyed every connectionTimeout ms (at most 60 s), mid-delivery or not;
 * - Message({text}) trims the text, so the bytes sent are not the payload's bytes;
 * - the response callback does not say which message an ACK answers.
 * So the socket's lifecycle is ours: one connection, one message in flight, reset on any doubt.
 */

/** HL7 v2 bytes are not always UTF-8; latin1 maps every byte to one char and back, so the bytes go out unchanged. */
const WIRE_ENCODING = 'latin1';

class Link {
  private readonly codec = new MLLPCodec('utf-8');
  private waiter: ((answer: string | Error) => void) | null = null;
  private closedBecause: string | null = null;
  private readonly socket: net.Socket;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    // Idle connections to a peer that vanished are noticed without waiting for the next delivery's timeout.
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => {
      let complete: boolean;
      try {
        complete = this.codec.receiveData(chunk);
      } catch (err) {
        this.close(`unreadable answer: ${(err as Error).message}`);
        return;
      }
      if (!complete) return;
      const answer = this.codec.getLastMessage() ?? '';
      const waiter = this.waiter;
      this.waiter = null;
      // An answer nobody waits for is dropped: a timed-out exchange already reset its link.
      waiter?.(answer);
    });
    socket.on('error', (err) => this.close(err.message));
    socket.on('end', () => this.close('connection closed by the peer'));
    socket.on('close', () => this.close('connection closed'));
  }

  get usable(): boolean {
    return this.closedBecause === null;
  }

  /** Sends one framed message and resolves with the deframed answer. */
  exchange(text: string, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.closedBecause !== null) {
        reject(new Error(this.closedBecause));
        return;
      }
      const timer = setTimeout(() => {
        // A late ACK must never be taken for the next message's: this connection is finished.
        this.close('no ACK within the delivery timeout');
      }, timeoutMs);
      this.waiter = (answer) => {
        clearTimeout(timer);
        if (answer instanceof Error) reject(answer);
        else resolve(answer);
      };
      this.codec.sendMessage(this.socket, text, WIRE_ENCODING);
    });
  }

  close(reason: string): void {
    if (this.closedBecause === null) this.closedBecause = reason;
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.(new Error(this.closedBecause));
    this.socket.destroy();
  }
}

function connect(spec: MllpSpec, timeoutMs: number): Promise<Link> {
  return new Promise((resolve, reject) => {
    const socket = spec.tls
      ? tls.connect({ host: spec.host, port: spec.port })
      : net.connect({ host: spec.host, port: spec.port });
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', fail);
    socket.once(spec.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(new Link(socket));
    });
  });
}

/** The outgoing message as text, with its control id (MSH-10), or why it can never be sent over MLLP. */
function prepare(payload: Payload): { text: string; controlId: string } | string {
  const mediaType = (payload.contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType !== HL7_V2_CONTENT_TYPE) {
    return `MLLP carries HL7 v2 messages, got ${payload.contentType}: remove the mapping or use another destination`;
  }
  // MLLP has no escape for its frame bytes: a receiver would cut the message at them.
  if (payload.body.includes(0x0b) || payload.body.includes(0x1c)) {
    return 'payload contains an MLLP frame byte (0x0B or 0x1C) and cannot be framed';
  }
  const text = payload.body.toString(WIRE_ENCODING);
  if (!/^MSH.[^\r\n]{4}/.test(text))
    return 'payload is not an HL7 v2 message (it does not start with an MSH segment)';
  try {
    return { text, controlId: new Message({ text }).get('MSH.10').toString().trim() };
  } catch (err) {
    return `payload is not a single HL7 v2 message: ${(err as Error).message}`;
  }
}

/**
 * MSA-1 decides (HL7 v2.5 section 2.9.2, table 0008): AA/CA delivered, AE/CE transient (the receiver
 * had an error processing it), AR/CR permanent (it rejects the message). Without requireAck, any answer
 * that acknowledges our message counts as delivered.
 */
function interpret(
  answer: string,
  controlId: string,
  spec: MllpSpec,
  where: string,
): DeliveryOutcome | 'reset' {
  let ack: Message | null;
  try {
    ack = new Message({ text: answer });
  } catch {
    ack = null;
  }
  const code = ack?.get('MSA.1').toString().trim().toUpperCase() ?? '';
  const acked = ack?.get('MSA.2').toString().trim() ?? '';
  if (acked !== '' && controlId !== '' && acked !== controlId) return 'reset';
  if (!spec.requireAck || code === 'AA' || code === 'CA') return { ok: true, response: answer };
  const errorCode = ack?.get('ERR.3.1').toString().trim() || ack?.get('MSA.6.1').toString().trim() || '';
  // MSA-3/ERR texts are left out: error texts are logged above debug level, where PHI may not go.
  const detail = `${where} answered ${code || 'without MSA-1'}${errorCode ? ` (error code ${errorCode})` : ''}`;
  if (code === 'AR' || code === 'CR') return { ok: false, error: detail, errorClass: 'permanent' };
  return { ok: false, error: detail, errorClass: 'transient' };
}

/**
 * Forwards HL7 v2 messages over one kept-open MLLP connection (TLS when spec.tls), one message at a time
 * (deliveries of different partitions wait their turn: MLLP answers carry no reliable correlation).
 * Every failure drops the connection; the next delivery opens a new one.
 */
export function createMllpDestination(spec: MllpSpec): Destination {
  const where = `mllp://${spec.host}:${spec.port}`;
  let link: Link | null = null;
  let tail: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const transient = (error: string): DeliveryOutcome => ({
    ok: false,
    error: `${where}: ${error}`,
    errorClass: 'transient',
  });

  const deliverNow = async (payload: Payload): Promise<DeliveryOutcome> => {
    const prepared = prepare(payload);
    if (typeof prepared === 'string') return { ok: false, error: prepared, errorClass: 'permanent' };
    const deadline = Date.now() + spec.timeoutMs;
    if (link === null || !link.usable) {
      link = null;
      try {
        link = await connect(spec, spec.timeoutMs);
      } catch (err) {
        return transient(`cannot connect: ${(err as Error).message}`);
      }
    }
    const current = link;
    let answer: string;
    try {
      answer = await current.exchange(prepared.text, Math.max(1, deadline - Date.now()));
    } catch (err) {
      return transient(`${(err as Error).message} (the receiver may have the message already)`);
    }
    const outcome = interpret(answer, prepared.controlId, spec, where);
    if (outcome !== 'reset') return outcome;
    current.close('ACK for another message');
    return transient(`the ACK names another control id than ${prepared.controlId}: connection reset`);
  };

  return {
    name: spec.name,
    type: 'mllp',
    start: async () => {
      stopped = false;
    },
    stop: async () => {
      stopped = true;
      await tail;
      link?.close('destination stopped');
      link = null;
    },
    deliver: (payload) => {
      // Deliveries accepted before stop() still run: stop() waits for them.
      if (stopped) return Promise.resolve(transient('destination stopped'));
      const run = tail.then(() => deliverNow(payload)).catch((err: unknown) => transient(String(err)));
      tail = run;
      return run;
    },
  };
}
