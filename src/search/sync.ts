import type { Logger } from 'pino';
import type { SearchDoc } from '../content/types.js';
import type { ChangeLog } from '../store/changes.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import type { ArticleIndex } from './article-index.js';

/** What publishes content changes: the local index at once, the other instances through the change log. */
export interface IndexPublisher {
  upsert(doc: SearchDoc): void;
  remove(id: string): void;
}

/**
 * Keeps the indexes of several instances in step: changes made here go into the local index at once and
 * into the change log; every `intervalMs` the changes of the others are pulled and applied, in order.
 */
export async function createIndexSync(options: { index: ArticleIndex; changes: ChangeLog; log: Logger; intervalMs?: number }) {
  const { index, changes, log } = options;
  // What the store held before this start is already in the index (content files, announcements, imports).
  let lastSeq = await changes.head();
  let timer: NodeJS.Timeout | undefined;
  let pulling: Promise<number> | undefined;

  async function pullOnce(): Promise<number> {
    let applied = 0;
    for (;;) {
      const batch = await changes.since(lastSeq);
      if (batch.length === 0) return applied;
      for (const change of batch) {
        if (change.op === 'upsert') index.upsert(change.doc);
        else index.remove(change.id);
        lastSeq = change.seq;
        applied++;
      }
    }
  }

  const publisher: IndexPublisher = {
    upsert(doc) {
      index.upsert(doc);
      void changes.publish({ op: 'upsert', doc }).catch((err: unknown) => log.error({ err, id: doc.id }, 'could not publish an index change'));
    },
    remove(id) {
      index.remove(id);
      void changes.publish({ op: 'remove', id }).catch((err: unknown) => log.error({ err, id }, 'could not publish an index change'));
    },
  };

  return {
    publisher,
    /** Apply the changes published since the last pull; resolves with how many were applied. */
    pull(): Promise<number> {
      pulling ??= pullOnce().finally(() => (pulling = undefined));
      return pulling;
    },
    start(): void {
      // During a store outage the pull waits for the store; its breaker reports the outage.
      const failed = (err: unknown) => void (err instanceof StoreUnavailableError || log.warn({ err }, 'could not pull index changes'));
      timer = setInterval(() => void this.pull().catch(failed), options.intervalMs ?? 2000);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
