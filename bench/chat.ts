/**
 * `npm run bench -- chat [--corpus FILE ...] [--rate 20] [--seconds 30] [--data-dir DIR] [--json]`
 * Questions sent through a fake Telegram Bot API (127.0.0.1) to the running bot (telegraf long polling,
 * conversation core, answer engine with the bundled decision model over the corpus) at a fixed offered rate;
 * reply latency is measured from the moment an update is available to the moment its reply reaches the fake
 * API. Then the in-process baseline: the same questions asked directly of a new engine (cold analysis cache, as in
 * the run), one after another, in the same process: what an answer costs without the chat around it and without
 * queueing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAnswerEngine, loadDecisionModel } from '../src/answer/index.js';
import { createConversation } from '../src/assistant/conversation.js';
import { createTelegramChannel } from '../src/channels/telegram/channel.js';
import { loadIndex } from '../src/search/build.js';
import { loadLexicon } from '../src/search/lexicon.js';
import { createStores } from '../src/store/stores.js';
import { startFakeTelegram, textUpdate } from '../test/helpers/fake-http.js';
import { chatQuestions, percentile, ROOT, SHARED } from './common.js';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      corpus: { type: 'string', multiple: true },
      rate: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '30' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const log = pino({ level: 'warn' }, pino.destination(2));
  const defaults = ['baomoi-2017.jsonl.gz', 'vietnews-test.jsonl.gz', 'mttq-domain.jsonl'].map((f) => join(SHARED, 'corpus', f)).filter(existsSync);
  const paths = [join(ROOT, 'data'), ...(values.corpus?.length ? values.corpus.map((p) => resolve(p)) : defaults)];
  const { index } = await loadIndex({ paths, cacheDir: join(resolve(values['data-dir'] ?? join(ROOT, 'var')), 'cache'), log });
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const model = loadDecisionModel(join(ROOT, 'data', 'models', 'decision.json'));
  const engine = createAnswerEngine({ index, lexicon, model });
  const conversation = createConversation({ engine, index, lexicon, stores: await createStores({ log }), log });

  const questions = await chatQuestions();

  const pushedAt = new Map<number, number>();
  const firstReplyAt = new Map<number, number>();
  const replyCounts = new Map<string, number>();
  const fake = await startFakeTelegram({
    onSend: (call) => {
      const chat = Number(call.body.chat_id);
      if (!firstReplyAt.has(chat)) firstReplyAt.set(chat, performance.now());
      const key = `${chat}\u0000${String(call.body.text)}`;
      replyCounts.set(key, (replyCounts.get(key) ?? 0) + 1);
      return undefined;
    },
  });
  const channel = createTelegramChannel({ token: '1:BENCH', apiRoot: fake.baseUrl, log });
  await channel.start((m) => conversation.handle(m));

  const rate = Number(values.rate);
  const total = Math.round(rate * Number(values.seconds));
  const intervalMs = 1000 / rate;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const chat = 100_000 + i;
    pushedAt.set(chat, performance.now());
    fake.push(textUpdate(i + 1, questions[i % questions.length]!, chat));
  }
  const deadline = performance.now() + 15_000;
  while (firstReplyAt.size < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const elapsedS = (performance.now() - started) / 1000;
  await channel.stop();
  await fake.close();

  const latencies = [...firstReplyAt].map(([chat, at]) => at - pushedAt.get(chat)!).sort((a, b) => a - b);
  // The in-process baseline: each question of the run asked directly of a new engine (its analysis cache cold, as
  // it was in the run).
  const fresh = createAnswerEngine({ index, lexicon, model });
  const direct: number[] = [];
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    fresh.answer(questions[i % questions.length]!);
    direct.push(performance.now() - t0);
  }
  direct.sort((a, b) => a - b);
  const duplicated = [...replyCounts.values()].filter((n) => n > 1).length;
  const result = {
    articles: index.size,
    offeredPerSec: rate,
    replies: firstReplyAt.size,
    lost: total - firstReplyAt.size,
    duplicated,
    p50Ms: Number(percentile(latencies, 50).toFixed(1)),
    p99Ms: Number(percentile(latencies, 99).toFixed(1)),
    directP50Ms: Number(percentile(direct, 50).toFixed(1)),
    directP99Ms: Number(percentile(direct, 99).toFixed(1)),
  };
  process.stdout.write(`${index.size} articles; offered ${rate} questions/s for ${values.seconds} s (${total} questions)\n`);
  process.stdout.write(`replies ${result.replies} (${(result.replies / elapsedS).toFixed(1)}/s), lost ${result.lost}, duplicated ${result.duplicated}\n`);
  process.stdout.write(`reply latency p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${latencies.at(-1)?.toFixed(1)} ms\n`);
  process.stdout.write(
    `in-process baseline (engine.answer, one at a time): p50 ${result.directP50Ms} ms, p99 ${result.directP99Ms} ms; chat ÷ baseline: p50 ${(result.p50Ms / result.directP50Ms).toFixed(2)}, p99 ${(result.p99Ms / result.directP99Ms).toFixed(2)}\n`,
  );
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
