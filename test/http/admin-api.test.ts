import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.js';
import { consoleApiText, faqFileText, ticketText } from '../../src/copy/messages.js';
import { createRedisAdapter } from '../../src/store/redis.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { claimRedisDatabase, type RawRedis, redisSkipReason } from '../helpers/redis.js';
import { ADMIN, CITIZEN, call, consoleConfig, linkIn, openLink, say, STAFF, signIn } from './console-helpers.js';

/** Sent to the citizen: the ticket number in the reply to /hoicanbo. */
const ticketNumber = (reply: string) => Number(/#(\d+)/.exec(reply)?.[1]);
/** Whether the citizen's chat received a message holding `text`. */
const received = (fake: Awaited<ReturnType<typeof startFakeTelegram>>, chatId: number, text: string) =>
  fake.sent().some((c) => String(c.body.chat_id) === String(chatId) && String(c.body.text).includes(text));

/** A citizen's question that staff answer and save as a curated entry under their own wording. */
const CITIZEN_WORDING = 'Xin hỏi thủ tục xin cấp lại thẻ hội viên <b>Hội Cựu chiến binh</b> ở xã Hòa Bình?';
const STAFF_QUESTION = 'Thủ tục cấp lại thẻ hội viên Hội Cựu chiến binh thế nào?';

describe('the console and the chat commands are the same services', () => {
  let dir: string;
  let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
  let app: App;
  let base: string;
  let cookie: string;
  let csrf: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-admin-api-'));
    fake = await startFakeTelegram();
    app = createApp(consoleConfig(dir, 'console-api', fake.baseUrl), { log: capturingLogger('warn').log });
    base = (await app.start()).url;
    await say(fake, ADMIN, `/capquyen telegram:${STAFF}`);
    ({ cookie, csrf } = await signIn(fake, base, STAFF));
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a ticket answered in the console: gone from /cauhoi, answered for the asker, the answer delivered through the broadcaster, saved as a curated entry', async () => {
    const wording = CITIZEN_WORDING;
    const n = ticketNumber(await say(fake, CITIZEN, `/hoicanbo ${wording}`));
    expect(n).toBeGreaterThan(0);
    expect(await say(fake, STAFF, '/cauhoi')).toContain(`#${n}`);

    const list = await call(base, 'GET', '/tickets?status=open', { cookie });
    expect(list.json.tickets).toEqual([expect.objectContaining({ number: n, status: 'open', askers: 1, firstWording: wording })]);
    const one = await call(base, 'GET', `/tickets/${n}`, { cookie });
    const ticket = one.json.ticket as { askers: { who: string; wording: string }[] };
    expect(ticket.askers).toEqual([expect.objectContaining({ wording, who: expect.stringMatching(/^telegram:[a-z2-7]{6}$/) })]);
    // Staff never see the citizen's chat id.
    expect(one.text).not.toContain(String(CITIZEN));

    const answer = 'Bạn mang CCCD đến Hội Cựu chiến binh xã, điền mẫu đơn cấp lại thẻ; thời gian 5 ngày làm việc.';
    const preview = await call(base, 'POST', `/tickets/${n}/preview`, { cookie, csrf, body: { text: answer } });
    expect(preview.status).toBe(200);
    for (const platform of ['telegram', 'zalo'] as const) {
      expect(preview.json[platform]).toContain(answer);
      expect(preview.json[platform]).toContain(`#${n}`);
    }
    expect(await call(base, 'POST', `/tickets/${n}/answer`, { cookie, csrf, body: { text: '   ' } })).toMatchObject({
      status: 400,
      json: { error: consoleApiText.ticketProblem.empty },
    });

    // Typed as decomposed letters with a control and an invisible character: read as chat messages are.
    const typed = `\u200b${answer.normalize('NFD')}\u0007 `;
    expect(typed).not.toBe(answer);
    // The curated entry's question is the one staff approve in the form (the citizen's wording is kept beside it).
    const answered = await call(base, 'POST', `/tickets/${n}/answer`, {
      cookie,
      csrf,
      body: { text: typed, saveAsFaq: true, question: `${STAFF_QUESTION.normalize('NFD')}\u0007` },
    });
    expect(answered.status).toBe(200);
    expect(answered.json.ticket).toMatchObject({ number: n, status: 'answered', answer: { text: answer, by: `telegram:${STAFF}` } });
    const faqId = answered.json.faqId as number;
    expect(faqId).toBeGreaterThan(0);
    // The citizen gets it on Telegram; the staff member's own chat gets the delivery report.
    await waitFor(() => received(fake, CITIZEN, answer.slice(0, 40)), 15_000);
    await waitFor(() => fake.sent().some((c) => String(c.body.chat_id) === String(STAFF) && String(c.body.text).includes(`#${n}`)), 15_000);

    expect(await say(fake, STAFF, '/cauhoi')).not.toContain(`#${n} —`);
    expect(await say(fake, STAFF, `/traloi ${n} lần nữa`)).toContain(ticketText.notOpen(n));
    expect(await say(fake, CITIZEN, '/cauhoicuatoi')).toContain(`#${n}`);
    expect(await call(base, 'POST', `/tickets/${n}/answer`, { cookie, csrf, body: { text: answer } })).toMatchObject({
      status: 409,
      json: { error: consoleApiText.ticketProblem.not_open },
    });
    const answeredList = await call(base, 'GET', '/tickets?status=answered', { cookie });
    expect(answeredList.json.tickets).toEqual([expect.objectContaining({ number: n, status: 'answered', answeredAt: expect.any(String) })]);

    // The curated entry is the one /hoidap shows, and "Thử câu hỏi" answers from it.
    const entry = await call(base, 'GET', `/faq/${faqId}`, { cookie });
    expect(entry.json.entry).toMatchObject({
      id: faqId,
      question: STAFF_QUESTION,
      alternates: [wording],
      answer,
      status: 'active',
    });
    expect(await say(fake, STAFF, `/hoidap ${faqId}`)).toContain(answer.slice(0, 30));
    const trial = await call(base, 'POST', '/faq/try', { cookie, csrf, body: { question: wording } });
    expect(trial.status).toBe(200);
    expect(trial.json.text).toContain(answer.slice(0, 30));
  }, 90_000);

  it('a ticket closed in chat is closed in the console; one closed in the console with "tell" reaches the asker', async () => {
    const first = ticketNumber(await say(fake, CITIZEN, '/hoicanbo Đề nghị cho biết lịch tiếp dân tháng sau của Ủy ban MTTQ huyện Krông Pắc'));
    expect(await say(fake, STAFF, `/dongcauhoi ${first} đã trả lời trực tiếp`)).toContain(`#${first}`);
    const closed = await call(base, 'GET', '/tickets?status=closed', { cookie });
    expect(closed.json.tickets).toEqual(expect.arrayContaining([expect.objectContaining({ number: first, status: 'closed' })]));

    const second = ticketNumber(await say(fake, CITIZEN, '/hoicanbo Cho hỏi số điện thoại đường dây nóng của Ban Thanh tra nhân dân phường Tân Định'));
    const res = await call(base, 'POST', `/tickets/${second}/close`, { cookie, csrf, body: { reason: 'trùng câu hỏi', tell: true } });
    expect(res.json.ticket).toMatchObject({ number: second, status: 'closed', closed: { by: `telegram:${STAFF}`, reason: 'trùng câu hỏi' } });
    await waitFor(() => received(fake, CITIZEN, `#${second}`) && fake.sent().some((c) => String(c.body.text).includes('trùng câu hỏi')), 15_000);
    expect(await say(fake, STAFF, `/dongcauhoi ${second}`)).toContain(ticketText.notOpen(second));

    expect((await call(base, 'GET', '/tickets/abc', { cookie })).status).toBe(404);
    expect((await call(base, 'GET', '/tickets/999999', { cookie })).json.error).toBe(consoleApiText.ticketMissing('999999'));
    expect((await call(base, 'GET', '/tickets?status=<script>', { cookie })).json.error).toBe(consoleApiText.statusInvalid);
  }, 60_000);

  it('curated entries: add, edit, withdraw in the console, seen in chat; the audit log shows chat and console actions, filterable', async () => {
    const added = await call(base, 'POST', '/faq', {
      cookie,
      csrf,
      body: {
        question: 'Giờ làm việc của Ủy ban MTTQ phường Bến Thành?',
        answer: 'Từ 7 giờ 30 đến 17 giờ, thứ Hai đến thứ Sáu.',
        alternates: ['mttq ben thanh lam viec may gio'],
      },
    });
    expect(added.status).toBe(201);
    const id = (added.json.entry as { id: number }).id;
    expect(await say(fake, STAFF, '/hoidap')).toContain('Bến Thành');
    const dup = await call(base, 'POST', '/faq', { cookie, csrf, body: { question: 'Giờ làm việc của Ủy ban MTTQ phường Bến Thành?', answer: 'x' } });
    expect(dup).toMatchObject({ status: 409, json: { error: consoleApiText.faqProblem.duplicate } });
    const edited = await call(base, 'PUT', `/faq/${id}`, {
      cookie,
      csrf,
      body: { answer: 'Từ 7 giờ đến 17 giờ, thứ Hai đến thứ Sáu; sáng thứ Bảy tiếp dân.' },
    });
    expect(edited.json.entry).toMatchObject({ id, answer: expect.stringContaining('sáng thứ Bảy') });
    expect((await call(base, 'GET', '/faq?q=ben thanh', { cookie })).json.entries).toEqual([expect.objectContaining({ id })]);
    expect((await call(base, 'PUT', `/faq/${id}`, { cookie, csrf, body: { answer: 42 } })).status).toBe(400);
    expect((await call(base, 'DELETE', `/faq/${id}`, { cookie, csrf })).json.entry).toMatchObject({ id, status: 'withdrawn' });
    expect((await call(base, 'GET', '/faq?q=ben thanh', { cookie })).json.entries).toEqual([]);

    // CSV: export the active entries, import a file that adds one, updates one, and has a bad row; again: no change.
    const exported = await call(base, 'GET', '/faq/export.csv', { cookie });
    expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="hoi-dap-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(exported.text.replace(/^\uFEFF/, '').startsWith('question,alternates,answer,updatedAt,author\n')).toBe(true);
    const firstQuestion = (await call(base, 'GET', '/faq', { cookie })).json.entries as { question: string }[];
    // The only active entry's question is staff wording (exported); its citizen's wording never is.
    expect(firstQuestion[0]!.question).toBe(STAFF_QUESTION);
    expect(exported.text).toContain(STAFF_QUESTION);
    expect(exported.text).not.toContain(CITIZEN_WORDING.replace(/"/g, '""'));
    const file = [
      'question,alternates,answer',
      `"${'Ban Thanh tra nhân dân do ai bầu ra?'.normalize('NFD')}",ai bau ban thanh tra nhan dan | ttnd bầu thế nào,"Do hội nghị nhân dân ở xã, phường bầu ra.\nNhiệm kỳ 2 năm rưỡi."`,
      ',thiếu câu hỏi,Có câu trả lời',
      `"${firstQuestion[0]!.question}",,"Câu trả lời mới <b>in đậm</b> cho mục cũ."`,
      '"Câu hỏi không có câu trả lời",,',
    ].join('\r\n');
    const imported = await call(base, 'POST', '/faq/import', { cookie, csrf, body: { csv: file } });
    expect(imported.json).toEqual({
      added: 1,
      updated: 1,
      errors: [
        { line: 4, error: faqFileText.row },
        { line: 6, error: faqFileText.row },
      ],
    });
    expect((await call(base, 'GET', '/faq?q=thanh tra nhan dan', { cookie })).json.entries).toEqual([
      expect.objectContaining({ question: 'Ban Thanh tra nhân dân do ai bầu ra?', alternates: ['ai bau ban thanh tra nhan dan', 'ttnd bầu thế nào'] }),
    ]);
    expect((await call(base, 'GET', '/faq/export.csv', { cookie })).text).toContain(
      'Ban Thanh tra nhân dân do ai bầu ra?,ai bau ban thanh tra nhan dan | ttnd bầu thế nào,',
    );
    expect((await call(base, 'POST', '/faq/import', { cookie, csrf, body: { csv: file } })).json).toMatchObject({ added: 0, updated: 0 });
    expect((await call(base, 'POST', '/faq/import', { cookie, csrf, body: { csv: '"unterminated' } })).status).toBe(400);
    expect((await call(base, 'POST', '/faq/import', { cookie, csrf, body: {} })).json.error).toMatch(/^Dữ liệu không hợp lệ/);

    const audit = await call(base, 'GET', '/audit?limit=200', { cookie });
    const entries = audit.json.entries as { who: string; action: string; outcome: string }[];
    expect(entries.some((e) => e.action === '/dongcauhoi' && e.who === `telegram:${STAFF}`)).toBe(true);
    expect(entries.some((e) => e.action === '/traloi' && e.who === `telegram:${STAFF}`)).toBe(true);
    const filtered = (await call(base, 'GET', '/audit?action=/traloi', { cookie })).json.entries as { action: string }[];
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((e) => e.action.startsWith('/traloi'))).toBe(true);
    const searched = (await call(base, 'GET', '/audit?q=dang nhap', { cookie })).json.entries as { action: string }[];
    expect(searched.length).toBeGreaterThan(0);
    expect((await call(base, 'GET', '/audit?from=2026-13-45', { cookie })).json.error).toBe(consoleApiText.dateInvalid);
    expect((await call(base, 'GET', '/audit?limit=0', { cookie })).json.error).toBe(consoleApiText.limitInvalid);
    expect((await call(base, 'GET', '/audit?from=2000-01-01&to=2000-01-02', { cookie })).json.entries).toEqual([]);
  }, 60_000);
});

/** A database of its own: flushed before the test; refused when it holds keys the test did not write. */
const REDIS_URL = 'redis://127.0.0.1:6379/8';
type Raw = RawRedis & {
  type(key: string): Promise<string>;
  hGetAll(key: string): Promise<Record<string, string>>;
  lRange(key: string, from: number, to: number): Promise<string[]>;
  sMembers(key: string): Promise<string[]>;
  zRange(key: string, from: number, to: number): Promise<string[]>;
};

const redisSkip = await redisSkipReason(REDIS_URL);
if (redisSkip) process.stderr.write(`skipping the two-instance console test: ${redisSkip}\n`);

describe.skipIf(redisSkip !== undefined)('two instances on one Redis', () => {
  it('accept the same session; an answer sent on either reaches the citizen; the store holds no raw token or session id', async () => {
    await claimRedisDatabase(REDIS_URL);
    const admin = createRedisAdapter(REDIS_URL);
    const client = (await admin.getClient()) as unknown as Raw;
    const dir = await mkdtemp(join(tmpdir(), 'mattran-admin-redis-'));
    const fake = await startFakeTelegram();
    const apps: App[] = [];
    try {
      const make = (name: string) =>
        createApp(consoleConfig(join(dir, name), name, fake.baseUrl, { REDIS_URL, TELEGRAM_BOT_TOKEN: '123456:TEST-console-redis' }), {
          log: capturingLogger('warn').log,
        });
      apps.push(make('a'), make('b'));
      const urls = [];
      for (const a of apps) urls.push((await a.start()).url);
      // One instance polls Telegram; the link names its address. The session works on the other as well.
      const link = linkIn(await say(fake, ADMIN, '/dangnhap'));
      const token = new URL(link).searchParams.get('token')!;
      const signedIn = urls.find((u) => link.startsWith(u.replace(/\/$/, '')))!;
      const elsewhere = urls.find((u) => u !== signedIn)!;
      expect(signedIn).toBeDefined();
      const { cookie } = await openLink(link);
      const sessionId = cookie!.split('=')[1]!;
      const here = await call(signedIn, 'GET', '/session', { cookie });
      const there = await call(elsewhere, 'GET', '/session', { cookie });
      expect(there.status).toBe(200);
      expect(there.json).toEqual(here.json);
      expect((await openLink(link, elsewhere)).status).toBe(401);

      const n = ticketNumber(await say(fake, CITIZEN, '/hoicanbo Đoàn viên công đoàn nghỉ hưu có được tham gia Ban công tác Mặt trận khu dân cư không?'));
      const answer = 'Có. Người nghỉ hưu cư trú tại khu dân cư có thể được hội nghị khu dân cư cử vào Ban công tác Mặt trận.';
      const csrf = there.json.csrfToken as string;
      const res = await call(elsewhere, 'POST', `/tickets/${n}/answer`, { cookie, csrf, body: { text: answer, saveAsFaq: false } });
      expect(res.status).toBe(200);
      await waitFor(() => received(fake, CITIZEN, answer.slice(0, 40)), 20_000);
      expect((await call(signedIn, 'GET', `/tickets/${n}`, { cookie })).json.ticket).toMatchObject({ status: 'answered' });

      // Everything the store holds, read back: the hashes are there, never the raw secrets.
      const dump: string[] = [];
      for (const key of await client.keys('*')) {
        const type = await client.type(key);
        dump.push(key);
        if (type === 'string') dump.push((await client.get(key)) ?? '');
        else if (type === 'hash') dump.push(JSON.stringify(await client.hGetAll(key)));
        else if (type === 'list') dump.push(JSON.stringify(await client.lRange(key, 0, -1)));
        else if (type === 'set') dump.push(JSON.stringify(await client.sMembers(key)));
        else if (type === 'zset') dump.push(JSON.stringify(await client.zRange(key, 0, -1)));
      }
      const stored = dump.join('\n');
      expect(stored).toContain('console');
      expect(stored).not.toContain(token);
      expect(stored).not.toContain(sessionId);
      expect(stored).not.toContain(csrf);

      // Signed out on one instance, the session is over on both.
      expect((await call(signedIn, 'POST', '/logout', { cookie, csrf })).status).toBe(200);
      expect((await call(elsewhere, 'GET', '/session', { cookie })).status).toBe(401);
    } finally {
      for (const a of apps) await a.stop();
      await fake.close();
      await admin.disconnect();
      await claimRedisDatabase(REDIS_URL);
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
