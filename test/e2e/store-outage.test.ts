import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/copy/messages.js';
import { REDIS_LEASE_PREFIX } from '../../src/store/lock.js';
import { createRedisAdapter } from '../../src/store/redis.js';
import { spawnBot } from '../helpers/bot-process.js';
import { startFakeTelegram, textUpdate, waitFor } from '../helpers/fake-http.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { claimRedisDatabase, rawRedis, redisAnswers } from '../helpers/redis.js';

/** A database of its own (the store contract uses 15, the two-instance test 13); flushed before the test. */
const DATABASE = 3;
const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the store outage test: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

type LogLine = { level: number; msg: string; module?: string; err?: unknown; [key: string]: unknown };

describe.skipIf(!hasRedis)('a Redis outage', () => {
  it('does not silence the bot: questions are answered at once, store commands are refused at once, polling goes on, and the log says so twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-outage-'));
    const admin = createRedisAdapter(`redis://127.0.0.1:6379/${DATABASE}`);
    const proxy = await startTcpProxy(6379);
    const fake = await startFakeTelegram();
    try {
      await claimRedisDatabase(`redis://127.0.0.1:6379/${DATABASE}`);
      const raw = await rawRedis(admin);

      const child = spawnBot(
        {
          DATA_DIR: dir,
          REDIS_URL: `redis://127.0.0.1:${proxy.port}/${DATABASE}`,
          INSTANCE_ID: 'outage',
          LEASE_TTL_SECONDS: '2',
          TELEGRAM_BOT_TOKEN: '123456:TEST-outage',
          TELEGRAM_API_ROOT: fake.baseUrl,
          LOG_LEVEL: 'info',
          LOG_FORMAT: 'json',
        },
        children,
        'pipe',
      );
      const lines: LogLine[] = [];
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop()!;
        for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as LogLine);
      });
      await waitFor(() => lines.some((l) => l.msg.startsWith('web chat ready')), 60_000);
      const base = String(lines.find((l) => l.msg.startsWith('web chat ready'))!.url).replace(/\/$/, '');
      const ready = async () => {
        const res = await fetch(`${base}/readyz`);
        return { status: res.status, body: (await res.json()) as { checks: Record<string, unknown> } };
      };
      const chat = async (text: string) => {
        const started = performance.now();
        const res = await fetch(`${base}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId: 'outage', text }),
        });
        const { replies } = (await res.json()) as { replies: { text: string }[] };
        return { text: replies.map((r) => r.text).join('\n'), ms: performance.now() - started };
      };
      const storeUp = async () => /^mattran_store_up (\d)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1];
      const getUpdates = () => fake.calls.filter((c) => c.api === 'getUpdates').length;
      await waitFor(() => getUpdates() > 0, 30_000);
      expect((await ready()).status).toBe(200);
      const question = 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?';
      expect((await chat(question)).text).toContain('Phạm Thị Hân');

      await proxy.cut();
      const cutAt = lines.length;
      // /readyz says the store is down within a probe's time, without waiting for a timeout.
      let down = await ready();
      for (const deadline = Date.now() + 10_000; down.status === 200 && Date.now() < deadline; down = await ready())
        await new Promise((r) => setTimeout(r, 100));
      expect(down.status).toBe(503);
      expect(down.body.checks.store).toBe('store unavailable');
      expect(await storeUp()).toBe('0');

      const answered = await chat(question);
      expect(answered.text).toContain('Phạm Thị Hân');
      expect(answered.ms).toBeLessThan(1000);
      const refused = await chat('/dangky');
      expect(refused.text).toBe(messages.storeUnavailable);
      expect(refused.ms).toBeLessThan(1000);

      // A Telegram citizen is answered too, and polling goes on for three lease lifetimes.
      const polledBefore = getUpdates();
      fake.push(textUpdate(1, question));
      await waitFor(() => fake.sent().some((c) => String(c.body.text).includes('Phạm Thị Hân')), 5000);
      await new Promise((r) => setTimeout(r, 6000));
      expect(getUpdates()).toBeGreaterThan(polledBefore + 3);
      expect(lines.some((l) => l.msg.includes('another instance polls'))).toBe(false);

      await proxy.restore();
      let back = await ready();
      for (const deadline = Date.now() + 15_000; back.status !== 200 && Date.now() < deadline; back = await ready())
        await new Promise((r) => setTimeout(r, 100));
      expect(back.status).toBe(200);
      expect(await storeUp()).toBe('1');
      // The instance kept its polling lease through the outage.
      await waitFor(() => lines.some((l) => l.msg === 'store back'), 5000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await raw.get(`${REDIS_LEASE_PREFIX}poll:telegram`)).toBe('outage');
      expect(lines.some((l) => l.msg === 'this instance polls' && lines.indexOf(l) >= cutAt)).toBe(false);

      const during = lines.slice(cutAt);
      expect(during.filter((l) => l.msg === 'store unavailable')).toHaveLength(1);
      expect(during.filter((l) => l.msg === 'store back')).toHaveLength(1);
      // The store says it once; nothing logs an error or a stack trace for it.
      expect(during.filter((l) => l.module === 'store' && l.level >= 40).map((l) => l.msg)).toEqual(['store unavailable']);
      expect(during.filter((l) => l.level >= 50)).toEqual([]);
      expect(during.filter((l) => JSON.stringify(l).includes('\\n    at '))).toEqual([]);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    } finally {
      await proxy.close();
      await fake.close();
      await (await rawRedis(admin)).flushDb().catch(() => undefined);
      await admin.disconnect();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
