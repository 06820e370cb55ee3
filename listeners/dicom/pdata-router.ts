/**
 * Sits between an association's socket and dcmjs-dimse and takes the C-STORE requests for itself:
 * it follows the PDU framing (PS3.8 9.3), reads the PDV items of every P-DATA-TF (PS3.8 9.3.5),
 * and when a command set is a C-STORE-RQ, its dataset fragments go straight into a StoreAssembler
 * (one copy, into the object that will be stored) instead of through dcmjs-dimse, which handles
 * each PDU through an async event emitter, a SmartBuffer, a stream and a re-concatenation, about
 * 1 ms of main-thread CPU per 526 KB instance (docs/performance.md). Every other PDU, and every
 * other message (C-ECHO, C-FIND, C-MOVE, C-GET, C-CANCEL), goes on to dcmjs-dimse unchanged, as do
 * P-DATA-TF PDUs before the association is accepted (dcmjs-dimse refuses those as before).
 *
 * Forwarded PDV items are framed again as P-DATA-TF PDUs of their own, so a PDU that carried the
 * end of a C-STORE dataset and the start of another message loses nothing. The command fragments of
 * a message are held until its command set is whole: only then is it known whose message it is.
 */
import type { StoreAssembler } from './store-assembler.ts';

const P_DATA_TF = 0x04;
const C_STORE_RQ = 0x0001;
/** CommandDataSetType (0000,0800) meaning "no dataset" (PS3.7 E.1). */
const NO_DATASET = 0x0101;

/** What a C-STORE-RQ command set says (PS3.7 9.3.1.1), as far as storing needs it. */
export interface StoreCommand {
  readonly contextId: number;
  readonly messageId: number;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

interface CommandFields {
  readonly commandField: number;
  readonly messageId: number;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly hasDataset: boolean;
}

export interface PDataRouterHooks {
  /** Bytes for dcmjs-dimse: whole PDUs, or the rest of one whose head went before. */
  forward(bytes: Buffer): void;
  /** P-DATA-TF before this is true goes to dcmjs-dimse. */
  accepted(): boolean;
  /** A C-STORE-RQ came whose dataset follows: where to put it, or why the association must end. */
  storeStarted(command: StoreCommand): StoreAssembler | { readonly abort: string };
  /** Its last dataset fragment came. */
  storeReceived(command: StoreCommand, dataset: StoreAssembler): void;
  /** The stream cannot be followed or breaks the protocol: the association is aborted. */
  fail(code: 'malformed-pdu' | 'unexpected-pdu', message: string): void;
  /** A PDU was taken here (dcmjs-dimse's idle timer does not see it). */
  pduTaken(): void;
}

type State =
  | { readonly kind: 'idle' }
  /** A message of dcmjs-dimse's whose dataset is still coming. */
  | { readonly kind: 'forwarding' }
  | { readonly kind: 'storing'; readonly command: StoreCommand; readonly dataset: StoreAssembler };

const IDLE: State = { kind: 'idle' };
const FORWARDING: State = { kind: 'forwarding' };

/** A command set (implicit VR little endian, PS3.7 6.3.1); undefined when it cannot be followed. */
export function readCommandFields(bytes: Buffer): CommandFields | undefined {
  let commandField: number | undefined;
  let messageId = 0;
  let sopClassUid = '';
  let sopInstanceUid = '';
  let dataSetType = NO_DATASET;
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const group = bytes.readUInt16LE(offset);
    const element = bytes.readUInt16LE(offset + 2);
    const length = bytes.readUInt32LE(offset + 4);
    offset += 8;
    if (length > bytes.length - offset) return undefined;
    if (group === 0x0000) {
      if (element === 0x0100 && length === 2) commandField = bytes.readUInt16LE(offset);
      else if (element === 0x0110 && length === 2) messageId = bytes.readUInt16LE(offset);
      else if (element === 0x0800 && length === 2) dataSetType = bytes.readUInt16LE(offset);
      else if (element === 0x0002) sopClassUid = uidText(bytes, offset, length);
      else if (element === 0x1000) sopInstanceUid = uidText(bytes, offset, length);
    }
    offset += length;
  }
  if (offset !== bytes.length || commandField === undefined) return undefined;
  return { commandField, messageId, sopClassUid, sopInstanceUid, hasDataset: dataSetType !== NO_DATASET };
}

const uidText = (bytes: Buffer, offset: number, length: number): string =>
  bytes.toString('latin1', offset, offset + length).replace(/[\0 ]+$/, '');

/** A P-DATA-TF PDU of the given PDV items. */
function pDataPdu(items: readonly Buffer[]): Buffer {
  let length = 0;
  for (const item of items) length += item.length;
  const pdu = Buffer.allocUnsafe(6 + length);
  pdu.writeUInt8(P_DATA_TF, 0);
  pdu.writeUInt8(0, 1);
  pdu.writeUInt32BE(length, 2);
  let offset = 6;
  for (const item of items) offset += item.copy(pdu, offset);
  return pdu;
}

export class PDataRouter {
  private readonly head = Buffer.alloc(6);
  private headBytes = 0;
  /** Body bytes still to come of the current PDU. */
  private bodyLeft = 0;
  /** The current PDU's body is a P-DATA-TF taken here (else it is forwarded as it comes). */
  private taking = false;
  private bodyPieces: Buffer[] = [];
  private state: State = IDLE;
  /** PDV items of a command set not yet whole, and their values. */
  private heldItems: Buffer[] = [];
  private heldValues: Buffer[] = [];
  private stopped = false;

  constructor(private readonly hooks: PDataRouterHooks) {}

  /** Nothing more is read (the association is ending). */
  stop(): void {
    this.stopped = true;
  }

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.stopped) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        const piece = chunk.subarray(offset, offset + take);
        offset += take;
        this.bodyLeft -= take;
        if (!this.taking) {
          this.hooks.forward(piece);
          continue;
        }
        this.bodyPieces.push(piece);
        if (this.bodyLeft === 0) {
          const body = this.bodyPieces.length === 1 ? this.bodyPieces[0]! : Buffer.concat(this.bodyPieces);
          this.bodyPieces = [];
          this.pData(body);
        }
        continue;
      }
      let header: Buffer;
      if (this.headBytes === 0 && chunk.length - offset >= 6) {
        header = chunk.subarray(offset, offset + 6);
        offset += 6;
      } else {
        const take = Math.min(6 - this.headBytes, chunk.length - offset);
        chunk.copy(this.head, this.headBytes, offset, offset + take);
        this.headBytes += take;
        offset += take;
        if (this.headBytes < 6) break;
        this.headBytes = 0;
        header = this.head;
      }
      this.bodyLeft = header.readUInt32BE(2);
      this.taking = header[0] === P_DATA_TF && this.hooks.accepted();
      if (!this.taking) {
        this.hooks.forward(Buffer.from(header));
      } else if (this.bodyLeft === 0) {
        this.pData(Buffer.alloc(0));
      }
    }
  }

  private pData(body: Buffer): void {
    this.hooks.pduTaken();
    if (body.length === 0) return this.fail('malformed-pdu', 'P-DATA-TF without any PDV item');
    const forward: Buffer[] = [];
    let offset = 0;
    while (offset < body.length && !this.stopped) {
      if (body.length - offset < 6) return this.fail('malformed-pdu', 'P-DATA-TF item cut short');
      const itemLength = body.readUInt32BE(offset);
      if (itemLength < 2 || itemLength > body.length - offset - 4) {
        return this.fail('malformed-pdu', `P-DATA-TF item of ${itemLength} bytes does not fit its PDU`);
      }
      const item = body.subarray(offset, offset + 4 + itemLength);
      offset += 4 + itemLength;
      this.pdv(item, forward);
    }
    if (forward.length > 0 && !this.stopped) this.hooks.forward(pDataPdu(forward));
  }

  private pdv(item: Buffer, forward: Buffer[]): void {
    const contextId = item[4]!;
    const control = item[5]!;
    const isCommand = (control & 0x01) !== 0;
    const isLast = (control & 0x02) !== 0;
    const value = item.subarray(6);
    const state = this.state;
    if (state.kind === 'storing') {
      if (isCommand) return this.fail('unexpected-pdu', 'a command fragment during a C-STORE dataset');
      if (contextId !== state.command.contextId) {
        return this.fail('unexpected-pdu', 'a C-STORE dataset fragment on another presentation context');
      }
      state.dataset.append(value);
      if (isLast) {
        this.state = IDLE;
        this.hooks.storeReceived(state.command, state.dataset);
      }
      return;
    }
    if (!isCommand) {
      // A dataset of dcmjs-dimse's message, or one without a command: dcmjs-dimse deals with it.
      forward.push(item);
      if (isLast && state.kind === 'forwarding') this.state = IDLE;
      return;
    }
    this.state = IDLE;
    this.heldItems.push(item);
    this.heldValues.push(value);
    if (!isLast) return;
    const held = this.heldItems;
    const command = readCommandFields(
      this.heldValues.length === 1 ? this.heldValues[0]! : Buffer.concat(this.heldValues),
    );
    this.heldItems = [];
    this.heldValues = [];
    if (command === undefined || command.commandField !== C_STORE_RQ) {
      forward.push(...held);
      if (command?.hasDataset === true) this.state = FORWARDING;
      return;
    }
    if (!command.hasDataset) return this.fail('unexpected-pdu', 'C-STORE without a dataset');
    const store: StoreCommand = {
      contextId,
      messageId: command.messageId,
      sopClassUid: command.sopClassUid,
      sopInstanceUid: command.sopInstanceUid,
    };
    const started = this.hooks.storeStarted(store);
    if ('abort' in started) return this.fail('unexpected-pdu', started.abort);
    this.state = { kind: 'storing', command: store, dataset: started };
  }

  private fail(code: 'malformed-pdu' | 'unexpected-pdu', message: string): void {
    this.stopped = true;
    this.hooks.fail(code, message);
  }
}
