import { z } from 'zod';

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

/** The environment the bot reads, with production defaults. Every variable is in .env.example. */
const schema = z.object({
  /** Interface the HTTP server listens on. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the HTTP server (web chat, health). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where state and index snapshots live. */
  DATA_DIR: z.string().min(1).default('./var'),
  /** Bundled content (articles, programs) read at start. */
  CONTENT_DIR: z.string().min(1).default('./data'),
  /** Extra JSONL / JSONL.gz / JSON files, comma-separated, added to the bundled content. */
  CORPUS: list,
  /** Answers below this confidence (0..1) are "no information" replies. */
  ANSWER_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.4),
  /** Telegram bot token; the Telegram channel is enabled exactly when it is set. */
  TELEGRAM_BOT_TOKEN: z.string().trim().min(1).optional(),
  /** Telegram Bot API root (tests point it at 127.0.0.1). */
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  /** Public HTTPS base URL of this server; when set, platforms deliver updates by webhook. */
  PUBLIC_URL: z.url().optional(),
  /** Secret the platforms send with every webhook call (1-256 of A-Z a-z 0-9 _ -). Required with PUBLIC_URL. */
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, _ and -')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for readable lines, `json` for production; default: pretty on a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
}).refine((c) => !c.PUBLIC_URL || c.WEBHOOK_SECRET, { message: 'WEBHOOK_SECRET is required when PUBLIC_URL is set', path: ['WEBHOOK_SECRET'] });

/** Validated, frozen configuration. */
export type Config = Readonly<z.infer<typeof schema>>;

/** Thrown with every problem listed, each with the variable's name. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read the configuration from an environment (pure: tests pass a literal object). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(result.error)}`);
  return Object.freeze(result.data);
}
