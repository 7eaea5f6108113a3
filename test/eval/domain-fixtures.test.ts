import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.js';
import { normalizeForMatch, readQueries } from '../../src/eval/evaluate.js';
import { ROOT, sharedPath } from '../helpers/shared.js';

const dir = join(ROOT, 'test', 'fixtures', 'domain');
const files = ['questions.jsonl', 'questions.holdout.jsonl', 'questions.more.jsonl', 'questions.blind.jsonl', 'questions.news.jsonl'];
/** The sets whose every question is answerable (over the news corpus): the others mix in a few unanswerable ones. */
const allAnswerable = new Set(['questions.news.jsonl']);
/** The sets that point only at the Front's articles (mttq-domain.jsonl), and the one that points only at the news corpus (vietnews-test). */
const onDomain = new Set(['questions.more.jsonl', 'questions.blind.jsonl']);
const onNews = new Set(['questions.news.jsonl']);

describe('Front domain question sets (test/fixtures/domain)', () => {
  it('parse without a broken line, with unique ids, answers for every answerable question and (but in the news set) a few unanswerable ones', async () => {
    const ids = new Set<string>();
    for (const file of files) {
      const { queries, problems } = await readQueries(join(dir, file));
      expect(problems, file).toEqual([]);
      expect(queries.length, file).toBeGreaterThanOrEqual(20);
      for (const q of queries) {
        expect(ids.has(q.id), q.id).toBe(false);
        ids.add(q.id);
        expect(q.relevant.length > 0 ? q.answers.length > 0 : q.answers.length === 0, q.id).toBe(true);
      }
      const unanswerable = queries.filter((q) => q.relevant.length === 0).length;
      if (allAnswerable.has(file)) expect(unanswerable, file).toBe(0);
      else expect(unanswerable, file).toBeGreaterThanOrEqual(3);
    }
  });

  const corpus = sharedPath('corpus', 'mttq-domain.jsonl');
  const news = sharedPath('corpus', 'vietnews-test.jsonl.gz');
  // Every string of an article or a program (title, summary, body; name, tasks, …), normalised as the eval does.
  const strings = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
  const textOf = async (paths: string[]) => {
    const { items } = await loadContent(paths);
    return new Map(items.map((d) => [d.id, normalizeForMatch(strings(d).join('\n'))]));
  };

  it.skipIf(!corpus || !news)('point at documents that exist and quote them verbatim', async () => {
    // The Front's articles (some of them copies of news articles, under the same ids) and the bundled data; the news corpus apart.
    const domain = await textOf([corpus!, join(ROOT, 'data')]);
    const newsText = await textOf([news!]);
    for (const file of files) {
      const text = onNews.has(file) ? newsText : domain;
      const { queries } = await readQueries(join(dir, file));
      for (const q of queries) {
        // The older sets also point at articles of the 58k news files; `npm run cli -- eval` reads those.
        const known = q.relevant.filter((id) => text.has(id));
        if (onDomain.has(file) || onNews.has(file)) expect(known, q.id).toEqual(q.relevant);
        for (const id of known) {
          expect(
            q.answers.some((a) => text.get(id)!.includes(normalizeForMatch(a))),
            `${q.id}: no answer of ${JSON.stringify(q.answers)} in ${id}`,
          ).toBe(true);
        }
      }
    }
  });
});
