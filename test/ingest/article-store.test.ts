import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArticleStore, CHUNK_SIZE, type ImportedArticle } from '../../src/store/articles.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { silentLogger } from '../helpers/logger.js';

const log = silentLogger();
const rec = (n: number, text = 'nội dung'): ImportedArticle => ({
  article: {
    id: `mattran-${n}`,
    url: `https://mattran.org.vn/hoat-dong/bai-${n}.html`,
    title: `Bài số ${n}`,
    body: `${text} ${n}`,
    source: 'mattran.org.vn',
    kind: 'article',
  },
  hash: `hash-${n}-${text}`,
  importedAt: '2024-12-05T10:00:00+07:00',
  updatedAt: '2024-12-05T10:00:00+07:00',
  checkedAt: '2024-12-05T10:00:00+07:00',
});

describe('article store', () => {
  it('lists every article from chunks of at most 500 ids, in import order, once each', async () => {
    const store = await createArticleStore({ log });
    const all = Array.from({ length: 1203 }, (_, i) => rec(i));
    for (let i = 0; i < all.length; i += 250) await store.putMany(all.slice(i, i + 250));
    await store.putMany([rec(5, 'đã sửa'), rec(700, 'đã sửa')]);
    const listed = await store.all();
    expect(listed.map((r) => r.article.id)).toEqual(all.map((r) => r.article.id));
    expect(listed[5]!.article.body).toBe('đã sửa 5');
    expect(await store.count()).toBe(1203);
    expect(await store.idsByHash(['hash-5-nội dung', 'hash-5-đã sửa'])).toEqual([undefined, 'mattran-5']);
    expect(await store.idsByUrl(['https://mattran.org.vn/hoat-dong/bai-1202.html'])).toEqual(['mattran-1202']);
    expect(CHUNK_SIZE).toBe(500);
    expect(await store.remove('mattran-600')).toBe(true);
    expect((await store.all()).map((r) => r.article.id)).not.toContain('mattran-600');
    expect(await store.count()).toBe(1202);
    await store.close();
  });

  describe('on SQLite', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mattran-store-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('keeps articles, URL aliases and HTTP validators across a restart', async () => {
      const adapter = () => createSqliteAdapter(dir);
      const store = await createArticleStore({ adapter, log });
      const started = Date.now();
      await store.putMany(
        Array.from({ length: 1200 }, (_, i) => rec(i)),
        [{ url: 'https://m.example.vn/x', id: 'mattran-3' }],
      );
      const putMs = Date.now() - started;
      await store.setValidators('https://mattran.org.vn/tin-hoat-dong/', { etag: '"abc"' });
      await store.close();
      const reopened = await createArticleStore({ adapter, log });
      const readStarted = Date.now();
      const listed = await reopened.all();
      const readMs = Date.now() - readStarted;
      expect(listed).toHaveLength(1200);
      expect(await reopened.idsByUrl(['https://m.example.vn/x'])).toEqual(['mattran-3']);
      expect(await reopened.getValidators('https://mattran.org.vn/tin-hoat-dong/')).toEqual({ etag: '"abc"' });
      await reopened.close();
      // Reported in the ingestion notes; generous bounds so a busy machine does not fail the test.
      process.stdout.write(`article store on SQLite: putMany 1,200 in ${putMs} ms, all() in ${readMs} ms\n`);
      expect(putMs + readMs).toBeLessThan(20_000);
    });
  });
});
