import { describe, expect, it } from 'vitest';
import { messages } from '../../src/copy/messages.js';
import { createStaffRecorder } from '../../src/assistant/recorder.js';
import { createSubscriptionFlow } from '../../src/assistant/subscribe.js';
import type { InboundMessage } from '../../src/core/chat.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createDigestService } from '../../src/digest/digest.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createRedisBackend } from '../../src/store/redis.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore } from '../../src/store/subscriptions.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { bundledBot } from '../helpers/bot.js';
import { waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { redisAnswers } from '../helpers/redis.js';

const label = (question: string) => ({ what: 'could not record a question for staff', fields: { question } });

describe('records for staff', () => {
  it('hold a reply up for waitMs at most when the store hangs', async () => {
    const { log } = capturingLogger();
    const recorder = createStaffRecorder({ log, waitMs: 50 });
    const started = performance.now();
    await recorder.record(label('q'), () => new Promise(() => undefined));
    const waitedMs = performance.now() - started;
    expect(waitedMs).toBeGreaterThanOrEqual(45);
    expect(waitedMs).toBeLessThan(500);
  });

  it('are retried while the store is unavailable and written once it is back', async () => {
    const { log, lines } = capturingLogger();
    const written: string[] = [];
    let up = false;
    const write = (q: string) => async () => {
      if (!up) throw new StoreUnavailableError();
      written.push(q);
    };
    const recorder = createStaffRecorder({ log, retryEveryMs: 30 });
    await recorder.record(label('một'), write('một'));
    await recorder.record(label('hai'), write('hai'));
    expect(recorder.pending).toBe(2);
    up = true;
    await waitFor(() => recorder.pending === 0, 2000);
    expect(written).toEqual(['một', 'hai']);
    expect(lines).toEqual([]);
  });

  it('are given up after giveUpAfterMs, counted, and logged with their question', async () => {
    const { log, lines } = capturingLogger();
    const dropped: number[] = [];
    const recorder = createStaffRecorder({ log, retryEveryMs: 20, giveUpAfterMs: 60, onDropped: (n) => dropped.push(n) });
    await recorder.record(label('Cách làm bánh chưng?'), async () => Promise.reject(new StoreUnavailableError()));
    await waitFor(() => recorder.pending === 0, 2000);
    expect(dropped).toEqual([1]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 40,
      msg: 'records for staff given up: store unavailable',
      dropped: 1,
      records: [{ what: 'could not record a question for staff', question: 'Cách làm bánh chưng?' }],
    });
  });

  it('keep at most maxPending, giving up the oldest', async () => {
    const { log } = capturingLogger();
    const dropped: number[] = [];
    const recorder = createStaffRecorder({ log, retryEveryMs: 60_000, maxPending: 2, onDropped: (n) => dropped.push(n) });
    for (const q of ['1', '2', '3']) await recorder.record(label(q), async () => Promise.reject(new StoreUnavailableError()));
    expect(recorder.pending).toBe(2);
    expect(dropped).toEqual([1]);
  });

  it('log any other failure at once, without retrying it', async () => {
    const { log, lines } = capturingLogger();
    let calls = 0;
    const recorder = createStaffRecorder({ log, retryEveryMs: 20 });
    await recorder.record(label('q'), async () => {
      calls++;
      throw new Error('SQLITE_IOERR: disk I/O error');
    });
    await new Promise((r) => setTimeout(r, 80));
    expect(calls).toBe(1);
    expect(recorder.pending).toBe(0);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'could not record a question for staff']]);
  });
});

const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the conversation outage test: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

/** A database of its own; this test deletes what it wrote. */
const DATABASE = 10;

describe.skipIf(!hasRedis)('the conversation while Redis is unreachable', () => {
  it('answers questions at once, refuses /dangky and a 👍 at once with the busy message, and records the unanswered question when Redis is back', async () => {
    const proxy = await startTcpProxy(6379);
    const { log, lines } = capturingLogger();
    const backend = createRedisBackend(`redis://127.0.0.1:${proxy.port}/${DATABASE}`, { log, probeIntervalMs: 100 });
    const adapter = () => backend.adapter();
    const { newConversation, index, lexicon } = await bundledBot();
    const stores = await createStores({ adapter, log });
    const subscriptions = await createSubscriptionStore({ adapter, log });
    const broadcasts = await createBroadcastStore({ adapter, log });
    const broadcaster = createBroadcaster({ store: broadcasts, channels: new Map(), log });
    const digest = createDigestService({
      docs: () => index.all(),
      subscriptions,
      broadcasts,
      broadcaster,
      hasChannel: () => true,
      maxTextLength: () => 4000,
      log,
    });
    const flow = createSubscriptionFlow({ subscriptions, digest, lexicon, pushChannels: new Set(['telegram']), log });
    const conversation = await newConversation({ stores, log, flows: [flow], records: { retryEveryMs: 100 } });
    const msg = (text: string): InboundMessage => ({ channel: 'telegram', chatId: 'outage-1', userId: 'outage-1', text, receivedAt: new Date() });
    const unanswered = 'Lịch thi đấu bóng đá tối nay thế nào?';
    const recorded = async () => {
      const questions: string[] = [];
      for await (const [, v] of stores.unanswered.iterator!(undefined)) questions.push((v as { question: string }).question);
      return questions;
    };
    try {
      await proxy.cut();
      // The first call notices the dropped connection; every later one fails at once.
      await stores.chats.get('warm-up').catch(() => undefined);
      await waitFor(() => backend.breaker.isOpen, 5000);
      const timed = async (text: string) => {
        const started = performance.now();
        const [reply] = await conversation.handle(msg(text));
        return { text: reply!.text, ms: performance.now() - started };
      };
      const answer = await timed('Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?');
      expect(answer.text).toContain('Phạm Thị Hân');
      expect(answer.ms).toBeLessThan(1000);
      const refused = await timed('/dangky');
      expect(refused.text).toBe(messages.storeUnavailable);
      expect(refused.ms).toBeLessThan(1000);
      const vote = await conversation.handle({ ...msg(''), callbackData: `fb:up:${Date.now().toString(36)}` });
      expect(vote[0]!.text).toBe(messages.storeUnavailable);
      const notKnown = await timed(unanswered);
      expect(notKnown.text).toMatch(/chưa có thông tin/);
      expect(notKnown.ms).toBeLessThan(1000);

      await proxy.restore();
      await waitFor(() => !backend.breaker.isOpen, 10_000);
      let questions: string[] = [];
      for (const deadline = Date.now() + 5000; !questions.includes(unanswered) && Date.now() < deadline; questions = await recorded())
        await new Promise((r) => setTimeout(r, 50));
      expect(questions).toContain(unanswered);
      expect(lines.filter((l) => (l.level as number) >= 40).map((l) => l.msg)).toEqual(['store unavailable']);
    } finally {
      for await (const [key] of stores.unanswered.iterator!(undefined)) await stores.unanswered.delete(key as string);
      await stores.chats.delete('telegram:outage-1');
      await Promise.allSettled([stores.close(), subscriptions.close(), broadcasts.close()]);
      await backend.close();
      await proxy.close();
    }
  }, 30_000);
});
