import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMemoryLease, createSqliteLease, type Lease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';

async function leaseContract(make: (now: () => number) => Promise<Lease[]>) {
  let clock = 1_000;
  const [a, b] = await make(() => clock);
  expect(await a!.acquire('slot', 'a', 100)).toBe(true);
  expect(await b!.acquire('slot', 'b', 100)).toBe(false);
  expect(await a!.acquire('slot', 'a', 100)).toBe(true); // renewal
  clock += 150;
  expect(await b!.acquire('slot', 'b', 100)).toBe(true); // expired: taken over
  expect(await a!.acquire('slot', 'a', 100)).toBe(false);
  await a!.release('slot', 'a'); // not the holder: no effect
  expect(await a!.acquire('slot', 'a', 100)).toBe(false);
  await b!.release('slot', 'b');
  expect(await a!.acquire('slot', 'a', 100)).toBe(true);
}

describe('leases', () => {
  it('in memory: one holder, renewal, expiry, release', async () => {
    await leaseContract(async (now) => {
      const lease = createMemoryLease(now);
      return [lease, lease];
    });
  });

  it('in SQLite: two connections to one file see one holder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-lease-'));
    const adapters = [await createSqliteAdapter(dir), await createSqliteAdapter(dir)];
    try {
      await leaseContract(async (now) => Promise.all(adapters.map((ad) => createSqliteLease(ad, now))));
    } finally {
      await Promise.all(adapters.map((ad) => ad.disconnect()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
