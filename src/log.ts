import pino, { type Logger } from 'pino';

/** Paths redacted from every log line: tokens, secrets, authorization headers, request URLs with tokens. */
const REDACT_PATHS = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'config.url',
  '*.config.url',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]',
  'headers["x-bot-api-secret-token"]',
];

/** Options of the root logger. */
export interface LogOptions {
  level: string;
  /** Human-readable lines (a terminal) instead of JSON. */
  pretty: boolean;
}

/** The root logger; modules get `log.child({ module })`. CLI logs go to stderr so stdout stays for results. */
export function createLogger(options: LogOptions, destination: 1 | 2 = 1): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } });
  }
  return pino(base, pino.destination(destination));
}
