import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readBodyText } from './body.js';

/** The largest webhook body either platform is allowed to send. */
const MAX_WEBHOOK_BYTES = 1 << 20;

/** Constant-time comparison of two secrets of any length (webhook secret headers). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** Remembers recent keys so that a replayed update is processed once, in bounded memory. */
export class RecentKeys<K = string> {
  private readonly keys = new Set<K>();
  constructor(private readonly capacity = 10_000) {}
  /** True the first time a key is seen. */
  add(key: K): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.values().next().value as K);
    return true;
  }
}

/** What {@link readWebhookBody} checks a webhook call against. */
export interface WebhookCheck {
  /** The header that carries the secret, lower case (e.g. "x-telegram-bot-api-secret-token"). */
  header: string;
  /** The configured secret; without one every call is refused. */
  secret: string | undefined;
  /** For the operator's log line on a refused call ("telegram", "zalo"). */
  channel: string;
  log: Logger;
}

/**
 * The body of a webhook call whose secret header matches (compared in constant time), read up to
 * {@link MAX_WEBHOOK_BYTES}. Otherwise the call is answered here — 401 for a missing or wrong secret (logged),
 * 413 for a body too large — and the result is undefined.
 */
export async function readWebhookBody(req: IncomingMessage, res: ServerResponse, check: WebhookCheck): Promise<string | undefined> {
  const given = req.headers[check.header];
  if (!check.secret || typeof given !== 'string' || !sameSecret(given, check.secret)) {
    check.log.warn({ path: req.url?.split('?')[0] }, `${check.channel} webhook call with a missing or wrong secret`);
    res.writeHead(401).end();
    return undefined;
  }
  const body = await readBodyText(req, MAX_WEBHOOK_BYTES);
  if (body === undefined) res.writeHead(413).end();
  return body;
}
