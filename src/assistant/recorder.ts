import type { Logger } from 'pino';
import { StoreUnavailableError } from '../store/unavailable.js';

/** Longest a reply waits for its records, in ms; they finish in the background after that. */
const RECORD_WAIT_MS = 250;

/** Settings of a {@link StaffRecorder}. */
export interface StaffRecorderOptions {
  log: Logger;
  /** Longest a reply waits for a record. @default RECORD_WAIT_MS */
  waitMs?: number;
  /** Pause between two retries of the records the store refused. @default 10_000 */
  retryEveryMs?: number;
  /** A record the store refused for this long is given up. @default 300_000 */
  giveUpAfterMs?: number;
  /** Records kept for retry at most; the oldest is given up past it. @default 1000 */
  maxPending?: number;
  /** Told how many records were given up. */
  onDropped?: (count: number) => void;
}

/** What a record is, for the log when it fails or is given up (`what` is the log message). */
export interface RecordLabel {
  what: string;
  fields: Record<string, unknown>;
}

/**
 * Writes a reply does not depend on (question statistics, the staff inbox, unanswered questions): a reply
 * waits for them `waitMs` at most. A write the store refuses as unavailable is retried every `retryEveryMs`
 * until it succeeds or `giveUpAfterMs` passes; then it is counted and logged (with its fields, so the
 * question is in the log) as given up. Other failures are logged at once.
 */
export interface StaffRecorder {
  /** Start `write`; resolves when it settled or after `waitMs`, whichever is first; never rejects. */
  record(label: RecordLabel, write: () => Promise<unknown>): Promise<void>;
  /** Records waiting for the store. */
  readonly pending: number;
  /** Retry the waiting records now (what the timer does). */
  retry(): Promise<void>;
}

/** Create a recorder for writes that must not hold up a reply. */
export function createStaffRecorder(options: StaffRecorderOptions): StaffRecorder {
  const { log } = options;
  const waitMs = options.waitMs ?? RECORD_WAIT_MS;
  const retryEveryMs = options.retryEveryMs ?? 10_000;
  const giveUpAfterMs = options.giveUpAfterMs ?? 300_000;
  const maxPending = options.maxPending ?? 1000;
  const queue: { label: RecordLabel; write: () => Promise<unknown>; since: number }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let retrying: Promise<void> | undefined;

  const giveUp = (entries: typeof queue) => {
    if (entries.length === 0) return;
    log.warn(
      { dropped: entries.length, records: entries.map((e) => ({ what: e.label.what, ...e.label.fields })) },
      'records for staff given up: store unavailable',
    );
    options.onDropped?.(entries.length);
  };

  const schedule = () => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void recorder.retry();
    }, retryEveryMs);
    timer.unref();
  };

  /** One attempt; true when it is done with (written or failed for good), false when the store refused it. */
  const attempt = async (label: RecordLabel, write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (err) {
      if (err instanceof StoreUnavailableError) return false;
      log.error({ err, ...label.fields }, label.what);
      return true;
    }
  };

  async function retryOnce(): Promise<void> {
    const now = Date.now();
    const fresh = queue.findIndex((e) => now - e.since < giveUpAfterMs);
    giveUp(queue.splice(0, fresh === -1 ? queue.length : fresh));
    while (queue.length > 0) {
      const head = queue[0]!;
      if (!(await attempt(head.label, head.write))) break; // still unavailable: the rest waits too
      queue.shift();
    }
    schedule();
  }

  const recorder: StaffRecorder = {
    async record(label, write) {
      const done = attempt(label, write).then((ok) => {
        if (ok) return;
        queue.push({ label, write, since: Date.now() });
        if (queue.length > maxPending) giveUp(queue.splice(0, queue.length - maxPending));
        schedule();
      });
      let waited: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise<void>((resolve) => (waited = setTimeout(resolve, waitMs)))]);
      clearTimeout(waited);
    },
    get pending() {
      return queue.length;
    },
    retry() {
      retrying ??= retryOnce().finally(() => (retrying = undefined));
      return retrying;
    },
  };
  return recorder;
}
