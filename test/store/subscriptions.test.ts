import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createSubscriptionStore, type Subscriber } from '../../src/store/subscriptions.js';
import { silentLogger } from '../helpers/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-subs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sub = (chatId: string, hour = 7): Subscriber => ({
  channel: 'telegram',
  chatId,
  topics: [],
  provinces: [],
  hour,
  paused: false,
  createdAt: 'c',
  updatedAt: 'u',
});

describe('subscription store on SQLite', () => {
  it('lists subscribers by delivery hour without scanning, moves them when the hour changes, survives a restart', async () => {
    const open = () => createSubscriptionStore({ adapter: () => createSqliteAdapter(dir), log: silentLogger() });
    const store = await open();
    // Concurrent puts into the same index lists must not lose each other.
    await Promise.all(Array.from({ length: 3000 }, (_, i) => store.put(sub(String(i), i % 3 === 0 ? 18 : 7))));
    expect((await store.keysAt(7)).length).toBe(2000);
    expect((await store.keysAt(18)).length).toBe(1000);
    await store.put({ ...sub('1'), hour: 18 });
    expect(await store.remove('telegram', '2')).toBe(true);
    expect(await store.remove('telegram', '2')).toBe(false);
    await store.close();
    const again = await open();
    const at7 = await again.keysAt(7);
    expect(at7).toHaveLength(1998);
    expect(at7).not.toContain('telegram:1');
    expect(await again.keysAt(18)).toContain('telegram:1');
    expect((await again.allKeys()).length).toBe(2999);
    const records = await again.getMany(at7);
    expect(records.every((r) => r?.hour === 7)).toBe(true);
    expect((await again.get('telegram', '1'))?.hour).toBe(18);
    await again.close();
  });
});
