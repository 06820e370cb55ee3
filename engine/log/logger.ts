import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * The engine's logger. JSON lines when stdout is not a TTY (log shippers), readable text otherwise.
 * PHI rule: message content, patient names and identifiers are only ever logged at debug level;
 * above debug, log ids (message id, control id, channel) and counts.
 */
export type Logger = winston.Logger;

export function createLogger(level: LogLevel = 'info', pretty = process.stdout.isTTY === true): Logger {
  const format = pretty
    ? winston.format.combine(
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.colorize(),
        winston.format.printf(({ level: lvl, message, timestamp, ...meta }) => {
          const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
          return `${String(timestamp)} ${lvl} ${String(message)}${rest}`;
        }),
      )
    : winston.format.combine(winston.format.timestamp(), winston.format.json());
  return winston.createLogger({
    level,
    format,
    transports: [new winston.transports.Console({ stderrLevels: ['error'] })],
  });
}

/** A logger that writes nothing (tests, benches). */
export function silentLogger(): Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });
}
