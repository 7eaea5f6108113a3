import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.js';
import { normalizeForMatch, readQueries } from '../../src/eval/evaluate.js';
import { ROOT, sharedPath } from '../helpers/shared.js';

const dir = join(ROOT, 'test', 'fixtures', 'domain');
const files = ['questions.jsonl', 'questions.holdout.jsonl', 'questions.more.jsonl', 'questions.blind.jsonl'];

describe('Front domain question sets (test/fixtures/domain)', () => {
  it('parse without a broken line, with unique ids, answers for every answerable question and a few unanswerable ones', async () => {
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
      expect(queries.filter((q) => q.relevant.length === 0).length, file).toBeGreaterThanOrEqual(3);
    }
  });

  const corpus = sharedPath('corpus', 'mttq-domain.jsonl');
  it.skipIf(!corpus)('point at documents that exist and quote them verbatim', async () => {
    const { items } = await loadContent([corpus!, join(ROOT, 'data')]);
    // Every string of an article or a program (title, summary, body; name, tasks, …), normalised as the eval does.
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    const text = new Map(items.map((d) => [d.id, normalizeForMatch(strings(d).join('\n'))]));
    for (const file of files) {
      const { queries } = await readQueries(join(dir, file));
      for (const q of queries) {
        // The older sets also point at articles of the 58k news files; `npm run cli -- eval` reads those.
        const known = q.relevant.filter((id) => text.has(id));
        if (file === 'questions.more.jsonl' || file === 'questions.blind.jsonl') expect(known, q.id).toEqual(q.relevant);
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
