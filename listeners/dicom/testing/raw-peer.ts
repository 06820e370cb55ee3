/**
 * Test support: a DICOM peer on a raw socket, for what no well-behaved client sends (bad PDUs, lying
 * lengths, half-sent datasets). Writes whatever bytes it is given and reads the answers back as
 * whole PDUs (dimse-wire.ts), with every wait bounded.
 */
import net from 'node:net';
import {
  PduReader,
  PduType,
  associateRq,
  cStoreRqCommand,
  pDataPdus,
  readAssociateAc,
  readCommand,
  readPdvs,
  type AssociateAc,
  type ProposedContext,
} from '../../../engine/dicom/retrieve/dimse-wire.ts';

export type PeerPdu = { readonly type: number; readonly body: Buffer };

const WAIT_MS = 5000;

export class RawPeer {
  private readonly reader = new PduReader(1 << 24);
  private readonly pdus: PeerPdu[] = [];
  private waiter: (() => void) | undefined;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      for (const pdu of this.reader.push(chunk)) this.pdus.push(pdu);
      this.waiter?.();
    });
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.once('close', () => {
        this.closed = true;
        this.waiter?.();
        resolve();
      }),
    );
  }

  static connect(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The next PDU from the server, or null once the connection closed without one. Throws after 5 s. */
  async next(): Promise<PeerPdu | null> {
    const deadline = Date.now() + WAIT_MS;
    while (this.pdus.length === 0 && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no PDU and no close within 5 s');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.pdus.shift() ?? null;
  }

  /** Resolves once the server closed the connection; throws after 5 s. */
  async waitClosed(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('connection still open after 5 s')), WAIT_MS);
    });
    try {
      await Promise.race([this.closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends an A-ASSOCIATE-RQ (optionally altered) and returns the answer PDU. */
  async associate(
    contexts: readonly ProposedContext[],
    options: { callingAe?: string; calledAe?: string; alter?: (pdu: Buffer) => Buffer } = {},
  ): Promise<PeerPdu | null> {
    const pdu = associateRq(options.callingAe ?? 'RAW', options.calledAe ?? 'SWITCHBOARD', contexts, 16_384);
    this.write(options.alter ? options.alter(pdu) : pdu);
    return this.next();
  }

  /** Associates and expects an A-ASSOCIATE-AC. */
  async associateOk(contexts: readonly ProposedContext[]): Promise<AssociateAc> {
    const answer = await this.associate(contexts);
    if (answer?.type !== PduType.AssociateAc) throw new Error(`expected A-ASSOCIATE-AC, got ${answer?.type}`);
    return readAssociateAc(answer.body);
  }

  /** C-STORE-RQ PDUs: command, then the dataset in fragments of at most `fragment` bytes. */
  static storePdus(
    contextId: number,
    fields: { sopClassUid: string; sopInstanceUid: string; messageId?: number },
    dataset: Buffer,
    maxPduLength = 16_384,
  ): Buffer[] {
    const command = cStoreRqCommand({ messageId: fields.messageId ?? 1, ...fields });
    return pDataPdus(contextId, command, dataset, maxPduLength);
  }

  /** Waits for a DIMSE response and returns its status. */
  async responseStatus(): Promise<number> {
    const pdu = await this.next();
    if (pdu?.type !== PduType.PData) throw new Error(`expected P-DATA-TF, got ${pdu?.type ?? 'close'}`);
    const command = readPdvs(pdu.body).find((p) => p.command);
    if (command === undefined) throw new Error('P-DATA-TF without a command');
    return readCommand(command.value).status;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A-ASSOCIATE-RJ body: result, source, reason (PS3.8 9.3.4). */
export function rejectFields(body: Buffer): { result: number; source: number; reason: number } {
  return { result: body.readUInt8(1), source: body.readUInt8(2), reason: body.readUInt8(3) };
}

/** A-ABORT body: source, reason (PS3.8 9.3.8). */
export function abortFields(body: Buffer): { source: number; reason: number } {
  return { source: body.readUInt8(2), reason: body.readUInt8(3) };
}
