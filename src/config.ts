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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for readable lines, `json` for production; default: pretty on a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty', 'auto']).default('auto'),
});

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
