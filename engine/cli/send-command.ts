import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { splitBatch } from '../hl7/batch.ts';
import { MllpClient } from '../../listeners/mllp/client.ts';
import { parsePort } from './parse-port.ts';

interface SendOptions {
  host: string;
  port: number;
  tls?: boolean;
  insecure?: boolean;
  timeout: string;
}

/** Files written by editors end segments with \n or \r\n; on the wire HL7 v2 segments end with \r. */
export function toWireFormat(message: Buffer): Buffer {
  const text = message.toString('latin1').replace(/\r\n|\n/g, '\r');
  return Buffer.from(text.endsWith('\r') ? text : `${text}\r`, 'latin1');
}

/** Human-readable ACK: segments on their own lines. */
function showAck(ack: Buffer): string {
  return ack.toString('utf8').replace(/\r/g, '\n').trimEnd();
}

export function registerSendCommand(program: Command): void {
  program
    .command('send')
    .description(
      'send HL7 v2 files over MLLP (a file may hold several messages or a batch) and print each ACK',
    )
    .argument('<file...>', 'HL7 v2 message files')
    .option('--host <host>', 'MLLP host', '127.0.0.1')
    .option('--port <port>', 'MLLP port', parsePort, 2575)
    .option('--tls', 'use TLS')
    .option('--insecure', 'with --tls: do not verify the server certificate')
    .option('--timeout <ms>', 'wait this long for each ACK', '30000')
    .action(async (files: string[], opts: SendOptions) => {
      const client = await MllpClient.connect({
        host: opts.host,
        port: opts.port,
        timeoutMs: Number(opts.timeout),
        ...(opts.tls ? { tls: { rejectUnauthorized: !opts.insecure } } : {}),
      });
      let failures = 0;
      try {
        for (const file of files) {
          const { messages } = splitBatch(await readFile(file));
          for (const [i, message] of messages.entries()) {
            const ack = await client.send(toWireFormat(message));
            const text = showAck(ack);
            const code = /(?:^|\n)MSA\|([A-Z]{2})/.exec(text)?.[1] ?? '??';
            if (code !== 'AA' && code !== 'CA') failures++;
            process.stdout.write(`${file}${messages.length > 1 ? ` #${i + 1}` : ''}: ${code}\n${text}\n\n`);
          }
        }
      } finally {
        await client.close();
      }
      if (failures > 0) process.exitCode = 1;
    });
}
