import type { KeyvStoreAdapter } from 'keyv';
import { describe, expect, it } from 'vitest';
import { createDailyStore } from '../../src/store/daily.js';
import { capturingLogger } from '../helpers/logger.js';

/** A keyv store in memory whose writes of `key` throw the first `times` times. */
function failing(key: string, times: number) {
  const map = new Map<string, unknown>();
  let writes = 0;
  let left = times;
  const adapter = {
    get: (k: string) => map.get(k),
    set: (k: string, v: unknown) => {
      writes++;
      if (k.endsWith(key) && left > 0) {
        left--;
        throw new Error('disk full');
      }
      map.set(k, v);
      return true;
    },
    delete: (k: string) => map.delete(k),
    clear: () => map.clear(),
    has: (k: string) => map.has(k),
  } as unknown as KeyvStoreAdapter;
  return { adapter, writes: () => writes };
}

describe('daily figures: a write that fails partway through several days', () => {
  it('counts the days written before the failure once, and writes the rest on the retry timer without another add', async () => {
    const { log, lines } = capturingLogger();
    // Each add starts a flush: three tries, each refused at the second day.
    const store = failing('d:2026-07-02', 3);
    const daily = await createDailyStore({ adapter: () => store.adapter, log, retryMs: 50 });
    // Three days in one tick: one batch, whose second day the store refuses; the two flushes after it retry the rest.
    await Promise.all([
      daily.add(new Date('2026-07-01T03:00:00Z'), { answered: 1 }),
      daily.add(new Date('2026-07-02T03:00:00Z'), { answered: 2 }),
      daily.add(new Date('2026-07-03T03:00:00Z'), { answered: 3, ticket: 1 }),
    ]);
    const read = async () => (await daily.days('2026-07-01', '2026-07-03')).map((d) => d.counts.answered);
    expect(await read()).toEqual([1, 0, 0]);
    expect(lines.filter((l) => String(l.msg).includes('daily figures not written yet'))).toHaveLength(3);

    // Nobody adds anything: the timer writes the two days left, and the first is not added again.
    for (const deadline = Date.now() + 5000; (await read())[2] !== 3; ) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await read()).toEqual([1, 2, 3]);
    expect((await daily.days('2026-07-03', '2026-07-03'))[0]!.counts.ticket).toBe(1);
    // Nothing left to retry: no further writes happen.
    const writes = store.writes();
    await new Promise((r) => setTimeout(r, 150));
    expect(store.writes()).toBe(writes);
    await daily.add(new Date('2026-07-01T04:00:00Z'), { answered: 1 });
    expect(await read()).toEqual([2, 2, 3]);
    await daily.close();
  });

  it('close writes what is kept, and a store that still refuses it is reported lost; no retry after close', async () => {
    const { log, lines } = capturingLogger();
    const store = failing('d:2026-07-05', 2);
    const daily = await createDailyStore({ adapter: () => store.adapter, log, retryMs: 50 });
    await daily.add(new Date('2026-07-05T03:00:00Z'), { noInfo: 1 });
    await daily.close();
    expect(lines.filter((l) => String(l.msg).includes('daily figures lost at close'))).toHaveLength(1);
    const writes = store.writes();
    await new Promise((r) => setTimeout(r, 150));
    expect(store.writes()).toBe(writes);
  });
});
