import { randomUUID } from 'node:crypto';
import type { KeyvStoreAdapter } from 'keyv';
import { openNamespace } from './stores.js';
import type { Logger } from 'pino';
import type { SearchDoc } from '../content/types.js';
import { withLease, type Lease } from './lock.js';

/** A change to the searchable content made on one instance, for the others to apply. */
export type IndexChange = { seq: number; op: 'upsert'; doc: SearchDoc } | { seq: number; op: 'remove'; id: string };
type NewChange = { op: 'upsert'; doc: SearchDoc } | { op: 'remove'; id: string };

/** Changes are kept this long: an instance down longer rebuilds from the content and the store at start. */
const KEEP_MS = 7 * 24 * 3_600_000;
/** Most changes read in one pull. */
const PULL_MAX = 500;

/**
 * A numbered change log in the store (works the same on Redis and on a shared SQLite file): publishing
 * takes the next number under a lease, pulling reads every number after the last one seen.
 */
export interface ChangeLog {
  publish(change: NewChange): Promise<number>;
  /** Changes after `seq`, in order (at most 500 at a time). */
  since(seq: number): Promise<IndexChange[]>;
  /** The latest number published. */
  head(): Promise<number>;
  close(): Promise<void>;
}

/** Create the change log over keyv on `adapter()` (a Map without it). */
export async function createChangeLog(options: {
  adapter?: () => Promise<KeyvStoreAdapter> | KeyvStoreAdapter;
  log: Logger;
  lease?: Lease;
}): Promise<ChangeLog> {
  const kv = await openNamespace<unknown>(options, 'changes');
  const owner = randomUUID();
  let chain: Promise<unknown> = Promise.resolve();
  const head = async () => ((await kv.get('seq')) as number | undefined) ?? 0;
  return {
    publish(change) {
      const next = chain
        .catch(() => undefined)
        .then(async () => {
          return withLease(options.lease, 'changes:seq', owner, async () => {
            const seq = (await head()) + 1;
            // The entry first, then the number: a reader never sees a number without its entry.
            await kv.set(`c:${seq}`, { ...change, seq }, KEEP_MS);
            await kv.set('seq', seq);
            // Earlier entries of the same item that are still kept now say what this one says, so replaced
            // content (a citizen's wording erased from a curated entry) does not outlive its replacement here.
            // A reader that has not reached them applies the newer content sooner, then again: the same state.
            const id = change.op === 'upsert' ? change.doc.id : change.id;
            const kept: number[] = [];
            for (const older of ((await kv.get(`d:${id}`)) as number[] | undefined) ?? []) {
              if ((await kv.get(`c:${older}`)) === undefined) continue;
              await kv.set(`c:${older}`, { ...change, seq: older }, KEEP_MS);
              kept.push(older);
            }
            await kv.set(`d:${id}`, [...kept, seq], KEEP_MS);
            return seq;
          });
        });
      chain = next;
      return next as Promise<number>;
    },
    async since(seq) {
      const last = Math.min(await head(), seq + PULL_MAX);
      if (last <= seq) return [];
      const keys = Array.from({ length: last - seq }, (_, i) => `c:${seq + 1 + i}`);
      const found = (await kv.getMany(keys)) as (IndexChange | undefined)[];
      return found.filter((c): c is IndexChange => c !== undefined);
    },
    head,
    async close() {
      await chain.catch(() => undefined);
      await kv.disconnect();
    },
  };
}
