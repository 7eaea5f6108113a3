import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { StoreUnavailableError } from '../store/unavailable.js';
import type { DigestService } from './digest.js';

/** The only timezone the bot schedules in. */
const DIGEST_TIMEZONE = 'Asia/Ho_Chi_Minh';

/** Poll the import sources on `expression` in Vietnam time; overlapping rounds are skipped. */
export function scheduleIngest(poll: () => Promise<unknown>, expression: string, log: Logger): ScheduledTask {
  return cron.schedule(
    expression,
    async () => {
      try {
        await poll();
      } catch (err) {
        log.error({ err }, 'import round failed');
      }
    },
    { timezone: DIGEST_TIMEZONE, name: 'ingest', noOverlap: true },
  );
}

/** When the retention job runs: daily at 03:30 Vietnam time, a quiet hour. */
const RETENTION_CRON = '30 3 * * *';

/** Run the retention job (erasing records older than QUESTION_RETENTION_DAYS) daily in Vietnam time. */
export function scheduleRetention(run: () => Promise<unknown>, log: Logger, expression = RETENTION_CRON): ScheduledTask {
  return cron.schedule(
    expression,
    async () => {
      try {
        await run();
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) log.error({ err }, 'retention run failed');
      }
    },
    { timezone: DIGEST_TIMEZONE, name: 'retention', noOverlap: true },
  );
}

/** True when `expression` is a cron expression node-cron accepts (config validation). */
export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}

/**
 * Run the digest on `expression` (default: every hour on the hour) in Vietnam time. The job itself is
 * `digest.tick(now)`, a plain function that tests call directly; overlapping runs are skipped.
 */
export function scheduleDigest(digest: DigestService, expression: string, log: Logger): ScheduledTask {
  return cron.schedule(
    expression,
    async () => {
      try {
        // The real instant: node-cron's context date is the wall-clock time of the timezone.
        await digest.tick(new Date());
      } catch (err) {
        // A store outage is logged by the store (and a paused broadcast by the broadcaster); the sweep catches up.
        if (!(err instanceof StoreUnavailableError)) log.error({ err }, 'digest run failed');
      }
    },
    { timezone: DIGEST_TIMEZONE, name: 'digest', noOverlap: true },
  );
}
