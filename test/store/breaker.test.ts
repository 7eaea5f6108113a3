import { afterEach, describe, expect, it } from 'vitest';
import { StoreBreaker } from '../../src/store/breaker.js';
import { createRedisLease } from '../../src/store/lock.js';
import { createRedisBackend, type RedisBackend } from '../../src/store/redis.js';
import { createStores } from '../../src/store/stores.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { redisAnswers } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const outage = () => true;
const messagesOf = (lines: Record<string, unknown>[]) => lines.map((l) => l.msg);

/** A probe the test answers: down until `up` is set. */
function testProbe() {
  const state = { up: false, calls: 0 };
  const probe = async (): Promise<boolean> => {
    state.calls++;
    if (!state.up) throw new Error('connect ECONNREFUSED');
    return true;
  };
  return { state, probe };
}

describe('StoreBreaker', () => {
  const breakers: StoreBreaker[] = [];
  afterEach(() => {
    for (const b of breakers.splice(0)) b.stop();
  });
  const make = (options: Partial<ConstructorParameters<typeof StoreBreaker>[0]> = {}) => {
    const { log, lines } = capturingLogger();
    const { state, probe } = testProbe();
    const changes: boolean[] = [];
    const breaker = new StoreBreaker({ probe, log, probeIntervalMs: 50, onChange: (up) => changes.push(up), ...options });
    breakers.push(breaker);
    return { breaker, lines, state, changes };
  };

  it('opens on the first outage failure, then refuses every call at once with StoreUnavailableError', async () => {
    const { breaker, lines, changes } = make();
    await expect(breaker.run(async () => 'ok', outage)).resolves.toBe('ok');
    const failure = breaker.run(() => Promise.reject(new Error('Redis get failed: no answer within 3000 ms')), outage);
    await expect(failure).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failure).rejects.toMatchObject({ cause: { message: 'Redis get failed: no answer within 3000 ms' } });
    expect(breaker.isOpen).toBe(true);
    let ran = false;
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      await expect(
        breaker.run(async () => {
          ran = true;
        }, outage),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
    }
    expect(performance.now() - started).toBeLessThan(100);
    expect(ran).toBe(false);
    expect(messagesOf(lines)).toEqual(['store unavailable']);
    expect(lines[0]).toMatchObject({ level: 40, reason: 'Redis get failed: no answer within 3000 ms' });
    expect(lines[0]).not.toHaveProperty('err');
    expect(changes).toEqual([false]);
  });

  it('lets a failure that is not an outage through without opening', async () => {
    const { breaker, lines } = make();
    const bug = new TypeError('bad input');
    await expect(
      breaker.run(
        () => Promise.reject(bug),
        () => false,
      ),
    ).rejects.toBe(bug);
    expect(breaker.isOpen).toBe(false);
    expect(lines).toEqual([]);
  });

  it('cuts calls in flight short when it opens', async () => {
    const { breaker } = make();
    const hanging = breaker.run(() => new Promise<never>(() => undefined), outage);
    breaker.fail(new Error('Socket closed unexpectedly'));
    await expect(hanging).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('probes while open, closes on the first probe that answers, and says "store back" once with the refused count', async () => {
    const { breaker, lines, state, changes } = make();
    breaker.fail(new Error('Socket closed unexpectedly'));
    breaker.fail(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    for (let i = 0; i < 3; i++) await breaker.run(async () => 1, outage).catch(() => undefined);
    await sleep(180);
    expect(state.calls).toBeGreaterThanOrEqual(2);
    expect(breaker.isOpen).toBe(true);
    state.up = true;
    await waitFor(() => !breaker.isOpen, 1000);
    await expect(breaker.run(async () => 'again', outage)).resolves.toBe('again');
    expect(messagesOf(lines)).toEqual(['store unavailable', 'store back']);
    expect(lines[1]).toMatchObject({ level: 30, refusedCalls: 3 });
    expect(changes).toEqual([false, true]);
    const probesWhenBack = state.calls;
    await sleep(150);
    expect(state.calls).toBe(probesWhenBack);
  });

  it('reports the calls refused every report interval while the store stays unavailable', async () => {
    const { breaker, lines } = make({ reportIntervalMs: 100 });
    breaker.fail(new Error('down'));
    for (let i = 0; i < 5; i++) await breaker.run(async () => 1, outage).catch(() => undefined);
    await waitFor(() => lines.filter((l) => l.msg === 'store still unavailable').length >= 2, 1000);
    const reports = lines.filter((l) => l.msg === 'store still unavailable');
    expect(reports[0]).toMatchObject({ level: 40, refusedCalls: 5 });
    expect(reports[1]).toMatchObject({ refusedCalls: 0 });
    expect(lines.filter((l) => l.msg === 'store unavailable')).toHaveLength(1);
  });
});

const hasRedis = await redisAnswers();
if (!hasRedis) process.stderr.write('skipping the Redis breaker tests: no redis-server answers on 127.0.0.1:6379 (.ci/run starts one)\n');

/** A database of its own; this suite only writes keys under `breaker-test` and deletes them. */
const DATABASE = 11;

describe.skipIf(!hasRedis)('a Redis backend behind a connection that is cut', () => {
  it('fails fast after the first failure, logs the outage once for every adapter, and works again when the connection is back', async () => {
    const proxy = await startTcpProxy(6379);
    const { log, lines } = capturingLogger();
    const backend: RedisBackend = createRedisBackend(`redis://127.0.0.1:${proxy.port}/${DATABASE}`, { log, probeIntervalMs: 100 });
    const stores = await createStores({ adapter: () => backend.adapter(), log });
    const lease = createRedisLease(backend.adapter());
    try {
      await stores.chats.set('breaker-test:1', { lastAt: 1 });
      expect(await lease.acquire('breaker-test', 'me', 10_000)).toBe(true);
      expect(await backend.ping()).toBe(true);

      await proxy.cut();
      await waitFor(() => backend.breaker.isOpen, 5000);
      const started = performance.now();
      const outcomes = await Promise.allSettled([
        stores.chats.get('breaker-test:1'),
        stores.feedback.set('breaker-test:2', { channel: 'web', chatId: '2', question: 'q', sourceIds: [], vote: 'up', at: 't' }),
        lease.acquire('breaker-test', 'me', 10_000),
        backend.ping(),
      ]);
      expect(performance.now() - started).toBeLessThan(100);
      // A store error is not "held by another instance": the lease check throws, it does not answer false.
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).name : o.value))).toEqual(Array(4).fill('StoreUnavailableError'));

      await proxy.restore();
      await waitFor(() => !backend.breaker.isOpen, 10_000);
      expect(await stores.chats.get('breaker-test:1')).toEqual({ lastAt: 1 });
      expect(await lease.acquire('breaker-test', 'me', 10_000)).toBe(true);
      const said = lines.filter((l) => (l.level as number) >= 40 || l.msg === 'store back').map((l) => l.msg);
      expect(said).toEqual(['store unavailable', 'store back']);
    } finally {
      await lease.release('breaker-test', 'me').catch(() => undefined);
      await stores.chats.delete('breaker-test:1').catch(() => undefined);
      await stores.close();
      await backend.close();
      await proxy.close();
    }
  }, 30_000);
});
