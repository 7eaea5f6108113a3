import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.js';
import { consoleContentText, staffText } from '../../src/copy/messages.js';
import { vnDay } from '../../src/store/append-log.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { ADMIN, CITIZEN, call, consoleConfig, say, signIn } from './console-helpers.js';

/** The whole bot, as staff and citizens use it: the figures the console shows come from what happened in chat. */
describe('statistics, announcements and articles through the running bot', () => {
  let dir: string;
  let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
  let app: App;
  let base: string;
  let cookie: string;
  let csrf: string;
  const today = () => vnDay(new Date().toISOString());

  async function start(): Promise<void> {
    app = createApp(consoleConfig(dir, 'console-stats', fake.baseUrl), { log: capturingLogger('warn').log });
    base = (await app.start()).url;
    ({ cookie, csrf } = await signIn(fake, base, ADMIN));
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-console-stats-'));
    fake = await startFakeTelegram();
    await start();
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts what citizens asked today: answered, from a curated entry, no information, handed to staff', async () => {
    expect(await say(fake, CITIZEN, 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?')).toContain('Phạm Thị Hân');
    expect(await say(fake, CITIZEN, 'Giá vàng hôm nay bao nhiêu?')).toContain('chưa có thông tin');
    await say(fake, CITIZEN, '/hoicanbo Xin hỏi thủ tục cấp lại thẻ hội viên Hội Nông dân ở xã?');
    const entry = await call(base, 'POST', '/faq', {
      cookie,
      csrf,
      body: { question: 'Nhà văn hóa khu dân cư mở cửa mấy giờ?', answer: 'Nhà văn hóa mở cửa từ 7 giờ đến 21 giờ hằng ngày.' },
    });
    expect(entry.status).toBe(201);
    expect(await say(fake, CITIZEN, 'Nhà văn hóa khu dân cư mở cửa mấy giờ?')).toContain('từ 7 giờ đến 21 giờ');

    let day: Record<string, unknown> | undefined;
    for (let i = 0; i < 50; i++) {
      const stats = await call(base, 'GET', '/stats?days=7', { cookie });
      expect(stats.status).toBe(200);
      const days = stats.json.days as Record<string, unknown>[];
      expect(days).toHaveLength(7);
      day = days.at(-1);
      if (day?.curated === 1 && day.ticket === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The question without information also became a ticket.
    expect(day).toEqual({ date: today(), answered: 2, noInfo: 1, ticket: 2, curated: 1 });
    const stats = await call(base, 'GET', '/stats?days=7', { cookie });
    expect((stats.json.tickets as { open: number }).open).toBe(2);
    // Counts only: nothing about who asked or what.
    expect(stats.text).not.toContain(String(CITIZEN));
    expect(stats.text).not.toContain('Giá vàng');

    const csv = await call(base, 'GET', '/stats.csv?chart=questions&days=1', { cookie });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="thong-ke-questions-${today()}.csv"`);
    const h = consoleContentText.csv;
    // (fetch's text() drops the byte-order mark the router puts first.)
    expect(csv.text).toBe(`${h.date},${h.answered},${h.noInfo},${h.ticket},${h.curated}\r\n${today()},2,1,2,1\r\n`);

    const bad = await call(base, 'GET', '/stats?days=400', { cookie });
    expect(bad).toMatchObject({ status: 400, json: { error: consoleContentText.daysInvalid } });
    expect((await call(base, 'GET', '/stats')).status).toBe(401);
  });

  it('an announcement sent from the console reaches the subscriber; after a restart the subscribers are counted and the figures are still there', async () => {
    await say(fake, CITIZEN, '/dangky');
    expect((await call(base, 'POST', '/announcements', { cookie, body: { text: 'Tin' } })).status).toBe(403);
    const preview = await call(base, 'POST', '/announcements/preview', { cookie, csrf, body: { title: 'Lịch tiếp dân', text: 'Thứ Năm, 8 giờ, tại trụ sở.' } });
    const sent = await call(base, 'POST', '/announcements', {
      cookie,
      csrf,
      body: { title: 'Lịch tiếp dân', text: 'Thứ Năm, 8 giờ, tại trụ sở.', topics: ['thong-bao'] },
    });
    expect(sent.status).toBe(201);
    await waitFor(() => fake.sent().some((c) => String(c.body.chat_id) === String(CITIZEN) && String(c.body.text).includes('Lịch tiếp dân')), 10_000);
    const got = fake.sent().find((c) => String(c.body.chat_id) === String(CITIZEN) && String(c.body.text).includes('Lịch tiếp dân'))!;
    expect(got.body.text).toBe(preview.json.telegram);
    await waitFor(() => fake.sent().some((c) => String(c.body.chat_id) === String(ADMIN) && String(c.body.text).startsWith('Đã gửi xong thông báo')), 10_000);
    const listed = await call(base, 'GET', '/announcements', { cookie });
    expect(listed.json.announcements).toEqual([
      expect.objectContaining({ title: 'Lịch tiếp dân', topics: ['thong-bao'], broadcast: { status: 'done', sent: 1, total: 1, failed: 0, blocked: 0 } }),
    ]);

    // An internal address is refused through the router too, and audited.
    const refused = await call(base, 'POST', '/articles/import', { cookie, csrf, body: { url: 'http://127.0.0.1:6379/' } });
    expect(refused).toMatchObject({ status: 400, json: { ok: false, error: staffText.importForbiddenAddress } });
    const audit = await call(base, 'GET', '/audit?action=/nhapbai', { cookie });
    expect(audit.json.entries).toEqual([expect.objectContaining({ who: `telegram:${ADMIN}`, action: '/nhapbai', outcome: 'denied' })]);

    await app.stop();
    await start();
    const stats = await call(base, 'GET', '/stats?days=1', { cookie });
    expect(stats.json.subscribers).toEqual([{ date: today(), total: 1, byChannel: { telegram: 1, zalo: 0 }, byProvince: { [staffText.wholeCountry]: 1 } }]);
    expect((stats.json.days as { answered: number }[])[0]!.answered).toBe(2);
  }, 60_000);
});
