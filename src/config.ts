import { z } from 'zod';
import { isValidCron } from './digest/schedule.js';

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const PORT_RANGE = 'each port must be a number from 1 to 65535';
/** A TCP port written in decimal digits. */
const port = z
  .string()
  .regex(/^\d{1,5}$/, PORT_RANGE)
  .transform(Number)
  .pipe(z.number().min(1, PORT_RANGE).max(65535, PORT_RANGE));

/** The environment the bot reads, with production defaults. Every variable is in .env.example. */
const schema = z
  .object({
    /** Interface the HTTP server listens on. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Port of the HTTP server (web chat, health): a decimal integer 1-65535, or 0 for any free port (the end-to-end tests use it). */
    PORT: z
      .string()
      .regex(/^\d+$/, 'must be a decimal integer from 1 to 65535')
      .transform(Number)
      .pipe(z.number().max(65535, 'must be a decimal integer from 1 to 65535'))
      .default(3000),
    /** Where state and index snapshots live. */
    DATA_DIR: z.string().min(1).default('./var'),
    /** Bundled content (articles, programs) read at start. */
    CONTENT_DIR: z.string().min(1).default('./data'),
    /** Redis URL (redis://host:port/db); when set, state lives in Redis instead of the SQLite file. */
    REDIS_URL: z
      .url()
      .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://')
      .optional(),
    /** Extra JSONL / JSONL.gz / JSON files, comma-separated, added to the bundled content. */
    CORPUS: list,
    /**
     * Answers below this confidence (0..1: the decision model's probability that the reply answers the question)
     * are "no information" replies; unset, the threshold stored with the model (CONTENT_DIR/models/decision.json).
     */
    ANSWER_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
    /** Telegram bot token; the Telegram channel is enabled exactly when it is set. */
    TELEGRAM_BOT_TOKEN: z.string().trim().min(1).optional(),
    /** Telegram Bot API root (tests point it at 127.0.0.1). */
    TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
    /** Zalo Bot Platform token; the Zalo channel is enabled exactly when it is set. */
    ZALO_BOT_TOKEN: z.string().trim().min(1).optional(),
    /** Zalo Bot API base (tests point it at 127.0.0.1); no query or fragment, trailing "/" dropped. */
    ZALO_API_BASE: z
      .url()
      .default('https://bot-api.zaloplatforms.com')
      .refine((u) => !/[?#]/.test(u), 'must not have a query or fragment')
      .transform((u) => u.replace(/\/+$/, '')),
    /** Optional JSON file mapping Zalo error codes to blocked / chat_not_found / rate_limited (README). */
    ZALO_ERROR_CODES_FILE: z.string().min(1).optional(),
    /** Public HTTPS base URL of this server; when set, platforms deliver updates by webhook and staff console sign-in links name it. */
    PUBLIC_URL: z
      .url()
      .refine((u) => u.startsWith('https://'), 'must be an https:// URL (both platforms call webhooks over HTTPS)')
      .optional(),
    /** Secret the platforms send with every webhook call (1-256 of A-Z a-z 0-9 _ -). Required with PUBLIC_URL. */
    WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z, a-z, 0-9, _ and -')
      .optional(),
    /** Admins, comma-separated `channel:userId` (telegram:123456789,zalo:e4ea2cd5…): they grant the staff role in chat. */
    ADMIN_IDS: list.pipe(
      z.array(
        z
          .string()
          .regex(/^(telegram|zalo):[\w-]{1,64}$/, 'each entry must look like telegram:123456789 or zalo:<id> (web chat sessions are not authenticated)'),
      ),
    ),
    /** Sources the importer follows: RSS/Atom feeds, sitemaps or section pages, comma-separated. */
    FEEDS: list.pipe(z.array(z.url().refine((u) => /^https?:\/\//.test(u), 'each feed must be an http(s) URL'))),
    /** When the sources are polled (node-cron, Vietnam time); also once at start. */
    INGEST_CRON: z.string().default('*/30 * * * *').refine(isValidCron, 'must be a cron expression, e.g. "*/30 * * * *"'),
    /** Let the importer (FEEDS, /nhapbai, cli import) reach loopback, private and link-local addresses: tests and intranet sources only. */
    INGEST_ALLOW_PRIVATE: z.stringbool().default(false),
    /** Ports a source URL (or a redirect) may name, comma-separated. */
    INGEST_ALLOWED_PORTS: z
      .string()
      .default('80,443,8080')
      .transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      )
      .pipe(z.array(port).min(1, 'list at least one port')),
    /** When the digest job runs (node-cron, Vietnam time); each run serves subscribers whose hour it is. */
    DIGEST_CRON: z.string().default('0 * * * *').refine(isValidCron, 'must be a cron expression, e.g. "0 * * * *"'),
    /** Missed digest runs younger than this many hours are run at start and by the periodic sweep (after a store outage); older ones are skipped. */
    DIGEST_CATCHUP_HOURS: z.coerce.number().min(0).max(48).default(6),
    /** Days recorded questions (staff inbox, unanswered questions, 👍/👎) and closed tickets are kept; a daily job erases older ones. */
    QUESTION_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    /** Broadcast pace on Telegram, messages per second overall (Telegram allows about 30). */
    TELEGRAM_SEND_RATE: z.coerce.number().positive().max(1000).default(25),
    /** Broadcast pace on Zalo, messages per second overall (Zalo publishes no limit: stay low). */
    ZALO_SEND_RATE: z.coerce.number().positive().max(1000).default(5),
    /** Sends in flight at once per channel during a broadcast (also the most a crash can duplicate). */
    BROADCAST_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /** Seconds a lease (digest slot, broadcast, announcement) outlives an instance that died holding it. */
    LEASE_TTL_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
    /** This instance's name in leases; the default (host name and port) stays the same across restarts. */
    INSTANCE_ID: z
      .string()
      .regex(/^[\w.:-]{1,100}$/, 'must be 1-100 letters, digits, ".", ":", "_" or "-"')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** `pretty` for readable lines, `json` for production; default: pretty on a terminal. */
    LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
  })
  .refine((c) => !c.PUBLIC_URL || c.WEBHOOK_SECRET, {
    message: 'WEBHOOK_SECRET is required when PUBLIC_URL is set',
    path: ['WEBHOOK_SECRET'],
    // Checked whenever the two variables themselves are valid, so it is listed with every other problem.
    when: (payload) => !payload.issues.some((issue) => issue.path?.[0] === 'PUBLIC_URL' || issue.path?.[0] === 'WEBHOOK_SECRET'),
  });

/** Validated, frozen configuration. */
export type Config = Readonly<z.infer<typeof schema>>;

/** Thrown with every problem listed, each with the variable's name. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read the configuration from an environment (pure: tests pass a literal object). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`ZALO_BOT_TOKEN=` copied from .env.example) means "not set".
  const result = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== '')));
  if (!result.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(result.error)}`);
  return Object.freeze(result.data);
}
