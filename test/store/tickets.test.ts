import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyvStoreAdapter } from 'keyv';
import { describe, expect, it } from 'vitest';
import { createRedisAdapter, type RedisAdapter } from '../../src/store/redis.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createTicketStore, type Asker, type Ticket } from '../../src/store/tickets.js';
import { silentLogger } from '../helpers/logger.js';
import { claimRedisDatabase, rawRedis, redisSkipReason } from '../helpers/redis.js';

/** The database this file owns (no other test uses 6): flushed before and after, and only when it holds nothing but this file's marker. */
const REDIS_URL = 'redis://127.0.0.1:6379/6';
const MARKER = 'mattran-bot:test-database:tickets';
const log = silentLogger();
const DAY_MS = 86_400_000;

/** One backend for one test: adapters, every row as `key value` text (what is really kept), and cleanup. */
interface Backend {
  adapter(): Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  rows(): Promise<string[]>;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), 'mattran-tickets-store-'));
  return {
    adapter: () => createSqliteAdapter(dir),
    async rows() {
      const adapter = await createSqliteAdapter(dir);
      const all = (await adapter.query('SELECT key, value FROM keyv')) as { key: string; value: string }[];
      await adapter.disconnect();
      return all.map((r) => `${r.key} ${r.value}`);
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function redisBackend(): Promise<Backend> {
  await claimRedisDatabase(REDIS_URL, MARKER);
  const admin = createRedisAdapter(REDIS_URL);
  const client = await rawRedis(admin);
  const opened: RedisAdapter[] = [admin];
  return {
    adapter: () => {
      const adapter = createRedisAdapter(REDIS_URL);
      opened.push(adapter);
      return adapter;
    },
    async rows() {
      const keys = (await client.keys('*')).filter((k) => k !== MARKER);
      return Promise.all(keys.map(async (k) => `${k} ${await client.get(k)}`));
    },
    async close() {
      await client.flushDb();
      await Promise.allSettled(opened.map((a) => a.disconnect()));
    },
  };
}

const redisSkip = await redisSkipReason(REDIS_URL, MARKER);
if (redisSkip) process.stderr.write(`skipping the Redis half of the ticket store test: ${redisSkip}\n`);

const backends: [string, () => Promise<Backend>, boolean][] = [
  ['SQLite', sqliteBackend, false],
  ['Redis', redisBackend, redisSkip !== undefined],
];

describe.each(backends)('ticket retention on %s', (_name, open, skip) => {
  it.skipIf(skip)(
    'erases answered and closed tickets older than the cutoff with the chats’ index entries that point to them; open and recent ones stay',
    async () => {
      const backend = await open();
      const store = await createTicketStore({ adapter: () => backend.adapter(), log });
      try {
        const now = new Date('2026-12-07T03:30:00+07:00');
        const old = new Date(now.getTime() - 400 * DAY_MS).toISOString();
        const recent = new Date(now.getTime() - 10 * DAY_MS).toISOString();
        const asker = (channel: Asker['channel'], chatId: string, wording: string, at: string): Asker => ({ channel, chatId, wording, at });
        const answer = (t: Ticket, at: string, waiting: string[]): Ticket => ({
          ...t,
          status: 'answered',
          updatedAt: at,
          answer: { text: 'Cán bộ đã trả lời.', by: 'telegram:1', at },
          delivery: { startedAt: at, finishedAt: at, delivered: [], waiting },
        });

        // Old and answered: two askers, one still waiting for the answer.
        const a = (await store.open(asker('telegram', '1001', 'Phiếu cũ đã trả lời về học bổng?', old), () => undefined)).ticket;
        await store.open(asker('zalo', 'z-77', 'học bổng cũ hỏi lại', old), () => a.number);
        await store.update(a.number, (t) => answer(t, old, ['zalo:z-77']));
        await store.addWaiting('zalo', 'z-77', a.number);
        // Old and closed without an answer.
        const b = (await store.open(asker('telegram', '1001', 'Phiếu cũ đã đóng về quảng cáo?', old), () => undefined)).ticket;
        await store.update(b.number, (t) => ({ ...t, status: 'closed', updatedAt: old, closed: { by: 'telegram:1', at: old } }));
        // Old but still open: staff have not answered it, it stays.
        const c = (await store.open(asker('telegram', '1001', 'Phiếu cũ còn mở về nhà ở?', old), () => undefined)).ticket;
        // Answered ten days ago: within the limit.
        const d = (await store.open(asker('zalo', 'z-77', 'Phiếu mới đã trả lời về bảo hiểm?', recent), () => undefined)).ticket;
        await store.update(d.number, (t) => answer(t, recent, ['zalo:z-77']));
        await store.addWaiting('zalo', 'z-77', d.number);

        expect(await store.expireClosed(new Date(now.getTime() - 365 * DAY_MS))).toBe(2);

        expect(await store.get(a.number)).toBeUndefined();
        expect(await store.get(b.number)).toBeUndefined();
        expect((await store.all()).map((t) => t.number)).toEqual([c.number, d.number]);
        expect((await store.mine('telegram', '1001')).map((t) => t.number)).toEqual([c.number]);
        expect((await store.mine('zalo', 'z-77')).map((t) => t.number)).toEqual([d.number]);
        expect(await store.takeWaiting('zalo', 'z-77')).toEqual([d.number]);

        // What the store really holds: nothing of the erased tickets, and index lists without their numbers.
        const rows = await backend.rows();
        const kept = rows.join('\n');
        expect(kept).not.toContain('Phiếu cũ đã trả lời');
        expect(kept).not.toContain('học bổng cũ');
        expect(kept).not.toContain('Phiếu cũ đã đóng');
        expect(kept).toContain('Phiếu cũ còn mở');
        expect(kept).toContain('Phiếu mới đã trả lời');
        const row = (suffix: string) => rows.find((r) => r.split(' ')[0]!.endsWith(suffix));
        expect(row(`ticket:t:${a.number}`)).toBeUndefined();
        expect(row(`ticket:t:${b.number}`)).toBeUndefined();
        expect(row('ticket:mine:telegram:1001')).toContain(`[${c.number}]`);
        expect(row('ticket:mine:zalo:z-77')).toContain(`[${d.number}]`);

        // Idempotent: a second run the same day erases nothing; numbers are never given out again.
        expect(await store.expireClosed(new Date(now.getTime() - 365 * DAY_MS))).toBe(0);
        expect((await store.open(asker('web', 's1', 'Câu hỏi mới hẳn', now.toISOString()), () => undefined)).ticket.number).toBe(d.number + 1);
      } finally {
        await store.close();
        await backend.close();
      }
    },
  );
});
