import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Conversation } from '../assistant/conversation.js';
import { chatKey, createChatQueue } from '../channels/chat-queue.js';
import type { OutboundMessage } from '../core/chat.js';
import { renderChatPage } from '../channels/web/page.js';
import type { Lease } from '../store/lock.js';
import { readBodyText } from '../channels/body.js';

/** Largest request body read, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A reply as the web chat renders it: plain text (the page inserts it as text, never as HTML). */
export interface WebReply {
  text: string;
  links: { title: string; url: string }[];
  buttons: { label: string; data: string }[];
}

/** Render a conversation reply for the web chat. */
function toWebReply(message: OutboundMessage): WebReply {
  return { text: message.text, links: message.links ?? [], buttons: (message.buttons ?? []).flat() };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Read the whole body; 413 when it is too large. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const text = await readBodyText(req, maxBytes);
  if (text === undefined) throw new HttpError(413, 'body too large');
  return text;
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** A route added by another module (webhooks), tried before the built-in ones. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

/** Longest a readiness check may take before it counts as failed, in ms. */
const READINESS_TIMEOUT_MS = 2000;

/** The state of one readiness check: `true` passes; `false` or a string (the reason) fails. */
export type CheckResult = boolean | string;

/** One named readiness check (store reachable, index loaded, channel connected…). */
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

/** Dependencies of the HTTP server. */
export interface HttpServerOptions {
  conversation: Conversation;
  log: Logger;
  /** Extra routes (Telegram and Zalo webhooks). */
  routes?: Route[];
  /**
   * What GET /readyz checks: named checks, each limited to `readinessTimeoutMs`, or one function returning
   * every result (limited as a whole). Ready when every result is `true`; a throw or a timeout fails.
   * Without it, /readyz answers ready.
   */
  readiness?: Record<string, ReadinessCheck> | (() => Promise<Record<string, CheckResult>>);
  /** Time limit of each readiness check, in ms. @default READINESS_TIMEOUT_MS */
  readinessTimeoutMs?: number;
  /** What GET /metrics serves (Prometheus text); without it, /metrics is 404. */
  metrics?: { render(): Promise<{ contentType: string; body: string }> };
  /** The store's leases: one web chat's messages are then handled one at a time across instances too. */
  lease?: Lease;
}

/** Settle `run()` within `ms`: its result, the thrown error's message, or a timeout message. */
async function limited<T>(run: () => Promise<T> | T, ms: number): Promise<T | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${ms} ms`), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(run), timeout]);
  } catch (err) {
    return (err as Error)?.message || String(err);
  } finally {
    clearTimeout(timer);
  }
}

/** Run the readiness checks (each in parallel, each time-limited). */
async function runReadiness(readiness: HttpServerOptions['readiness'], timeoutMs: number): Promise<Record<string, CheckResult>> {
  if (!readiness) return {};
  if (typeof readiness === 'function') {
    const all = await limited(readiness, timeoutMs);
    return typeof all === 'string' ? { readiness: all } : all;
  }
  const names = Object.keys(readiness);
  const results = await Promise.all(names.map((name) => limited(readiness[name]!, timeoutMs)));
  return Object.fromEntries(names.map((name, i) => [name, results[i]!]));
}

/** The one HTTP server: web chat page, chat API, health (/healthz alive, /readyz ready), metrics. */
export function createHttpServer(options: HttpServerOptions): Server {
  const { conversation, log } = options;
  const page = renderChatPage();
  // Requests of one web chat can overlap (a double send, a slow answer): each waits for the one before.
  const chats = createChatQueue({ lease: options.lease, log });
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      for (const route of options.routes ?? []) if (await route(req, res, url)) return;
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, page, 'text/html; charset=utf-8');
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, JSON.stringify({ ok: true }), 'application/json');
      if (req.method === 'GET' && url.pathname === '/readyz') {
        const checks = await runReadiness(options.readiness, options.readinessTimeoutMs ?? READINESS_TIMEOUT_MS);
        const failing = Object.keys(checks).filter((name) => checks[name] !== true);
        if (failing.length) log.debug({ checks }, 'not ready');
        const body = failing.length ? { ok: false, checks, failing } : { ok: true, checks };
        return send(res, failing.length ? 503 : 200, JSON.stringify(body), 'application/json; charset=utf-8');
      }
      if (req.method === 'GET' && url.pathname === '/metrics' && options.metrics) {
        const { contentType, body } = await options.metrics.render();
        return send(res, 200, body, contentType);
      }
      if (url.pathname === '/api/chat') {
        if (req.method !== 'POST') throw new HttpError(405, 'use POST');
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req, MAX_BODY_BYTES));
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(400, 'body is not JSON');
        }
        const { text, data, sessionId } = (body ?? {}) as { text?: unknown; data?: unknown; sessionId?: unknown };
        if (typeof sessionId !== 'string' || !/^[\w-]{1,64}$/.test(sessionId)) throw new HttpError(400, 'sessionId must be 1-64 letters, digits, - or _');
        if (text !== undefined && typeof text !== 'string') throw new HttpError(400, 'text must be a string');
        if (data !== undefined && (typeof data !== 'string' || data.length > 64)) throw new HttpError(400, 'data must be a short string');
        if (text === undefined && data === undefined) throw new HttpError(400, 'text or data is required');
        const receivedAt = new Date();
        const replies = await chats.run(chatKey('web', sessionId), () =>
          conversation.handle({ channel: 'web', chatId: sessionId, userId: sessionId, text: text ?? '', callbackData: data, receivedAt }),
        );
        return send(res, 200, JSON.stringify({ replies: replies.map(toWebReply) }), 'application/json; charset=utf-8');
      }
      throw new HttpError(404, 'not found');
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, JSON.stringify({ error: err.message }), 'application/json');
      log.error({ err, path: url.pathname }, 'request failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal error' }), 'application/json');
      else res.destroy();
    }
  });
}
