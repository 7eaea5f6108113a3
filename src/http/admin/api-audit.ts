import { consoleApiText as t } from '../../copy/messages.js';
import { foldText } from '../../search/analyzer.js';
import type { AppendLog } from '../../store/append-log.js';
import type { AuditEntry } from '../../store/staff.js';
import { ApiError, type ApiRoute } from './route.js';

/** Entries shown at most, and read at most before filtering. */
const MAX_LIMIT = 500;
const MAX_SCANNED = 5000;
/** Longest span looked back over. */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

/** A Vietnam day `YYYY-MM-DD` from the query, as the UTC instant its last millisecond ends (UTC+7). */
function endOfVnDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00+07:00`) + DAY_MS - 1);
}

function readDay(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name)?.trim();
  if (!value) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new ApiError(400, t.dateInvalid);
  return value;
}

/**
 * `GET audit?q=&action=&from=&to=&limit=`: the staff audit log (/nhatky), newest first. `q` matches who, the
 * action or the detail (accents optional); `action` keeps entries whose action starts with it; `from`/`to` are
 * Vietnam days (YYYY-MM-DD, default: the last 30 days).
 */
export function createAuditApi(deps: { audit: Pick<AppendLog<AuditEntry>, 'latest'> }): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/audit',
      async handle({ query, now }) {
        const limitText = query.get('limit')?.trim() || '100';
        const limit = Number(limitText);
        if (!/^\d{1,3}$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) throw new ApiError(400, t.limitInvalid);
        const to = readDay(query, 'to');
        const from = readDay(query, 'from');
        const end = to ? new Date(Math.min(endOfVnDay(to).getTime(), now.getTime())) : now;
        const start = from ? Date.parse(`${from}T00:00:00+07:00`) : end.getTime() - 29 * DAY_MS;
        if (start > end.getTime()) return { json: { entries: [] } };
        const days = Math.min(MAX_DAYS, Math.ceil((end.getTime() - start) / DAY_MS) + 1);
        const words = foldText(query.get('q')?.slice(0, 200) ?? '');
        const action = query.get('action')?.trim().slice(0, 100) ?? '';
        const entries = (await deps.audit.latest(MAX_SCANNED, end, days))
          .filter((e) => Date.parse(e.at) >= start && Date.parse(e.at) <= end.getTime())
          .filter((e) => !action || e.action.startsWith(action))
          .filter((e) => !words || foldText(`${e.who} ${e.action} ${e.detail ?? ''}`).includes(words))
          .slice(0, limit)
          .map((e) => ({ at: e.at, who: e.who, action: e.action, outcome: e.outcome, detail: e.detail ?? '' }));
        return { json: { entries } };
      },
    },
  ];
}
