import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The Zalo Bot API answered, and said no (`{ok:false}`, or a non-2xx status without an envelope). */
export class ZaloApiError extends Error {
  override name = 'ZaloApiError';
  constructor(
    /** The Bot API method called (`sendMessage`, `getUpdates`…). */
    readonly method: string,
    /** `error_code` from the body, else the HTTP status when it was not 2xx; undefined when neither says. */
    readonly code: number | undefined,
    /** `description` from the body (token scrubbed), or the HTTP status text. */
    readonly description: string,
    /** HTTP status of the answer. */
    readonly status: number,
    /** From a `Retry-After` header or `parameters.retry_after`, in milliseconds, when the API gave one. */
    readonly retryAfterMs?: number,
  ) {
    super(`Zalo ${method} failed (${code ?? '?'}: ${description})`);
  }

  /** `getUpdates` waited and nothing arrived: not a failure (docs/platforms.md §1.6). */
  get isPollingTimeout(): boolean {
    return this.code === 408;
  }

  /** The token was rejected or the bot is not allowed: nothing will work until an operator acts. */
  get isAuthFailure(): boolean {
    return this.code === 401 || this.code === 403;
  }
}

/** The request got no usable answer: network failure, timeout, abort, or a body that is not a Zalo envelope. */
export class ZaloHttpError extends Error {
  override name = 'ZaloHttpError';
  constructor(
    /** The Bot API method called. */
    readonly method: string,
    /** What went wrong, already stripped of the token and of every request detail. */
    override readonly cause: Error & { code?: string },
    /** HTTP status when an answer arrived but could not be read. */
    readonly status?: number,
  ) {
    super(`Zalo ${method} failed (${cause.message})`, { cause });
  }

  /** The call ran out of time. */
  get isTimeout(): boolean {
    return this.cause.code === 'ECONNABORTED' || this.cause.code === 'ETIMEDOUT';
  }
}

/** How a failed send is reported to callers (the `reason` of a failed {@link SendResult}). */
export type ZaloFailureReason = 'blocked' | 'chat_not_found' | 'rate_limited' | 'failed';

const ruleSchema = z
  .object({
    /** `error_code` of the answer (or the HTTP status when there is no envelope). */
    code: z.number().int(),
    /** When set, the rule applies only if the description contains this text (case-insensitive). */
    descriptionIncludes: z.string().min(1).optional(),
    reason: z.enum(['blocked', 'chat_not_found', 'rate_limited', 'failed']),
    /** platforms.md confidence tag: C confirmed, L likely, U unconfirmed. */
    certainty: z.enum(['C', 'L', 'U']),
    /** Why the entry is there: the source, or where an operator saw the code. */
    _source: z.string().min(1),
  })
  .strict();

/** Schema of a Zalo error-code mapping file (JSON). */
const zaloErrorMapSchema = z
  .object({
    _comment: z.string().optional(),
    /** Wait used for `rate_limited` when the answer names none. */
    defaultRetryAfterMs: z.number().int().positive().default(5000),
    /** First matching rule wins; an error no rule matches is `failed`, logged and counted per code. */
    rules: z.array(ruleSchema),
  })
  .strict();

/** A validated mapping from Zalo error codes to send outcomes. */
export type ZaloErrorMap = z.infer<typeof zaloErrorMapSchema>;
/** A mapping as written in JSON (defaults not yet applied). */
export type ZaloErrorMapInput = z.input<typeof zaloErrorMapSchema>;

/**
 * The mapping used when operators give none: plain data, in the shape of a mapping file.
 * @remarks No code maps to `blocked` or `chat_not_found`: docs/platforms.md §1.7 says the code Zalo returns
 * when a user has blocked the bot or a chat no longer exists is unknown, and dropping a subscriber on a
 * guessed code would silently lose citizens. Operators who observe such a code add a rule in their own file.
 */
export const DEFAULT_ZALO_ERROR_MAP: ZaloErrorMapInput = {
  _comment:
    'Zalo Bot API error_code → send outcome. Sources and confidence tags from docs/platforms.md §1.7. No blocked or chat_not_found code is confirmed, so none is mapped; unmapped codes are "failed", logged and counted per code. 408 on getUpdates (an empty long poll) is handled by the poller, not here.',
  defaultRetryAfterMs: 5000,
  rules: [
    {
      code: 429,
      reason: 'rate_limited',
      certainty: 'U',
      _source: 'docs/platforms.md §1.7: throttling is undocumented. Wait Retry-After or parameters.retry_after when given, else defaultRetryAfterMs.',
    },
    {
      code: 400,
      reason: 'failed',
      certainty: 'L',
      _source:
        'docs/platforms.md §1.7: bad parameters (empty text, over 2000 characters, bad chat_id), not worth a retry. Whether a blocked user or a gone chat also comes back as 400 is unknown.',
    },
    {
      code: 401,
      reason: 'failed',
      certainty: 'L',
      _source: 'docs/platforms.md §1.7: bad or revoked token. A token problem, not a subscriber problem.',
    },
    {
      code: 403,
      reason: 'failed',
      certainty: 'L',
      _source: 'docs/platforms.md §1.7: token not allowed. Not known to mean "blocked by the user" on Zalo, unlike Telegram.',
    },
    {
      code: 404,
      reason: 'failed',
      certainty: 'L',
      _source: 'docs/platforms.md §1.7: unknown method or not available (seen on the legacy host): check ZALO_API_BASE.',
    },
  ],
};

/**
 * Load and validate an error-code mapping: a path to a JSON file, an object, or the default.
 * Throws with every problem listed when the mapping is invalid (fail fast at start).
 */
export function loadZaloErrorMap(source?: string | ZaloErrorMapInput): ZaloErrorMap {
  let raw: unknown = source ?? DEFAULT_ZALO_ERROR_MAP;
  const where = typeof source === 'string' ? source : 'error map';
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(readFileSync(source, 'utf8'));
    } catch (err) {
      throw new Error(`Zalo error map ${where}: cannot read it as JSON (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const parsed = zaloErrorMapSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`Zalo error map ${where} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The outcome a mapping gives an API error; `mapped` is false when no rule matched. */
export function classifyZaloError(map: ZaloErrorMap, err: ZaloApiError): { reason: ZaloFailureReason; retryAfterMs: number; mapped: boolean } {
  const description = err.description.toLowerCase();
  const rule = map.rules.find((r) => r.code === err.code && (!r.descriptionIncludes || description.includes(r.descriptionIncludes.toLowerCase())));
  return { reason: rule?.reason ?? 'failed', retryAfterMs: err.retryAfterMs ?? map.defaultRetryAfterMs, mapped: rule !== undefined };
}
