/**
 * `npm run bench -- cost [--questions N] '<json tuning overrides A>' '<json tuning overrides B>'`
 * What an answer costs under two tunings of the answer engine, in one process over the same 58k-article index
 * (data/ + ../shared/corpus), alternating question by question between A and B so that a noisy machine weighs
 * on both alike. Each tuning has its own engine (and its own cache of analysed articles). Questions: our domain
 * set, then the uit-regulations-wiki and vicov19-faq dev questions, as in `bench chat`. Prints p50 / p90 / p99
 * and the total of the whole answer, and of the index lookup alone, for A and B.
 * Example: `npm run bench -- cost '{"scoring": {"coordination": 0}, "coverageWeight": 0.6}' '{}'`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAnswerEngine, type TuningOverrides } from '../src/answer/index.js';
import { loadIndex } from '../src/search/build.js';
import { loadLexicon } from '../src/search/lexicon.js';
import { planQuery } from '../src/search/query.js';
import { chatQuestions, percentile, ROOT, SHARED } from './common.js';

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: Number(percentile(sorted, 50).toFixed(1)),
    p90: Number(percentile(sorted, 90).toFixed(1)),
    p99: Number(percentile(sorted, 99).toFixed(1)),
    totalMs: Math.round(times.reduce((a, b) => a + b, 0)),
  };
};

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { questions: { type: 'string', default: '600' } } });
  const corpus = ['baomoi-2017.jsonl.gz', 'vietnews-test.jsonl.gz', 'mttq-domain.jsonl'].map((f) => join(SHARED, 'corpus', f));
  if (!corpus.every((f) => existsSync(f))) {
    process.stdout.write(`bench cost: the corpus is missing (${join(SHARED, 'corpus')})\n`);
    return 2;
  }
  let tunings: [TuningOverrides, TuningOverrides];
  try {
    tunings = [JSON.parse(positionals[0] ?? '{}') as TuningOverrides, JSON.parse(positionals[1] ?? '{}') as TuningOverrides];
  } catch (err) {
    process.stdout.write(`bench cost: each argument must be a JSON object of tuning overrides (${(err as Error).message})\n`);
    return 2;
  }
  const log = pino({ level: 'warn' }, pino.destination(2));
  const { index } = await loadIndex({ paths: [join(ROOT, 'data'), ...corpus], cacheDir: join(ROOT, 'var', 'cache'), log });
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const questions = await chatQuestions();
  const count = Number(values.questions);
  const engines = tunings.map((tuning) => createAnswerEngine({ index, lexicon, tuning }));
  const answers: number[][] = [[], []];
  const lookups: number[][] = [[], []];
  for (let i = 0; i < count; i++) {
    const question = questions[i % questions.length]!;
    // A then B on even questions, B then A on odd ones.
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const engine = engines[k]!;
      let started = performance.now();
      engine.answer(question);
      answers[k]!.push(performance.now() - started);
      const plan = planQuery(question, index, lexicon, engine.tuning.plan);
      started = performance.now();
      index.lookup({ weights: plan.weights, fuzzy: plan.fuzzy, scoring: engine.tuning.scoring, limit: engine.tuning.longWideDepth });
      lookups[k]!.push(performance.now() - started);
    }
  }
  const result = {
    questions: count,
    a: { tuning: tunings[0], answer: summary(answers[0]!), lookup: summary(lookups[0]!) },
    b: { tuning: tunings[1], answer: summary(answers[1]!), lookup: summary(lookups[1]!) },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
