import type { Command } from 'commander';
import { ConfigError } from '../config/index.ts';
import { startEngine } from '../engine.ts';
import { parsePort } from './parse-port.ts';

interface StartOptions {
  dataDir?: string;
  mllpPort?: number;
  dicomPort?: number;
  httpPort?: number;
  channels?: string;
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the engine: listeners, channels, HTTP (embedded database unless DATABASE_URL is set)')
    .option('--data-dir <dir>', 'data folder (SWITCHBOARD_DATA_DIR, default ./data)')
    .option(
      '--mllp-port <port>',
      'MLLP port of the first listener (SWITCHBOARD_MLLP_PORT, default 2575)',
      parsePort,
    )
    .option('--http-port <port>', 'HTTP port (SWITCHBOARD_HTTP_PORT, default 8080)', parsePort)
    .option('--dicom-port <port>', 'DICOM port (SWITCHBOARD_DICOM_PORT, default 11112)', parsePort)
    .option('--channels <dir>', 'channel folder (SWITCHBOARD_CHANNELS_DIR, default ./channels)')
    .action(async (opts: StartOptions) => {
      const globals = program.opts<{ config?: string }>();
      let engine;
      try {
        engine = await startEngine({
          ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
          ...(opts.mllpPort !== undefined ? { mllpPort: opts.mllpPort } : {}),
          ...(opts.httpPort !== undefined ? { httpPort: opts.httpPort } : {}),
          ...(opts.dicomPort !== undefined ? { dicomPort: opts.dicomPort } : {}),
          ...(opts.channels ? { channelsDir: opts.channels } : {}),
          ...(globals.config ? { configFile: globals.config } : {}),
        });
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`switchboard: configuration is not valid:\n${err.message}\n`);
          process.exit(2);
        }
        throw err;
      }
      const running = engine;
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        running.logger.info('signal received, stopping', { signal });
        running.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            running.logger.error('stop failed', { error: String(err) });
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGHUP', () => void running.reloadChannels());
      // Machine-readable line for supervisors and tests: the ports actually bound.
      process.stdout.write(
        `${JSON.stringify({ event: 'ready', mllpPort: running.mllpPort, httpPort: running.httpPort, dicomPort: running.dicomPort, pid: process.pid })}\n`,
      );
    });
}
