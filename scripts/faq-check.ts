/**
 * How curated entries match, measured on a FAQ set (`../shared/eval/vicov19-faq`): its dev questions become curated
 * entries (question → its answer passage) next to the bundled content, then
 *  - a sample of those questions is asked as written and without diacritics: how often its own entry answers;
 *  - the test questions (whose answers are not curated) are asked: how often some entry answers anyway.
 *
 *   npx tsx scripts/faq-check.ts ../shared/eval/vicov19-faq [--entries 3999] [--asked 500] [--min-match 0.75]
 *
 * FAQ_SHOW=1 prints each test question answered from an entry, with that entry's question.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAnswerEngine, loadDecisionModel } from '../src/answer/index.js';
import { faqDoc } from '../src/assistant/faq.js';
import { foldText } from '../src/search/analyzer.js';
import { loadIndex } from '../src/search/build.js';
import { loadLexicon } from '../src/search/lexicon.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { entries: { type: 'string', default: '3999' }, asked: { type: 'string', default: '500' }, 'min-match': { type: 'string' } },
});
const set = resolve(positionals[0] ?? '../shared/eval/vicov19-faq');
const lines = (file: string) =>
  readFileSync(join(set, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const answers = new Map(lines('corpus.jsonl').map((d) => [String(d.id), String(d.body).trim()]));
const dev = lines('queries.dev.jsonl').slice(0, Number(values.entries));
const test = lines('queries.test.jsonl');

const root = resolve(import.meta.dirname, '..');
const lexicon = loadLexicon(join(root, 'data', 'lexicon'));
const { index } = await loadIndex({ paths: [join(root, 'data')], log: pino({ level: 'silent' }) });
const model = loadDecisionModel(join(root, 'data', 'models', 'decision.json'));
const engine = createAnswerEngine({ index, lexicon, model, ...(values['min-match'] ? { faqMinMatch: Number(values['min-match']) } : {}) });
const at = new Date().toISOString();
const entryOf = new Map<string, number>();
dev.forEach((q, i) => {
  const answer = answers.get(String((q.relevant as string[])[0]))?.slice(0, 1500);
  if (!answer) return;
  const id = i + 1;
  entryOf.set(String(q.id), id);
  index.upsert(faqDoc({ id, question: String(q.query), alternates: [], answer, createdAt: at, updatedAt: at, author: 'check', status: 'active' }));
});

const asked = dev.filter((q) => entryOf.has(String(q.id))).slice(0, Number(values.asked));
const share = (n: number, of: number) => `${n}/${of} (${((100 * n) / of).toFixed(1)}%)`;
for (const [name, write] of [
  ['as written', (q: string) => q],
  ['without diacritics', foldText],
] as const) {
  let own = 0;
  let other = 0;
  for (const q of asked) {
    const faq = engine.answer(write(String(q.query))).faq;
    if (faq === entryOf.get(String(q.id))) own++;
    else if (faq !== undefined) other++;
  }
  console.log(`curated questions asked ${name}: own entry ${share(own, asked.length)}, another entry ${share(other, asked.length)}`);
}
let wrong = 0;
for (const q of test) {
  const faq = engine.answer(String(q.query)).faq;
  if (faq === undefined) continue;
  wrong++;
  if (process.env.FAQ_SHOW) console.log(`  ${String(q.query).slice(0, 110)}\n    → #${faq} ${String(dev[faq - 1]?.query).slice(0, 110)}`);
}
console.log(`questions whose answer is not curated (test set): answered from an entry ${share(wrong, test.length)} (entries: ${entryOf.size})`);
