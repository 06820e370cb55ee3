/** Ingest requests and table resets for the store's tests and benchmark (not used by the engine). */
import type { SqlClient } from '../db/sql.ts';
import type { AckCode, IngestRequest, PatientIdentifier } from './types.ts';

export interface RequestOptions {
  readonly controlId?: string;
  readonly sendingApplication?: string;
  readonly sendingFacility?: string;
  readonly ackCode?: AckCode;
  readonly dedupWindowSeconds?: number;
  readonly partitionKey?: string | null;
  readonly noHeader?: boolean;
  readonly raw?: Buffer;
  /** Default: the PID-3 of the default raw (`<counter>` of authority MRN), as the HL7 ingest path sets it. */
  readonly patientIds?: readonly PatientIdentifier[];
}

let counter = 0;

/** A request whose raw and ack bytes are unique, so every result can be traced back to its request. */
export function ingestRequest(opts: RequestOptions = {}): IngestRequest {
  counter += 1;
  const controlId = opts.controlId ?? `C${process.pid}-${counter}`;
  const app = opts.sendingApplication ?? 'LAB';
  const fac = opts.sendingFacility ?? 'NORTH';
  const ackCode = opts.ackCode ?? 'AA';
  const msh = `MSH|^~\\&|${app}|${fac}|SB|HOSP|20240102030405||ADT^A01|${controlId}|P|2.5.1`;
  const raw = opts.raw ?? Buffer.from(`${msh}\rPID|||${counter}^^^MRN\r`, 'latin1');
  return {
    raw,
    listener: 'mllp:test',
    remoteAddress: '127.0.0.1',
    header: opts.noHeader
      ? null
      : {
          sendingApplication: app,
          sendingFacility: fac,
          receivingApplication: 'SB',
          receivingFacility: 'HOSP',
          messageType: 'ADT',
          triggerEvent: 'A01',
          controlId,
          version: '2.5.1',
        },
    partitionKey: opts.partitionKey === undefined ? null : opts.partitionKey,
    ackCode,
    ack: Buffer.from(
      `MSH|^~\\&|SB|HOSP|${app}|${fac}|||ACK^A01|A${counter}|P|2.5.1\rMSA|${ackCode}|${controlId}\r`,
    ),
    error: ackCode === 'AA' ? null : 'rejected by test',
    dedupWindowSeconds: opts.dedupWindowSeconds ?? 300,
    patientIds: opts.patientIds ?? [{ id: String(counter), authority: 'MRN' }],
  };
}

/** The message store's tables, emptied between tests (ids restart at 1). Extra tables are emptied too. */
export async function resetMessageTables(db: SqlClient, ...extraTables: string[]): Promise<void> {
  const tables = [
    'messages',
    'message_dedup',
    'channel_results',
    'deliveries',
    'delivery_attempts',
    ...extraTables,
  ];
  await db.exec(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
}
