/**
 * `npm run bench -- quotes [FILE…]`
 * What the replies quote, over the 58k-article domain corpus (data/ + ../shared/corpus): for each question set
 * (default: the four sets of test/fixtures/domain), how many questions got an answer, how many of those also
 * quote a second article ("… cho biết thêm:"), how many hit an expected answer only through that second quote,
 * and the length of the main quote and of the second one (p50 / p90 / max characters).
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import pino from 'pino';
import { createAnswerEngine } from '../src/answer/index.js';
import { normalizeForMatch, readQueries } from '../src/eval/evaluate.js';
import { loadIndex } from '../src/search/build.js';
import { loadLexicon } from '../src/search/lexicon.js';
import { percentile, ROOT, SHARED } from './common.js';

const lengths = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? `${percentile(sorted, 50)} / ${percentile(sorted, 90)} / ${sorted.at(-1)}` : '–';
};

export async function main(argv: string[]): Promise<number> {
  const corpus = ['baomoi-2017.jsonl.gz', 'vietnews-test.jsonl.gz', 'mttq-domain.jsonl'].map((f) => join(SHARED, 'corpus', f));
  if (!corpus.every((f) => existsSync(f))) {
    process.stdout.write(`bench quotes: the corpus is missing (${join(SHARED, 'corpus')})\n`);
    return 2;
  }
  const files =
    argv.length > 0
      ? argv.map((f) => resolve(f))
      : ['questions', 'questions.holdout', 'questions.more', 'questions.blind'].map((n) => join(ROOT, 'test', 'fixtures', 'domain', `${n}.jsonl`));
  const log = pino({ level: 'warn' }, pino.destination(2));
  const { index } = await loadIndex({ paths: [join(ROOT, 'data'), ...corpus], cacheDir: join(ROOT, 'var', 'cache'), log });
  const engine = createAnswerEngine({ index, lexicon: loadLexicon(join(ROOT, 'data', 'lexicon')) });
  for (const file of files) {
    const { queries } = await readQueries(file);
    let answered = 0;
    let added = 0;
    let hitThroughAdded = 0;
    const main: number[] = [];
    const second: number[] = [];
    for (const q of queries) {
      const a = engine.answer(q.query);
      if (a.kind !== 'answer' || !a.quote) continue;
      answered += 1;
      main.push(a.quote.join(' ').length);
      if (!a.also) continue;
      added += 1;
      second.push(a.also.quote.join(' ').length);
      const has = (text: string) => q.answers.some((x) => normalizeForMatch(text).includes(normalizeForMatch(x)));
      if (has(a.also.quote.join(' ')) && !has(a.quote.join(' '))) hitThroughAdded += 1;
    }
    process.stdout.write(
      `${basename(file, '.jsonl')}: ${answered} answered, ${added} with a second article's sentence (${answered ? Math.round((100 * added) / answered) : 0} %), ` +
        `${hitThroughAdded} hit only through it; quote length p50 / p90 / max ${lengths(main)}, second ${lengths(second)}\n`,
    );
  }
  return 0;
}
