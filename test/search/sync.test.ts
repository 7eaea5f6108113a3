import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { createIndexSync } from '../../src/search/sync.js';
import { createChangeLog } from '../../src/store/changes.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { silentLogger } from '../helpers/logger.js';

const doc = (id: string, title: string): SearchDoc => ({
  id,
  type: 'article',
  title,
  summary: '',
  body: `${title}. Nội dung thông báo.`,
  source: 't',
  kind: 'announcement',
});

describe('index sync between instances', () => {
  it('an item published or removed on one instance reaches the other index on its next pull, in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-sync-'));
    try {
      const instance = async () => {
        const index = ArticleIndex.create();
        const changes = await createChangeLog({
          adapter: () => createSqliteAdapter(dir),
          log: silentLogger(),
          lease: await createSqliteLease(await createSqliteAdapter(dir)),
        });
        const sync = await createIndexSync({ index, changes, log: silentLogger() });
        return { index, changes, sync };
      };
      /** Wait until `count` changes are in the log (publishing runs in the background; a loaded machine is slow). */
      const published = async (reader: { changes: { head(): Promise<number> } }, count: number) => {
        for (const deadline = Date.now() + 10_000; (await reader.changes.head()) < count; ) {
          expect(Date.now()).toBeLessThan(deadline);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      const a = await instance();
      const b = await instance();
      a.sync.publisher.upsert(doc('tb-1', 'Lịch tiếp công dân'));
      a.sync.publisher.upsert(doc('tb-2', 'Hội nghị hiệp thương'));
      b.sync.publisher.upsert(doc('tb-3', 'Ngày hội Đại đoàn kết'));
      a.sync.publisher.remove('tb-2');
      expect(a.index.get('tb-1')).toBeDefined();
      expect(b.index.get('tb-1')).toBeUndefined();
      await published(b, 4);
      expect(await b.sync.pull()).toBe(4);
      expect(b.index.get('tb-1')?.title).toBe('Lịch tiếp công dân');
      expect(b.index.get('tb-2')).toBeUndefined();
      await a.sync.pull();
      expect(a.index.get('tb-3')?.title).toBe('Ngày hội Đại đoàn kết');
      expect(await b.sync.pull()).toBe(0);
      // A third instance started now sees only what comes next (what came before is in the store it loads).
      const c = await instance();
      b.sync.publisher.upsert(doc('tb-4', 'Thông báo mới'));
      await published(c, 5);
      expect(await c.sync.pull()).toBe(1);
      await Promise.all([a.changes.close(), b.changes.close(), c.changes.close()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
