/**
 * `npm run bench -- broadcast [--subscribers 20000] [--rate 1000] [--kill-at 0.5] [--concurrency 16] [--json]`
 * A fake Telegram-like Bot API on 127.0.0.1 enforces R messages/s overall and 1/s per chat (429 with
 * retry_after beyond that), answers 403 for a share of blocked chats, and records every delivery. N
 * subscribers are written with the real subscription store; a separate process (bench/broadcast-worker.ts)
 * runs the 07:00 digest through the real broadcaster. With --kill-at it is killed (SIGKILL) once that share
 * of deliveries has arrived and started again, as the service would be restarted.
 * Prints the achieved rate ÷ R, 429s, deliveries lost and duplicated; with --json the last line is one JSON object.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createSqliteAdapter } from '../src/store/sqlite.js';
import { createSubscriptionStore, type Subscriber } from '../src/store/subscriptions.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BLOCKED_EVERY = 50; // 2% of the chats have blocked the bot

/** The fake platform: a sliding one-second window overall and per chat, like Telegram's documented limits. */
async function startLimitedApi(rate: number) {
  const starts: number[] = []; // accepted send times, for the overall window
  let head = 0;
  const lastPerChat = new Map<string, number>();
  const deliveries = new Map<string, number>();
  const deliveredAt: number[] = [];
  let got429 = 0;
  let blockedAnswers = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const method = (req.url ?? '').split('/').pop();
      if (method !== 'sendMessage') return reply(200, { ok: true, result: true });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { chat_id: string };
      const chat = String(body.chat_id);
      const now = performance.now();
      while (head < starts.length && now - starts[head]! >= 1000) head++;
      const chatLast = lastPerChat.get(chat);
      if (starts.length - head >= rate || (chatLast !== undefined && now - chatLast < 1000)) {
        got429++;
        return reply(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
      }
      starts.push(now);
      if (head > 100_000) {
        starts.splice(0, head);
        head = 0;
      }
      lastPerChat.set(chat, now);
      if (Number(chat) % BLOCKED_EVERY === 0) {
        blockedAnswers++;
        return reply(403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
      }
      deliveries.set(chat, (deliveries.get(chat) ?? 0) + 1);
      deliveredAt.push(now);
      reply(200, { ok: true, result: { message_id: deliveredAt.length, date: Math.floor(Date.now() / 1000), chat: { id: Number(chat), type: 'private' } } });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    deliveredAt,
    stats: () => ({ got429, blockedAnswers }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function runWorker(args: string[]): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_WORKER_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_WORKER_PROF] : []),
      '--import',
      'tsx',
      join(ROOT, 'bench', 'broadcast-worker.ts'),
      ...args,
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return { child, done: new Promise((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 137 : 1)))) };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      subscribers: { type: 'string', default: '20000' },
      rate: { type: 'string', default: '1000' },
      'kill-at': { type: 'string' },
      concurrency: { type: 'string', default: '16' },
      json: { type: 'boolean', default: false },
    },
  });
  const n = Number(values.subscribers);
  const rate = Number(values.rate);
  const killAt = values['kill-at'] !== undefined ? Number(values['kill-at']) : null;
  const concurrency = Number(values.concurrency);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const dataDir = await mkdtemp(join(tmpdir(), 'mattran-bench-broadcast-'));
  const api = await startLimitedApi(rate);
  try {
    const log = pino({ level: 'warn' }, pino.destination(2));
    const subs = await createSubscriptionStore({ adapter: () => createSqliteAdapter(dataDir), log });
    const created = performance.now();
    const now = new Date().toISOString();
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        Array.from(
          { length: Math.min(500, n - i) },
          (_, k): Subscriber => ({
            channel: 'telegram',
            chatId: String(i + k + 1),
            topics: [],
            provinces: [],
            hour: 7,
            paused: false,
            createdAt: now,
            updatedAt: now,
          }),
        ).map((s) => subs.put(s)),
      );
    }
    await subs.close();
    say(`${n} subscribers written in ${((performance.now() - created) / 1000).toFixed(1)} s`);

    const expected = n - Math.floor(n / BLOCKED_EVERY);
    // The 07:00 slot of today (Vietnam), whatever the clock says: the worker runs it at this instant.
    const untilMs = Date.now();
    // Pace 5% under the platform's limit, as the service does (25/s for Telegram's ~30/s): arrival jitter
    // at the server would otherwise push some one-second windows over the limit, and each 429 costs a 1 s pause.
    const pace = String(Math.floor(rate * 0.95));
    const workerArgs = [dataDir, api.url, pace, String(concurrency), String(untilMs)];
    let first = runWorker(workerArgs);
    let killedAt: number | null = null;
    if (killAt !== null) {
      await new Promise<void>((resolveKill) => {
        const timer = setInterval(() => {
          if (api.deliveredAt.length >= killAt * expected) {
            clearInterval(timer);
            first.child.kill('SIGKILL');
            killedAt = api.deliveredAt.length / expected;
            resolveKill();
          }
        }, 5);
        void first.done.then(() => {
          clearInterval(timer);
          resolveKill();
        });
      });
      await first.done;
      say(`worker killed (SIGKILL) after ${api.deliveredAt.length} deliveries; restarting`);
      first = runWorker(workerArgs);
    }
    const code = await first.done;
    if (code !== 0) throw new Error(`worker exited with ${code}`);

    let lost = 0;
    let duplicated = 0;
    for (let chat = 1; chat <= n; chat++) {
      if (chat % BLOCKED_EVERY === 0) continue;
      const count = api.deliveries.get(String(chat)) ?? 0;
      if (count === 0) lost++;
      else duplicated += count - 1;
    }
    const times = api.deliveredAt;
    const spanS = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : NaN;
    // Blocked answers count against the limit too: they are sends the platform processed.
    const processed = times.length + api.stats().blockedAnswers;
    const achievedRatio = processed / spanS / rate;
    const result = {
      subscribers: n,
      rate,
      achievedRatio: Number(achievedRatio.toFixed(3)),
      got429: api.stats().got429,
      lost,
      duplicated,
      inFlight: concurrency,
      killedAt: killedAt === null ? null : Number((killedAt as number).toFixed(3)),
    };
    say(
      `broadcast: ${processed} sends in ${spanS.toFixed(1)} s = ${(processed / spanS).toFixed(0)}/s → ${result.achievedRatio} × R (R = ${rate}/s); 429s ${result.got429}; lost ${lost}; duplicated ${duplicated} (in flight ≤ ${concurrency})${killedAt !== null ? `; killed at ${result.killedAt}` : ''}`,
    );
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    return lost === 0 && (killAt === null ? duplicated === 0 : duplicated <= concurrency) ? 0 : 1;
  } finally {
    await api.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
