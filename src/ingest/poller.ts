import type { Logger } from 'pino';
import type { Importer, ImportSummary } from './importer.js';

/** Settings of {@link createFeedPoller}. */
export interface FeedPollerOptions {
  importer: Pick<Importer, 'importUrl'>;
  /** Feed, sitemap or section-page URLs (FEEDS). */
  sources: string[];
  log: Logger;
  /** Called once when a source is paused: after `maxFailures` failures in a row, or at once when the address policy refuses it (tell staff). */
  onSourcePaused?: (url: string, failures: number, lastError: string) => void | Promise<void>;
  /**
   * Failures in a row after which a source is paused until {@link FeedPoller.resume}.
   * @default 5
   */
  maxFailures?: number;
  /**
   * Wait after the first failure; doubled after each further one.
   * @default 60000
   */
  baseBackoffMs?: number;
  /**
   * Longest wait between attempts.
   * @default 21600000 (6 hours)
   */
  maxBackoffMs?: number;
  /** Clock. */
  now?: () => Date;
}

/** What the poller knows about one source. */
export interface SourceStatus {
  url: string;
  /** Failures in a row (0 after a success). */
  failures: number;
  paused: boolean;
  /** Not tried before this time (ms since epoch) after a failure. */
  nextAttemptAtMs?: number;
  lastError?: string;
  lastSuccessAtMs?: number;
}

/** The outcome of one round. */
export interface PollReport {
  /** Sources imported this round, with their summaries (failed ones included). */
  results: { url: string; summary: ImportSummary }[];
  /** Sources left out this round: waiting out a backoff, or paused. */
  waiting: string[];
  paused: string[];
}

/** Runs rounds over the configured sources with per-source backoff and pausing. */
export interface FeedPoller {
  /** One round: every source that is due, one after another. A round already running is not doubled. */
  poll(): Promise<PollReport>;
  /** The state of every source. */
  status(): SourceStatus[];
  /** Un-pause a source (and forget its failures); false when the URL is not a source. */
  resume(url: string): boolean;
}

/**
 * Create the poller. A source fails when the import of the source itself fails (it cannot be fetched, or
 * lists nothing); single articles failing inside a source do not count. After a failure the source waits
 * `baseBackoffMs × 2^(failures-1)` (capped) before the next try; after `maxFailures` in a row it is paused,
 * logged at error level and reported once through `onSourcePaused`. A source the address policy refuses (an
 * internal address or a refused port in FEEDS) is paused, logged and reported the same way at its first failure.
 * State is in memory: a restart gives every source a fresh start.
 */
export function createFeedPoller(options: FeedPollerOptions): FeedPoller {
  const { importer, log } = options;
  const now = options.now ?? (() => new Date());
  const maxFailures = options.maxFailures ?? 5;
  const base = options.baseBackoffMs ?? 60_000;
  const cap = options.maxBackoffMs ?? 6 * 3600_000;
  const states = new Map<string, SourceStatus>(options.sources.map((url) => [url, { url, failures: 0, paused: false }]));
  let running: Promise<PollReport> | undefined;

  async function tellPaused(state: SourceStatus): Promise<void> {
    try {
      await options.onSourcePaused?.(state.url, state.failures, state.lastError ?? '');
    } catch (err) {
      log.error({ err, url: state.url }, 'onSourcePaused failed');
    }
  }

  async function round(): Promise<PollReport> {
    const report: PollReport = { results: [], waiting: [], paused: [] };
    for (const state of states.values()) {
      if (state.paused) {
        report.paused.push(state.url);
        continue;
      }
      const at = now().getTime();
      if (state.nextAttemptAtMs !== undefined && at < state.nextAttemptAtMs) {
        report.waiting.push(state.url);
        continue;
      }
      let summary: ImportSummary;
      try {
        summary = await importer.importUrl(state.url);
      } catch (err) {
        // The importer does not throw; this is a bug, and still only this source's failure.
        const reason = err instanceof Error ? err.message : String(err);
        summary = {
          new: 0,
          updated: 0,
          skipped: 0,
          failed: [{ url: state.url, reason }],
          items: [],
          source: { url: state.url, kind: 'unknown', error: reason },
        };
      }
      report.results.push({ url: state.url, summary });
      if (!summary.source.error) {
        state.failures = 0;
        state.lastSuccessAtMs = now().getTime();
        delete state.nextAttemptAtMs;
        delete state.lastError;
        continue;
      }
      state.failures += 1;
      state.lastError = summary.source.error;
      if (summary.source.forbidden) {
        // The configuration names an internal address or a refused port: retrying cannot help, so say it once.
        state.paused = true;
        delete state.nextAttemptAtMs;
        log.error(
          { url: state.url, rule: summary.source.forbidden, reason: state.lastError },
          'source refused by the address policy (FEEDS names an internal address or a refused port); paused',
        );
        await tellPaused(state);
      } else if (state.failures >= maxFailures) {
        state.paused = true;
        delete state.nextAttemptAtMs;
        log.error({ url: state.url, failures: state.failures, reason: state.lastError }, 'source paused after repeated failures');
        await tellPaused(state);
      } else {
        const waitMs = Math.min(base * 2 ** (state.failures - 1), cap);
        state.nextAttemptAtMs = now().getTime() + waitMs;
        log.warn({ url: state.url, failures: state.failures, waitMs, reason: state.lastError }, 'source failed; backing off');
      }
    }
    return report;
  }

  return {
    poll() {
      running ??= round().finally(() => {
        running = undefined;
      });
      return running;
    },
    status: () => [...states.values()].map((s) => ({ ...s })),
    resume(url) {
      const state = states.get(url);
      if (!state) return false;
      state.paused = false;
      state.failures = 0;
      delete state.nextAttemptAtMs;
      log.info({ url }, 'source resumed');
      return true;
    },
  };
}
