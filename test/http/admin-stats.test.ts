import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleContentText } from '../../src/copy/messages.js';
import { createStatsApi, type Stats } from '../../src/http/admin/api-stats.js';
import { ApiError, type ApiResult, type ApiRoute, type StaffUser } from '../../src/http/admin/route.js';
import { createDailyStore, type DailyStore, subscriberSnapshot } from '../../src/store/daily.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import type { Subscriber } from '../../src/store/subscriptions.js';
import { createTicketStore, type TicketStore } from '../../src/store/tickets.js';
import { silentLogger } from '../helpers/logger.js';

const USER: StaffUser = { id: 'telegram:42', name: 'telegram:ab12cd', role: 'staff' };
/** 10:00 in Vietnam on 2026-03-10. */
const NOW = new Date('2026-03-10T03:00:00Z');

let dir: string;
let opened: KeyvSqlite[];
let daily: DailyStore;
let tickets: TicketStore;
let routes: ApiRoute[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-stats-'));
  opened = [];
  const adapter = async () => {
    const a = await createSqliteAdapter(dir);
    opened.push(a);
    return a;
  };
  daily = await createDailyStore({ adapter, log: silentLogger() });
  tickets = await createTicketStore({ adapter, log: silentLogger() });
  routes = createStatsApi({ daily, tickets });
});
afterEach(async () => {
  await daily.close();
  await tickets.close();
  await Promise.allSettled(opened.map((a) => a.disconnect()));
  await rm(dir, { recursive: true, force: true });
});

function call(path: string, query = ''): Promise<ApiResult> {
  const route = routes.find((r) => r.path === path && r.method === 'GET')!;
  return route.handle({ user: USER, params: {}, query: new URLSearchParams(query), body: undefined, now: NOW });
}
const json = async (query = '') => ((await call('/stats', query)) as { json: Stats }).json;
const csv = async (query: string) => (await call('/stats.csv', query)) as { csv: string; filename: string };

/** A ticket asked at `askedAt` by chat `chatId`, answered `hours` later (or left open). */
async function ticket(askedAt: string, chatId: string, hours?: number) {
  const { ticket } = await tickets.open({ channel: 'telegram', chatId, at: askedAt, wording: `câu hỏi của ${chatId}` }, () => undefined);
  if (hours === undefined) return;
  const at = new Date(Date.parse(askedAt) + hours * 3_600_000).toISOString();
  await tickets.update(ticket.number, (t) => ({ ...t, status: 'answered', answer: { text: 'Trả lời', by: 'telegram:42', at }, updatedAt: at }));
}

const sub = (channel: 'telegram' | 'zalo', chatId: string, provinces: string[], inactive = false): Subscriber => ({
  channel,
  chatId,
  topics: [],
  provinces,
  hour: 7,
  paused: false,
  ...(inactive ? { inactive: { reason: 'blocked' as const, at: '2026-03-01T00:00:00Z' } } : {}),
  createdAt: '2026-03-01T00:00:00Z',
  updatedAt: '2026-03-01T00:00:00Z',
});

describe('GET stats', () => {
  it('gives 30 Vietnam days by default, ending today, with the questions of each day', async () => {
    // 23:30 UTC on the 8th is 06:30 on the 9th in Vietnam.
    await daily.add(new Date('2026-03-08T23:30:00Z'), { answered: 3, noInfo: 1 });
    await daily.add(new Date('2026-03-10T01:00:00Z'), { answered: 1, ticket: 1, curated: 1 });
    const stats = await json();
    expect(stats.days).toHaveLength(30);
    expect(stats.days[0]!.date).toBe('2026-02-09');
    expect(stats.days.slice(-2)).toEqual([
      { date: '2026-03-09', answered: 3, noInfo: 1, ticket: 0, curated: 0 },
      { date: '2026-03-10', answered: 1, noInfo: 0, ticket: 1, curated: 1 },
    ]);
    expect((await json('days=1')).days.map((d) => d.date)).toEqual(['2026-03-10']);
    expect((await json('days=366')).days).toHaveLength(366);
  });

  it('refuses a days value that is not a whole number from 1 to 366, in Vietnamese', async () => {
    for (const bad of ['0', '367', 'abc', '1.5', '-3', '1e9', '30; DROP']) {
      const err = await call('/stats', `days=${encodeURIComponent(bad)}`).catch((e: unknown) => e);
      expect(err, bad).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).message).toBe(consoleContentText.daysInvalid);
    }
  });

  it('tickets: open now, median hours to answer, the share answered and the median of each day; no asker in it', async () => {
    await ticket('2026-03-08T01:00:00Z', '501', 2); // answered on the 8th after 2 h
    await ticket('2026-03-08T02:00:00Z', '502', 6); // answered on the 8th after 6 h
    await ticket('2026-03-09T01:00:00Z', '503', 1); // answered on the 9th after 1 h
    await ticket('2026-03-09T05:00:00Z', '504'); // still open
    const stats = await json('days=7');
    expect(stats.tickets.open).toBe(1);
    expect(stats.tickets.medianHoursToAnswer).toBe(2);
    expect(stats.tickets.answeredShare).toBe(0.75);
    expect(stats.tickets.hoursToAnswer).toHaveLength(7);
    expect(stats.tickets.hoursToAnswer.filter((d) => d.count > 0)).toEqual([
      { date: '2026-03-08', medianHours: 4, count: 2 },
      { date: '2026-03-09', medianHours: 1, count: 1 },
    ]);
    expect(stats.tickets.hoursToAnswer.find((d) => d.date === '2026-03-10')).toEqual({ date: '2026-03-10', medianHours: null, count: 0 });
    // Counts only: no chat id, no wording.
    expect(JSON.stringify(stats)).not.toMatch(/50[1-4]|câu hỏi của/);
  });

  it('subscribers: one entry per counted day, by channel and province (blocked chats not counted); digest deliveries per day', async () => {
    const subs = [sub('telegram', '1', ['Quảng Trị']), sub('telegram', '2', []), sub('zalo', 'z3', ['Quảng Trị', 'Huế']), sub('zalo', 'z4', [], true)];
    await daily.snapshot(subscriberSnapshot(subs, new Date('2026-03-08T10:00:00Z'), 'cả nước'));
    await daily.snapshot(subscriberSnapshot([...subs, sub('telegram', '5', ['Huế'])], new Date('2026-03-10T02:00:00Z'), 'cả nước'));
    await daily.add(new Date('2026-03-09T00:05:00Z'), { digestDelivered: 120, digestFailed: 3 });
    const stats = await json('days=3');
    expect(stats.subscribers).toEqual([
      { date: '2026-03-08', total: 3, byChannel: { telegram: 2, zalo: 1 }, byProvince: { 'Quảng Trị': 2, 'cả nước': 1, Huế: 1 } },
      { date: '2026-03-10', total: 4, byChannel: { telegram: 3, zalo: 1 }, byProvince: { 'Quảng Trị': 2, 'cả nước': 1, Huế: 2 } },
    ]);
    expect(stats.digest).toEqual([
      { date: '2026-03-08', delivered: 0, failed: 0 },
      { date: '2026-03-09', delivered: 120, failed: 3 },
      { date: '2026-03-10', delivered: 0, failed: 0 },
    ]);
  });
});

describe('GET stats.csv', () => {
  it('gives each chart as a table with Vietnamese headers, one line per day', async () => {
    await daily.add(new Date('2026-03-10T01:00:00Z'), { answered: 2, noInfo: 1, digestDelivered: 9 });
    await daily.snapshot(subscriberSnapshot([sub('telegram', '1', ['Quảng Trị']), sub('zalo', 'z', [])], NOW, 'cả nước'));
    await ticket('2026-03-10T00:00:00Z', '9', 1.5);
    const h = consoleContentText.csv;

    const questions = await csv('chart=questions&days=2');
    expect(questions.filename).toBe('thong-ke-questions-2026-03-10.csv');
    expect(questions.csv).toBe(`${h.date},${h.answered},${h.noInfo},${h.ticket},${h.curated}\r\n2026-03-09,0,0,0,0\r\n2026-03-10,2,1,0,0\r\n`);
    expect((await csv('chart=tickets&days=1')).csv).toBe(`${h.date},${h.ticketsAnswered},"${h.medianHours}"\r\n2026-03-10,1,1.5\r\n`);
    expect((await csv('chart=subscribers&days=1')).csv).toBe(`${h.date},${h.total},Telegram,Zalo,cả nước,Quảng Trị\r\n2026-03-10,2,1,1,1,1\r\n`);
    expect((await csv('chart=digest&days=1')).csv).toBe(`${h.date},${h.delivered},${h.failed}\r\n2026-03-10,9,0\r\n`);
    // 30 days when not given.
    expect((await csv('chart=digest')).csv.trim().split('\r\n')).toHaveLength(31);
  });

  it('refuses an unknown chart or a bad days value', async () => {
    for (const query of ['chart=people', '', 'chart=questions&days=0', 'chart=<script>']) {
      const err = await call('/stats.csv', query).catch((e: unknown) => e);
      expect(err, query).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
    }
  });
});
