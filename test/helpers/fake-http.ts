import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake server received. */
export interface RecordedCall {
  method: string;
  path: string;
  /** Last path segment: the Bot API method. */
  api: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** How the fake answers one call. */
export interface FakeReply {
  status?: number;
  /** JSON body, or a raw string (garbage on purpose). */
  body?: unknown;
  raw?: string;
  delayMs?: number;
}

/** A fake HTTP API on 127.0.0.1 (port 0) that records calls and answers from a per-test router. */
export async function startFakeApi(route: (call: RecordedCall) => FakeReply | Promise<FakeReply>) {
  const calls: RecordedCall[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = { raw: text };
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const call: RecordedCall = { method: req.method ?? '', path, api: path.split('/').pop() ?? '', headers: req.headers, body };
    calls.push(call);
    const reply = await route(call);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    // The client may have given up (aborted long poll): its socket is gone.
    if (res.writableEnded || !res.socket || res.socket.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A fake Telegram Bot API: serves scripted updates to getUpdates, records sends, answers per method. */
export async function startFakeTelegram(options: { updates?: unknown[]; onSend?: (call: RecordedCall) => FakeReply | undefined } = {}) {
  const pending = [...(options.updates ?? [])];
  // Long polling like the real API: a waiting getUpdates returns as soon as an update is pushed.
  const waiters: (() => void)[] = [];
  let messageId = 1;
  const fake = await startFakeApi(async (call) => {
    switch (call.api) {
      case 'getMe':
        return {
          body: {
            ok: true,
            result: {
              id: 1,
              is_bot: true,
              first_name: 'MTTQ',
              username: 'mttq_test_bot',
              can_join_groups: true,
              can_read_all_group_messages: false,
              supports_inline_queries: false,
            },
          },
        };
      case 'getUpdates': {
        if (pending.length === 0)
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 500);
          });
        return { body: { ok: true, result: pending.splice(0, pending.length) } };
      }
      case 'sendMessage': {
        const custom = options.onSend?.(call);
        if (custom) return custom;
        return {
          body: {
            ok: true,
            result: {
              message_id: messageId++,
              date: Math.floor(Date.now() / 1000),
              chat: { id: Number(call.body.chat_id), type: 'private' },
              text: call.body.text,
            },
          },
        };
      }
      default:
        return { body: { ok: true, result: true } };
    }
  });
  const push = (...updates: unknown[]) => {
    pending.push(...updates);
    for (const wake of waiters.splice(0)) wake();
  };
  return { ...fake, push, sent: () => fake.calls.filter((c) => c.api === 'sendMessage') };
}

/** A Telegram text message update. */
export function textUpdate(updateId: number, text: string, chatId = 1001): unknown {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Lan' },
      from: { id: chatId, is_bot: false, first_name: 'Lan' },
      text,
    },
  };
}

/** Poll `check` until it is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
