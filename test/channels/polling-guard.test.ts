import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPollingGuard, PollingStartError, type PollingGuard } from '../../src/channels/polling-guard.js';
import { createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';

const TTL_MS = 3000;
let dir: string;
let adapters: KeyvSqlite[];
let guards: PollingGuard[];
let clockMs: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-pollguard-'));
  adapters = [];
  guards = [];
  clockMs = Date.now();
});
afterEach(async () => {
  for (const g of guards) await g.stop();
  for (const a of adapters) await a.disconnect().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** A lease on the shared state file, as each instance opens it, on a clock the test moves. */
async function sqliteLease(): Promise<{ lease: Lease; adapter: KeyvSqlite }> {
  const adapter = await createSqliteAdapter(dir);
  adapters.push(adapter);
  return { lease: await createSqliteLease(adapter, () => clockMs), adapter };
}

/** One instance's side: a channel that records when its polling starts and stops, behind a guard. */
function instance(owner: string, lease: Lease, opts: { failStart?: () => boolean; ttlMs?: number } = {}) {
  const events: string[] = [];
  const fatal: Error[] = [];
  const { log, lines } = capturingLogger('info');
  const guard = createPollingGuard({
    channel: { id: 'telegram', stop: async () => void events.push('stop') },
    startPolling: async () => {
      if (opts.failStart?.()) throw new Error('telegram token rejected (401)');
      events.push('start');
    },
    lease,
    owner,
    ttlMs: opts.ttlMs ?? TTL_MS,
    log,
    onFatal: (err) => void fatal.push(err),
  });
  guards.push(guard);
  return { guard, events, fatal, lines, messages: () => lines.map((l) => l.msg) };
}

describe('polling guard', () => {
  it('lets one instance poll while the other stands by, and hands over when the poller stops renewing', async () => {
    const a = instance('a', (await sqliteLease()).lease);
    const b = instance('b', (await sqliteLease()).lease);
    await a.guard.check();
    await b.guard.check();
    expect([a.guard.state, b.guard.state]).toEqual(['polling', 'standby']);
    expect([a.events, b.events]).toEqual([['start'], []]);

    // a renews within the TTL: b keeps standing by.
    clockMs += TTL_MS / 3;
    await a.guard.check();
    await b.guard.check();
    expect(b.guard.state).toBe('standby');

    // a stops renewing (hung, or killed): once its lease lapses, b polls; a, when it checks again, stops.
    clockMs += TTL_MS + 1;
    await b.guard.check();
    expect(b.guard.state).toBe('polling');
    expect(b.events).toEqual(['start']);
    await a.guard.check();
    expect(a.guard.state).toBe('standby');
    expect(a.events).toEqual(['start', 'stop']);
    expect(a.messages()).toContain('another instance polls now: polling stopped here');
    expect(b.messages()).toContain('this instance polls');
  });

  it('keeps polling through a store error: an unavailable store or a failed query is not a lost lease', async () => {
    const { lease, adapter } = await sqliteLease();
    let outage = false;
    // What the Redis breaker does while open: the store refuses every call.
    const refusing: Lease = {
      acquire: (...args) => (outage ? Promise.reject(new StoreUnavailableError()) : lease.acquire(...args)),
      release: (...args) => lease.release(...args),
    };
    const a = instance('a', refusing);
    await a.guard.check();
    outage = true;
    clockMs += TTL_MS * 2;
    await a.guard.check();
    expect(a.guard.state).toBe('polling');
    expect(a.lines.filter((l) => (l.level as number) >= 40)).toEqual([]);

    // A real failure of the SQLite file (closed under it): warned about, polling goes on.
    outage = false;
    await adapter.disconnect();
    await a.guard.check();
    expect(a.guard.state).toBe('polling');
    expect(a.events).toEqual(['start']);
    expect(a.messages()).toContain('polling lease not checked');
  });

  it('gives the lease up on stop, so the other instance takes over at once', async () => {
    const a = instance('a', (await sqliteLease()).lease);
    const b = instance('b', (await sqliteLease()).lease);
    await a.guard.start();
    await b.guard.start();
    expect(b.guard.state).toBe('standby');
    await a.guard.stop();
    expect(a.events).toEqual(['start', 'stop']);
    await b.guard.check();
    expect(b.guard.state).toBe('polling');
    // Stopped guards stay stopped: a later check does not take the lease back.
    await a.guard.check();
    expect(a.events).toEqual(['start', 'stop']);
  });

  it('starts polling once when checks overlap', async () => {
    const a = instance('a', (await sqliteLease()).lease);
    await Promise.all([a.guard.check(), a.guard.check(), a.guard.check()]);
    expect(a.events).toEqual(['start']);
  });

  it('rejects start when polling cannot start, and reports a failed take-over to onFatal', async () => {
    const first = instance('a', (await sqliteLease()).lease, { failStart: () => true });
    await expect(first.guard.start()).rejects.toBeInstanceOf(PollingStartError);
    expect(first.guard.state).toBe('unchecked');
    await first.guard.stop();

    // On b's timer (every 100 ms): b stands by, a's lease lapses (a never renews it), b's take-over fails and goes to onFatal.
    const { lease } = await sqliteLease();
    const a = instance('a', lease, { ttlMs: 300 });
    const b = instance('b', lease, { ttlMs: 300, failStart: () => true });
    await a.guard.check();
    await b.guard.start();
    expect(b.guard.state).toBe('standby');
    clockMs += 1000;
    await waitFor(() => b.fatal.length > 0, 2000);
    expect(b.fatal[0]).toBeInstanceOf(PollingStartError);
    expect((b.fatal[0]!.cause as Error).message).toBe('telegram token rejected (401)');
  });
});
