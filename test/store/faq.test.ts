/**
 * The curated entry store on SQLite and on Redis (DB 5): numbering across instances, changes, citizens'
 * wordings described and erased; and two instances on one Redis, where an edit on one is answered on the other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyvStoreAdapter } from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { createAnswerEngine, loadDecisionModel } from '../../src/answer/index.js';
import { createFaqService, indexFaq } from '../../src/assistant/faq.js';
import { loadIndex } from '../../src/search/build.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createIndexSync } from '../../src/search/sync.js';
import { createChangeLog } from '../../src/store/changes.js';
import { createFaqStore, faqData, type FaqEntry } from '../../src/store/faq.js';
import { createRedisLease, createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createRedisAdapter, type RedisAdapter } from '../../src/store/redis.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { silentLogger } from '../helpers/logger.js';
import { claimRedisDatabase, redisSkipReason } from '../helpers/redis.js';
import { ROOT } from '../helpers/shared.js';

const log = silentLogger();
/** The database this file owns: flushed before each use, so nothing else may live there. */
const REDIS_URL = 'redis://127.0.0.1:6379/5';
const redisSkip = await redisSkipReason(REDIS_URL);
if (redisSkip) process.stderr.write(`skipping the Redis half of the faq store tests: ${redisSkip}\n`);

const flushRedis = () => claimRedisDatabase(REDIS_URL);

/** One backend: adapters and leases on a fresh state, and how to close it. */
interface Backend {
  adapter(): Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  lease(): Promise<Lease>;
  close(): Promise<void>;
}

const backends: [string, () => Promise<Backend>][] = [
  [
    'SQLite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mattran-faq-'));
      const opened: { disconnect(): Promise<void> }[] = [];
      const open = async () => {
        const a = await createSqliteAdapter(dir);
        opened.push(a);
        return a;
      };
      return {
        adapter: open,
        lease: async () => createSqliteLease(await open()),
        async close() {
          await Promise.allSettled(opened.map((a) => a.disconnect()));
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
if (!redisSkip)
  backends.push([
    'Redis',
    async () => {
      await flushRedis();
      const opened: RedisAdapter[] = [];
      const open = () => {
        const a = createRedisAdapter(REDIS_URL);
        opened.push(a);
        return a;
      };
      return {
        adapter: open,
        lease: async () => createRedisLease(open()),
        close: async () => void (await Promise.allSettled(opened.map((a) => a.disconnect()))),
      };
    },
  ]);

afterAll(async () => {
  if (!redisSkip) await flushRedis();
});

const entry = (question: string, over: Partial<FaqEntry> = {}): Omit<FaqEntry, 'id'> => ({
  question,
  alternates: [],
  answer: 'Trả lời',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  author: 'telegram:9',
  status: 'active',
  ...over,
});

describe.each(backends)('faq store on %s', (_name, open) => {
  it('numbers entries 1, 2, 3 across instances racing, changes and withdraws them, and keeps them across a reopen', async () => {
    const backend = await open();
    try {
      // Opened one after another (a fresh SQLite file opened by several connections at once can meet SQLITE_BUSY);
      // the adds below race.
      const stores = [];
      for (let i = 0; i < 3; i++) stores.push(await createFaqStore({ adapter: () => backend.adapter(), log, lease: await backend.lease() }));
      const made = await Promise.all(stores.map((s, i) => s.add(entry(`Câu hỏi số ${i}?`))));
      expect(made.map((e) => e.id).sort()).toEqual([1, 2, 3]);
      const [a] = stores;
      expect((await a!.addAlternate(1, { text: 'cách hỏi khác', addedAt: 't' }))?.alternates.map((w) => w.text)).toEqual(['cách hỏi khác']);
      expect((await a!.addAlternate(1, { text: 'cách hỏi khác', addedAt: 't' }))?.alternates).toHaveLength(1);
      await a!.update(2, (e) => ({ ...e, answer: 'Trả lời mới' }));
      expect((await a!.withdraw(3, '2026-12-02T00:00:00.000Z'))?.status).toBe('withdrawn');
      expect(await a!.withdraw(3, '2026-12-02T00:00:00.000Z')).toBeUndefined();
      expect(await a!.get(0)).toBeUndefined();
      expect(await a!.get(99)).toBeUndefined();
      await Promise.all(stores.map((s) => s.close()));
      const reopened = await createFaqStore({ adapter: () => backend.adapter(), log, lease: await backend.lease() });
      const all = await reopened.list();
      expect(all.map((e) => [e.id, e.status])).toEqual([
        [1, 'active'],
        [2, 'active'],
        [3, 'withdrawn'],
      ]);
      expect(all[1]!.answer).toBe('Trả lời mới');
      expect((await reopened.add(entry('Câu thứ tư'))).id).toBe(4);
      await reopened.close();
    } finally {
      await backend.close();
    }
  });

  it('describes and erases one citizen’s wordings only; an entry left without a question keeps its answer', async () => {
    const backend = await open();
    try {
      const store = await createFaqStore({ adapter: () => backend.adapter(), log, lease: await backend.lease() });
      const w = (text: string, from?: string) => ({ text, addedAt: '2026-12-01T00:00:00.000Z', ...(from ? { from } : {}) });
      await store.add(
        entry('Hộ nghèo được hỗ trợ gì?', { questionFrom: 'telegram:1', alternates: [w('ho ngheo duoc ho tro gi', 'zalo:z'), w('chính sách hộ nghèo')] }),
      );
      await store.add(entry('Câu chỉ của người này', { questionFrom: 'telegram:1' }));
      await store.add(entry('Câu của cán bộ', { alternates: [w('một cách hỏi', 'telegram:1')] }));
      let changed: FaqEntry[] = [];
      const source = faqData(store, (entries) => (changed = entries));
      const person = { channel: 'telegram', chatId: '1', pseudonym: 'telegram:abcdef' };
      const now = new Date('2026-12-07T00:00:00Z');
      expect(await source.describe(person, now)).toEqual([{ kind: 'faq', count: 3 }]);
      expect(await source.erase(person, now)).toEqual([{ kind: 'faq', count: 3 }]);
      expect(changed.map((e) => e.id)).toEqual([1, 2, 3]);
      expect(await source.describe(person, now)).toEqual([]);
      const [first, second, third] = await store.list();
      // The next wording becomes the question, with its own author; the staff wording stays.
      expect(first).toMatchObject({ question: 'ho ngheo duoc ho tro gi', questionFrom: 'zalo:z', alternates: [{ text: 'chính sách hộ nghèo' }] });
      expect(second).toMatchObject({ question: '', answer: 'Trả lời' });
      expect(second!.questionFrom).toBeUndefined();
      expect(third).toMatchObject({ question: 'Câu của cán bộ', alternates: [] });
      expect(JSON.stringify(await store.list())).not.toContain('telegram:1');
      expect(await source.describe({ channel: 'zalo', chatId: 'z', pseudonym: 'zalo:x' }, now)).toEqual([{ kind: 'faq', count: 1 }]);
      expect(await source.erase(person, now)).toEqual([]);
      await store.close();
    } finally {
      await backend.close();
    }
  });
});

describe.skipIf(redisSkip !== undefined)('two instances on one Redis', () => {
  it('an entry added and edited on one instance is answered, with its new text, on the other', async () => {
    await flushRedis();
    const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
    const model = loadDecisionModel(join(ROOT, 'data', 'models', 'decision.json'));
    const now = () => new Date('2026-12-07T03:00:00Z');
    const opened: { close(): Promise<void> }[] = [];
    const instance = async () => {
      const adapter = () => createRedisAdapter(REDIS_URL);
      const lease = createRedisLease(REDIS_URL);
      const faq = await createFaqStore({ adapter, log, lease });
      const changes = await createChangeLog({ adapter, log, lease });
      const staff = await createStaffStore({ adapter, log });
      opened.push(faq, changes, staff, lease);
      const { index } = await loadIndex({ paths: [join(ROOT, 'data')], log });
      const sync = await createIndexSync({ index, changes, log });
      indexFaq(await faq.list(), index);
      const engine = createAnswerEngine({ index, lexicon, model, now });
      return { sync, engine, service: createFaqService({ faq, staff, publisher: sync.publisher, engine, log, now }), staff };
    };
    const a = await instance();
    const b = await instance();
    try {
      const q = 'bhyt ho gia dinh nam nay dong bao nhieu';
      expect(b.engine.answer(q).faq).toBeUndefined();
      const added = await a.service.add({ question: 'Mức đóng BHYT hộ gia đình năm 2026 là bao nhiêu?', answer: 'Bản đầu.', author: 'telegram:9' });
      expect(added.ok).toBe(true);
      // The change log is written in the background: pull until it has arrived.
      for (let i = 0; i < 50 && b.engine.answer(q).faq === undefined; i++) await b.sync.pull().then(() => new Promise((r) => setTimeout(r, 20)));
      expect(b.engine.answer(q).text).toBe('Mặt trận trả lời (cập nhật 07/12/2026): Bản đầu.');
      await a.service.edit(1, { answer: 'Bản đã sửa.' }, 'telegram:9');
      for (let i = 0; i < 50 && !b.engine.answer(q).text.endsWith('Bản đã sửa.'); i++) await b.sync.pull().then(() => new Promise((r) => setTimeout(r, 20)));
      expect(b.engine.answer(q).text).toBe('Mặt trận trả lời (cập nhật 07/12/2026): Bản đã sửa.');
      expect(a.engine.answer(q).text).toBe('Mặt trận trả lời (cập nhật 07/12/2026): Bản đã sửa.');
      await a.service.withdraw(1, 'telegram:9');
      for (let i = 0; i < 50 && b.engine.answer(q).faq !== undefined; i++) await b.sync.pull().then(() => new Promise((r) => setTimeout(r, 20)));
      expect(b.engine.answer(q).faq).toBeUndefined();
      // A third instance started now reads the entries from the store, not from the log.
      await b.service.add({ question: 'Thủ tục xin hỗ trợ nhà Đại đoàn kết thế nào?', answer: 'Làm đơn.', author: 'zalo:9' });
      const c = await instance();
      expect(c.engine.answer('thu tuc xin ho tro nha dai doan ket the nao').faq).toBe(2);
      const audit = await a.staff.audit.latest(10, now());
      expect(audit.map((e) => e.detail)).toEqual(expect.arrayContaining(['thêm #1', 'sửa #1', 'xóa #1', 'thêm #2']));
    } finally {
      await Promise.allSettled(opened.map((o) => o.close()));
    }
  }, 60_000);
});
