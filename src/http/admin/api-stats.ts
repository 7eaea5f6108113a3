import { z } from 'zod';
import { consoleContentText as t } from '../../copy/messages.js';
import { vnDay } from '../../store/append-log.js';
import { type DailyStore, type DayFigures, dayRange } from '../../store/daily.js';
import type { Ticket, TicketStore } from '../../store/tickets.js';
import { ApiError, type ApiContext, type ApiResult, type ApiRoute } from './route.js';

/** What the statistics read: the anonymous daily figures and the tickets (for the time to answer). */
export interface StatsApiDeps {
  daily: Pick<DailyStore, 'days'>;
  tickets: Pick<TicketStore, 'all'>;
}

/** The statistics of `days` Vietnam days up to today, as `GET stats` returns them. */
export interface Stats {
  days: { date: string; answered: number; noInfo: number; ticket: number; curated: number }[];
  tickets: {
    /** Open now. */
    open: number;
    /** Median hours from a ticket's first question to its answer, over tickets answered in the range (null: none). */
    medianHoursToAnswer: number | null;
    /** Of the tickets opened in the range, the share answered so far (null: none opened). */
    answeredShare: number | null;
    /** Per day of answering: how many tickets were answered and their median hours (null on a day without answers). */
    hoursToAnswer: { date: string; medianHours: number | null; count: number }[];
  };
  /** One entry per day that has a subscriber count (counted hourly; the day's last count). */
  subscribers: { date: string; total: number; byChannel: { telegram: number; zalo: number }; byProvince: Record<string, number> }[];
  digest: { date: string; delivered: number; failed: number }[];
}

const CHARTS = ['questions', 'tickets', 'subscribers', 'digest'] as const;
const daysSchema = z.coerce.number({ error: t.daysInvalid }).int({ error: t.daysInvalid }).min(1, { error: t.daysInvalid }).max(366, { error: t.daysInvalid });
const chartSchema = z.enum(CHARTS, { error: t.chartInvalid });

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const oneDecimal = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/** The `days` query (default 30), or a 400 with the Vietnamese reason. */
function readDays(query: URLSearchParams): number {
  const given = query.get('days');
  const parsed = daysSchema.safeParse(given === null || given.trim() === '' ? 30 : given.trim());
  if (!parsed.success) throw new ApiError(400, t.daysInvalid);
  return parsed.data;
}

/** Compute the statistics of the `count` Vietnam days ending on the day of `now`. */
async function computeStats(deps: StatsApiDeps, count: number, now: Date): Promise<Stats> {
  const to = vnDay(now.toISOString());
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (count - 1) * 86_400_000).toISOString().slice(0, 10);
  const [figures, all] = await Promise.all([deps.daily.days(from, to), deps.tickets.all()]);
  return {
    days: figures.map((d) => ({ date: d.date, answered: d.counts.answered, noInfo: d.counts.noInfo, ticket: d.counts.ticket, curated: d.counts.curated })),
    tickets: ticketFigures(all, from, to),
    subscribers: figures.flatMap((d: DayFigures) =>
      d.subscribers
        ? [
            {
              date: d.date,
              total: d.subscribers.total,
              byChannel: { telegram: d.subscribers.byChannel.telegram ?? 0, zalo: d.subscribers.byChannel.zalo ?? 0 },
              byProvince: d.subscribers.byProvince,
            },
          ]
        : [],
    ),
    digest: figures.map((d) => ({ date: d.date, delivered: d.counts.digestDelivered, failed: d.counts.digestFailed })),
  };
}

function ticketFigures(all: Ticket[], from: string, to: string): Stats['tickets'] {
  const inRange = (iso: string) => {
    const day = vnDay(iso);
    return day >= from && day <= to;
  };
  const answered = all.filter((x) => x.answer && inRange(x.answer.at));
  const hours = (x: Ticket) => Math.max(0, (Date.parse(x.answer!.at) - Date.parse(x.createdAt)) / 3_600_000);
  const byDay = new Map<string, number[]>();
  for (const x of answered) {
    const day = vnDay(x.answer!.at);
    byDay.set(day, [...(byDay.get(day) ?? []), hours(x)]);
  }
  const opened = all.filter((x) => inRange(x.createdAt));
  return {
    open: all.filter((x) => x.status === 'open').length,
    medianHoursToAnswer: oneDecimal(median(answered.map(hours))),
    answeredShare: opened.length ? Math.round((opened.filter((x) => x.status === 'answered').length / opened.length) * 1000) / 1000 : null,
    hoursToAnswer: dayRange(from, to).map((date) => ({ date, medianHours: oneDecimal(median(byDay.get(date) ?? [])), count: byDay.get(date)?.length ?? 0 })),
  };
}

/** One CSV field: quoted when it holds a comma, a quote or a line break; a leading =, +, - or @ is defused for spreadsheets. */
function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A chart's table as CSV, CRLF lines (the router adds the byte-order mark spreadsheets need). */
function statsCsv(stats: Stats, chart: (typeof CHARTS)[number]): string {
  const c = t.csv;
  let rows: (string | number | null)[][];
  switch (chart) {
    case 'questions':
      rows = [[c.date, c.answered, c.noInfo, c.ticket, c.curated], ...stats.days.map((d) => [d.date, d.answered, d.noInfo, d.ticket, d.curated])];
      break;
    case 'tickets':
      rows = [[c.date, c.ticketsAnswered, c.medianHours], ...stats.tickets.hoursToAnswer.map((d) => [d.date, d.count, d.medianHours])];
      break;
    case 'subscribers': {
      const provinces = [...new Set(stats.subscribers.flatMap((s) => Object.keys(s.byProvince)))].sort((a, b) => a.localeCompare(b, 'vi'));
      rows = [
        [c.date, c.total, 'Telegram', 'Zalo', ...provinces],
        ...stats.subscribers.map((s) => [s.date, s.total, s.byChannel.telegram, s.byChannel.zalo, ...provinces.map((p) => s.byProvince[p] ?? 0)]),
      ];
      break;
    }
    default:
      rows = [[c.date, c.delivered, c.failed], ...stats.digest.map((d) => [d.date, d.delivered, d.failed])];
  }
  return `${rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** `GET stats?days=N` (1–366, default 30) and `GET stats.csv?chart=…&days=N`: counts only, nothing about anyone. */
export function createStatsApi(deps: StatsApiDeps): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/stats',
      handle: async (ctx: ApiContext<unknown>): Promise<ApiResult> => ({ json: await computeStats(deps, readDays(ctx.query), ctx.now) }),
    },
    {
      method: 'GET',
      path: '/stats.csv',
      async handle(ctx: ApiContext<unknown>): Promise<ApiResult> {
        const chart = chartSchema.safeParse(ctx.query.get('chart') ?? '');
        if (!chart.success) throw new ApiError(400, t.chartInvalid);
        const days = readDays(ctx.query);
        const stats = await computeStats(deps, days, ctx.now);
        return { csv: statsCsv(stats, chart.data), filename: `thong-ke-${chart.data}-${vnDay(ctx.now.toISOString())}.csv` };
      },
    },
  ];
}
