import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import type { SearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createIndexSync } from '../../src/search/sync.js';
import { createChangeLog } from '../../src/store/changes.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { ROOT } from '../helpers/shared.js';
import { silentLogger } from '../helpers/logger.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const notice = (body: string): SearchDoc => ({
  id: 'lich-tiep',
  type: 'article',
  title: 'Lịch tiếp công dân của Ủy ban MTTQ xã Hòa Lạc',
  summary: '',
  body,
  source: 't',
  kind: 'announcement',
});
const filler = (i: number): SearchDoc => ({
  id: `hn-${i}`,
  type: 'article',
  title: `Hội nghị tổng kết số ${i}`,
  summary: '',
  body: `Hội nghị tổng kết công tác năm ${2000 + i} của ngành giáo dục.`,
  source: 't',
});
const question = 'Ủy ban MTTQ xã Hòa Lạc tiếp công dân vào thời gian nào?';

describe('the per-article analysis cache', () => {
  it('quotes the new wording of an article updated on another instance, once the change log brings it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-answer-cache-'));
    try {
      const instance = async () => {
        const index = ArticleIndex.create();
        for (let i = 0; i < 8; i++) index.upsert(filler(i));
        const changes = await createChangeLog({
          adapter: () => createSqliteAdapter(dir),
          log: silentLogger(),
          lease: await createSqliteLease(await createSqliteAdapter(dir)),
        });
        const sync = await createIndexSync({ index, changes, log: silentLogger() });
        return { index, changes, sync, engine: createAnswerEngine({ index, lexicon }) };
      };
      const a = await instance();
      const b = await instance();
      // A publishes in the background: B pulls until the change has arrived.
      const arrived = async () => {
        for (let tries = 0; tries < 300; tries++) {
          const n = await b.sync.pull();
          if (n > 0) return n;
          await new Promise((r) => setTimeout(r, 10));
        }
        return 0;
      };
      a.sync.publisher.upsert(notice('Ủy ban MTTQ xã Hòa Lạc tiếp công dân vào sáng thứ Ba hằng tuần tại trụ sở.'));
      expect(await arrived()).toBe(1);
      // B analyses the article and keeps that analysis.
      expect(b.engine.answer(question).quote?.join(' ')).toContain('sáng thứ Ba');
      a.sync.publisher.upsert(notice('Từ tháng 12, Ủy ban MTTQ xã Hòa Lạc tiếp công dân vào chiều thứ Năm hằng tuần tại nhà văn hóa.'));
      expect(await arrived()).toBe(1);
      // No one told B's engine: it sees that the index holds another version of the article.
      const after = b.engine.answer(question);
      expect(after.quote?.join(' ')).toContain('chiều thứ Năm');
      expect(after.text).not.toContain('sáng thứ Ba');
      expect(b.engine.answerFrom(question, 'lich-tiep')?.text).toContain('nhà văn hóa');
      await Promise.all([a.changes.close(), b.changes.close()]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('analyses an article once while it is unchanged, and again after it is replaced in the same index', () => {
    const index = ArticleIndex.create();
    for (let i = 0; i < 8; i++) index.upsert(filler(i));
    index.upsert(notice('Ủy ban MTTQ xã Hòa Lạc tiếp công dân vào sáng thứ Ba hằng tuần tại trụ sở.'));
    const engine = createAnswerEngine({ index, lexicon });
    const first = engine.rank(question, 1)[0]!;
    // The same analysis object is served while the document is the same.
    expect(engine.rank(question, 1)[0]!.info).toBe(first.info);
    index.upsert(notice('Ủy ban MTTQ xã Hòa Lạc tiếp công dân vào chiều thứ Năm hằng tuần.'));
    const second = engine.rank(question, 1)[0]!;
    expect(second.info).not.toBe(first.info);
    expect(second.info.sentences.map((s) => s.text).join(' ')).toContain('chiều thứ Năm');
  });
});
