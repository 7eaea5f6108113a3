import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Answer, AnswerEngine } from '../assistant/answer-engine.js';
import { renderChatPage } from '../channels/web/page.js';

/** Largest request body read, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A reply as the web chat renders it. */
export interface WebReply {
  text: string;
  links: { title: string; url: string }[];
  buttons: { label: string; text: string }[];
}

/** Render an engine answer for the web chat. */
export function toWebReply(answer: Answer): WebReply {
  const links = answer.sources
    .slice(0, answer.kind === 'answer' ? 1 : 3)
    .filter((s) => s.url)
    .map((s) => ({ title: s.title, url: s.url! }));
  const buttons = answer.kind === 'no_answer' ? answer.sources.slice(0, 3).map((s) => ({ label: s.title, text: s.title })) : [];
  return { text: answer.text, links, buttons };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Read the whole body (bytes first, decoded once, so multi-byte characters split across chunks survive). */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** Dependencies of the HTTP server. */
export interface HttpServerOptions {
  engine: AnswerEngine;
  log: Logger;
  /** Called for every answered question (records unanswered ones). */
  onAnswer?: (question: string, answer: Answer) => void;
}

/** The one HTTP server: web chat page, chat API, health. */
export function createHttpServer(options: HttpServerOptions): Server {
  const { engine, log } = options;
  const page = renderChatPage();
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method === 'GET' && url.pathname === '/') return send(res, 200, page, 'text/html; charset=utf-8');
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, JSON.stringify({ ok: true }), 'application/json');
      if (url.pathname === '/api/chat') {
        if (req.method !== 'POST') throw new HttpError(405, 'use POST');
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req, MAX_BODY_BYTES));
        } catch (err) {
          if (err instanceof HttpError) throw err;
          throw new HttpError(400, 'body is not JSON');
        }
        const text = (body as { text?: unknown }).text;
        if (typeof text !== 'string') throw new HttpError(400, 'text must be a string');
        const started = performance.now();
        const answer = engine.answer(text);
        log.debug({ ms: Math.round(performance.now() - started), kind: answer.kind, confidence: answer.confidence }, 'web question answered');
        options.onAnswer?.(text, answer);
        return send(res, 200, JSON.stringify({ replies: [toWebReply(answer)] }), 'application/json; charset=utf-8');
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
