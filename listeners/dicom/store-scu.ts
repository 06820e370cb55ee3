/**
 * A C-STORE SCU: one association to a remote AE, objects sent one at a time exactly as stored (the
 * dataset bytes in their stored transfer syntax, never transcoded), then a release. Used by C-MOVE
 * to push sub-operations to the move destination. Each (SOP class, transfer syntax) pair is one
 * presentation context proposing only that transfer syntax: an object whose context the peer
 * refuses is a failed sub-operation, not a transcoded one. Our own socket and PDU handling
 * (dimse-wire.ts), not dcmjs-dimse's Client: that one re-encodes datasets and proposes Implicit and
 * Explicit VR Little Endian for everything.
 */
import net from 'node:net';
import {
  CommandField,
  PduReader,
  PduType,
  abortPdu,
  associateRq,
  cStoreRqCommand,
  pDataPdus,
  readAssociateAc,
  readCommand,
  readPdvs,
  releaseRq,
  type ProposedContext,
} from '../../engine/dicom/retrieve/dimse-wire.ts';

export interface StoreScuOptions {
  readonly host: string;
  readonly port: number;
  readonly callingAe: string;
  readonly calledAe: string;
  /** The (SOP class, transfer syntax) pairs that will be sent. At most 128 distinct pairs are proposed. */
  readonly syntaxes: readonly { readonly sopClassUid: string; readonly transferSyntaxUid: string }[];
  /** Longest wait for any one answer (connect, association, each C-STORE response). Default 30 s. */
  readonly timeoutMs?: number;
}

export interface StoreObject {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** The dataset bytes (no preamble, no meta group), in transfer syntax `transferSyntaxUid`. */
  readonly dataset: Buffer;
}

/** 0x0000 success, 0xB000..0xBFFF warning, anything else failure; -1 when no context was accepted. */
export type StoreOutcome = { readonly status: number };

export const NO_CONTEXT_STATUS = -1;
const OUR_MAX_PDU = 65_536;

export class StoreScuError extends Error {
  override readonly name = 'StoreScuError';
}

const key = (sopClassUid: string, ts: string): string => `${sopClassUid} ${ts}`;

export class StoreScu {
  private readonly reader = new PduReader(OUR_MAX_PDU + 1024);
  private waiter: {
    resolve: (pdu: { type: number; body: Buffer }) => void;
    reject: (e: Error) => void;
  } | null = null;
  private readonly queue: { type: number; body: Buffer }[] = [];
  private failure: Error | null = null;
  private messageId = 0;
  private accepted = new Map<string, number>();
  private peerMaxPdu = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const p of this.reader.push(chunk)) this.deliver(p);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        socket.destroy();
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new StoreScuError('connection closed')));
  }

  /** Connects and negotiates. Rejects if the connection or the association fails. */
  static async open(options: StoreScuOptions): Promise<StoreScu> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const socket = net.connect({ host: options.host, port: options.port });
    const scu = new StoreScu(socket, timeoutMs);
    try {
      await scu.bounded(
        new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        }),
        'connect',
      );
      const contexts: ProposedContext[] = [];
      const ids = new Map<number, string>();
      for (const s of options.syntaxes) {
        const k = key(s.sopClassUid, s.transferSyntaxUid);
        if ([...ids.values()].includes(k) || contexts.length >= 128) continue;
        const id = contexts.length * 2 + 1;
        ids.set(id, k);
        contexts.push({ id, abstractSyntaxUid: s.sopClassUid, transferSyntaxUids: [s.transferSyntaxUid] });
      }
      socket.write(associateRq(options.callingAe, options.calledAe, contexts, OUR_MAX_PDU));
      const answer = await scu.next('association');
      if (answer.type !== PduType.AssociateAc) {
        throw new StoreScuError(
          answer.type === PduType.AssociateRj ? 'association rejected' : `unexpected PDU ${answer.type}`,
        );
      }
      const ac = readAssociateAc(answer.body);
      scu.peerMaxPdu = ac.maxPduLength;
      for (const c of ac.contexts) {
        const k = ids.get(c.id);
        // Accepted, and in the one transfer syntax proposed (anything else would be a peer error).
        if (k !== undefined && c.result === 0 && k.endsWith(` ${c.transferSyntaxUid}`))
          scu.accepted.set(k, c.id);
      }
      return scu;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  /** Sends one object and waits for its C-STORE response. Rejects only when the association broke. */
  async store(
    object: StoreObject,
    moveOriginator?: { readonly aeTitle: string; readonly messageId: number },
  ): Promise<StoreOutcome> {
    const contextId = this.accepted.get(key(object.sopClassUid, object.transferSyntaxUid));
    if (contextId === undefined) return { status: NO_CONTEXT_STATUS };
    this.messageId = (this.messageId % 0xffff) + 1;
    const messageId = this.messageId;
    const command = cStoreRqCommand({
      messageId,
      sopClassUid: object.sopClassUid,
      sopInstanceUid: object.sopInstanceUid,
      ...(moveOriginator !== undefined ? { moveOriginator } : {}),
    });
    for (const p of pDataPdus(contextId, command, object.dataset, this.peerMaxPdu)) this.socket.write(p);
    let commandBytes: Buffer[] = [];
    for (;;) {
      const answer = await this.next('C-STORE response');
      if (answer.type !== PduType.PData) throw new StoreScuError(`unexpected PDU ${answer.type}`);
      for (const pdv of readPdvs(answer.body)) {
        if (!pdv.command) continue;
        commandBytes.push(pdv.value);
        if (!pdv.last) continue;
        const response = readCommand(Buffer.concat(commandBytes));
        commandBytes = [];
        if (response.commandField === CommandField.CStoreRsp && response.respondedTo === messageId) {
          return { status: response.status };
        }
      }
    }
  }

  /** A-RELEASE, waiting (bounded) for the reply; then the connection closes. Never rejects. */
  async release(): Promise<void> {
    try {
      if (this.failure === null) {
        this.socket.write(releaseRq());
        await this.next('release');
      }
    } catch {
      // Released or not, the association is over.
    } finally {
      this.socket.end();
      this.socket.destroy();
    }
  }

  abort(): void {
    if (!this.socket.destroyed) this.socket.end(abortPdu());
  }

  private deliver(p: { type: number; body: Buffer }): void {
    if (p.type === PduType.Abort) return this.fail(new StoreScuError('association aborted by the peer'));
    if (this.waiter !== null) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(p);
    } else this.queue.push(p);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.waiter !== null) {
      const { reject } = this.waiter;
      this.waiter = null;
      reject(this.failure);
    }
  }

  private next(what: string): Promise<{ type: number; body: Buffer }> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure !== null) return Promise.reject(this.failure);
    return this.bounded(
      new Promise((resolve, reject) => {
        this.waiter = { resolve, reject };
      }),
      what,
    );
  }

  private async bounded<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.waiter = null;
        reject(new StoreScuError(`no answer to ${what} within ${this.timeoutMs} ms`));
        this.socket.destroy();
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
