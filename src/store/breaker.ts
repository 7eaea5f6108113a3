import type { Logger } from 'pino';
import { StoreUnavailableError } from './unavailable.js';

/** Pause between two probes of a store that is unavailable, in ms. */
const PROBE_INTERVAL_MS = 2000;
/** Pause between two "store still unavailable" lines, in ms. */
const REPORT_INTERVAL_MS = 60_000;

/** Settings of a {@link StoreBreaker}. */
export interface StoreBreakerOptions {
  /** One round trip to the store that bypasses the breaker (a PING); resolving means the store answers. */
  probe: () => Promise<unknown>;
  log: Logger;
  /** Pause between two probes while the store is unavailable. @default PROBE_INTERVAL_MS */
  probeIntervalMs?: number;
  /** Pause between two "store still unavailable" lines, each with the calls refused since the last. @default REPORT_INTERVAL_MS */
  reportIntervalMs?: number;
  /** Told when the store goes (false) and comes back (true): the store-up gauge. */
  onChange?: (up: boolean) => void;
}

/**
 * The circuit breaker of one store connection (all the adapters on one Redis server share it).
 *
 * @remarks
 * Closed, calls go through. The first call that fails for want of the store (or a dropped connection
 * reported with {@link StoreBreaker.fail}) opens it: calls in flight and every call after fail at once with
 * {@link StoreUnavailableError}. While open, a probe runs every `probeIntervalMs` (nobody's call waits on it);
 * the first that succeeds closes the breaker. The log says "store unavailable" once (warn, the reason, no
 * stack), "store still unavailable" with a count every `reportIntervalMs`, and "store back" once.
 */
export class StoreBreaker {
  private openedAt: number | undefined;
  private refused = 0;
  private refusedSinceReport = 0;
  private probeTimer: NodeJS.Timeout | undefined;
  private reportTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private opened!: Promise<void>;
  private signalOpen!: () => void;

  constructor(private readonly options: StoreBreakerOptions) {
    this.rearm();
  }

  /** True while calls fail fast. */
  get isOpen(): boolean {
    return this.openedAt !== undefined;
  }

  /**
   * Run one store call. While open it fails at once; a failure for which `isOutage` is true opens the
   * breaker and is rethrown as StoreUnavailableError (with it as `cause`); other failures pass unchanged.
   */
  async run<T>(call: () => Promise<T>, isOutage: (err: unknown) => boolean): Promise<T> {
    if (this.isOpen) throw this.refuse();
    let outcome: { value: T } | undefined;
    try {
      outcome = await Promise.race([call().then((value) => ({ value })), this.opened.then(() => undefined)]);
    } catch (err) {
      if (!isOutage(err)) throw err;
      this.fail(err);
      throw this.refuse(err);
    }
    if (!outcome) throw this.refuse();
    return outcome.value;
  }

  /** Report a failure seen outside a call (a connection dropped): opens the breaker if it is closed. */
  fail(reason: unknown): void {
    if (this.isOpen || this.stopped) return;
    this.openedAt = Date.now();
    this.refusedSinceReport = 0;
    this.refused = 0;
    this.options.log.warn({ reason: reason instanceof Error ? reason.message : String(reason) }, 'store unavailable');
    this.options.onChange?.(false);
    this.signalOpen();
    this.scheduleProbe();
    this.reportTimer = setInterval(() => {
      this.options.log.warn({ refusedCalls: this.refusedSinceReport, downForS: this.downForS() }, 'store still unavailable');
      this.refusedSinceReport = 0;
    }, this.options.reportIntervalMs ?? REPORT_INTERVAL_MS);
    this.reportTimer.unref();
  }

  /** Stop probing and reporting (shutdown). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    clearInterval(this.reportTimer);
  }

  private refuse(cause?: unknown): StoreUnavailableError {
    this.refused++;
    this.refusedSinceReport++;
    return new StoreUnavailableError(cause === undefined ? undefined : { cause });
  }

  private downForS(): number {
    return Math.round((Date.now() - (this.openedAt ?? Date.now())) / 1000);
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.probeTimer = setTimeout(() => {
      this.options.probe().then(
        () => this.close(),
        () => this.scheduleProbe(),
      );
    }, this.options.probeIntervalMs ?? PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  private close(): void {
    if (!this.isOpen) return;
    clearInterval(this.reportTimer);
    this.options.log.info({ refusedCalls: this.refused, downForS: this.downForS() }, 'store back');
    this.openedAt = undefined;
    this.rearm();
    this.options.onChange?.(true);
  }

  /** A fresh signal for the next opening (calls in flight race against it). */
  private rearm(): void {
    this.opened = new Promise<void>((resolve) => (this.signalOpen = resolve));
  }
}
