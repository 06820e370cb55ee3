import { PassThrough } from 'node:stream';
import winston from 'winston';
import { describe, expect, it } from 'vitest';
import type { IngestRequest, IngestResult } from '../store/types.ts';
import { ingestHl7, type Hl7IngestDeps } from './hl7-ingest.ts';

function capture(level: string): { logger: winston.Logger; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString()));
  const logger = winston.createLogger({
    level,
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, text: () => out };
}

function deps(logger: winston.Logger, stored: IngestRequest[]): Hl7IngestDeps {
  return {
    ingest: async (req): Promise<IngestResult> => {
      stored.push(req);
      return { messageId: String(stored.length), duplicateOf: null, ack: req.ack, ackCode: req.ackCode };
    },
    accepts: () => true,
    onAccepted: () => undefined,
    logger,
    dedupWindowSeconds: 0,
    ackSendingApplication: 'SWITCHBOARD',
    ackSendingFacility: '',
  };
}

const source = {
  listener: 'mllp',
  listenerId: 'mllp:0',
  remoteAddress: '127.0.0.1',
  ackMode: 'auto',
} as const;
// A PID line glued to MSH without a segment break: the parser's error quotes the bad line.
const MALFORMED = Buffer.from(
  'MSH|^~\\&|A|B|C|D|20260101||ADT^A01|X1|P|2.5\rPIDX|1||12345^^^H^MR||SMITHSON^JOHANNA\r',
);

describe('ingestHl7 logging (PHI stays out of logs above debug)', () => {
  it('logs a rejected message by code and location only at info level', async () => {
    const log = capture('info');
    const stored: IngestRequest[] = [];
    const [ack] = await ingestHl7(MALFORMED, source, deps(log.logger, stored));
    expect(ack!.toString()).toMatch(/MSA\|AR\|X1/);
    expect(stored[0]!.error).toMatch(/12345/); // the detail is kept for review in the store
    expect(log.text()).toMatch(/message rejected/);
    expect(log.text()).toMatch(/HL7_NOT_PARSEABLE/);
    expect(log.text()).not.toMatch(/SMITHSON|JOHANNA|12345/);
  });

  it('shows the detail at debug level', async () => {
    const log = capture('debug');
    await ingestHl7(MALFORMED, source, deps(log.logger, []));
    expect(log.text()).toMatch(/12345/);
  });
});
