import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/app.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';
import { type Site, startSite } from '../ingest/site-server.js';
import { ADMIN, CITIZEN, consoleConfig, linkIn, say } from './console-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) process.stderr.write(`skipping the console browser test: ${CHROMIUM} is absent (.ci/run installs Debian's chromium)\n`);

/** Questions the bundled articles cannot answer: each opens a ticket. */
const QUESTIONS = [
  { chat: CITIZEN, text: 'Giá vé máy bay từ Hà Nội đi Côn Đảo tháng 12 là bao nhiêu?' },
  { chat: CITIZEN + 1, text: 'vé máy bay Hà Nội Côn Đảo tháng 12 giá bao nhiêu' },
  { chat: CITIZEN + 2, text: 'Tháng 12 vé máy bay Hà Nội đi Côn Đảo giá bao nhiêu vậy?' },
  { chat: CITIZEN + 3, text: 'Xã tôi có được cấp máy lọc nước sạch miễn phí cho hộ cận nghèo không?' },
  { chat: CITIZEN + 4, text: 'Thủ tục xin xác nhận hộ khó khăn để con được miễn học phí mùa tuyển sinh lớp 10 như thế nào?' },
  { chat: CITIZEN + 5, text: 'Máy lọc nước sạch cho hộ cận nghèo ở xã tôi có được cấp miễn phí không ạ?' },
  { chat: CITIZEN + 6, text: 'Lịch cắt điện khu phố 3 phường Bến Thành tuần sau thế nào?' },
];
/** A hostile wording: it must show as these very characters, never run. */
const HOSTILE = 'Thẻ <script>document.title="pwned";window.pwned=1</script><img src=x onerror="window.pwned=2"> đổi vé máy bay Côn Đảo ở đâu?';
const ANSWER = 'Giá vé thay đổi theo hãng và ngày bay; bạn xem trên trang của hãng hoặc hỏi đại lý vé gần nhất. Mặt trận không bán vé.';
const FAQ_QUESTION = 'Giờ tiếp công dân của Ủy ban MTTQ xã Phú Xuân là khi nào?';
const FAQ_ANSWER = 'Ủy ban MTTQ xã Phú Xuân tiếp công dân sáng thứ Ba và thứ Năm hằng tuần, từ 7 giờ 30 đến 11 giờ, tại trụ sở xã.';

/** The confirmation or the error the page shows after an action (whichever comes first). */
async function outcome(page: Page): Promise<string> {
  const shown = page.locator('.notice, .error').first();
  await shown.waitFor({ timeout: 10_000 });
  return (await shown.textContent()) ?? '';
}

describe.skipIf(!hasChromium)('staff console in headless Chromium, through the real app', () => {
  let dir: string;
  let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
  let site: Site;
  let app: App;
  let base: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const tickets: number[] = [];

  /** A citizen's question that the articles cannot answer: resolves with the number of the ticket it opened. */
  async function ask(chat: number, text: string): Promise<number> {
    const reply = await say(fake, chat, text);
    const n = Number(/\(mã #(\d+)\)/.exec(reply)?.[1]);
    expect(n, `no ticket for: ${text}\n${reply}`).toBeGreaterThan(0);
    return n;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-console-'));
    fake = await startFakeTelegram();
    // The fixture news site on 127.0.0.1, for "Nhập bài" (the importer may reach it: INGEST_ALLOW_PRIVATE and its port).
    site = await startSite();
    const config = consoleConfig(dir, 'console-test', fake.baseUrl, {
      INGEST_ALLOW_PRIVATE: 'true',
      INGEST_ALLOWED_PORTS: String(new URL(site.base).port),
      LOG_LEVEL: 'warn',
    });
    app = createApp(config, { log: silentLogger() });
    base = (await app.start()).url;
    // Citizens ask what the articles cannot answer: each reply names the ticket it opened.
    for (const q of QUESTIONS) tickets.push(await ask(q.chat, q.text));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 800 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`${msg.text()} ${msg.location().url}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await fake?.close();
    await site?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('signs in with the link /dangnhap sends and lists the open tickets, most askers first', async () => {
    const reply = await say(fake, ADMIN, '/dangnhap');
    await page.goto(linkIn(reply));
    await Promise.all([page.waitForURL(/\/admin\/$/), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
    expect(new URL(page.url()).pathname).toBe('/admin/');
    await expect.poll(() => page.locator('#who').textContent()).toContain('quản trị viên');
    const cards = page.locator('li.ticket');
    await cards.first().waitFor();
    // The three wordings of the flight question are one ticket with three askers: it comes first.
    expect(await cards.first().textContent()).toMatch(/3 người hỏi/);
    expect(await cards.count()).toBe(new Set(tickets).size);
    await mkdir(join(ROOT, 'test-artifacts'), { recursive: true });
    const shot = join(ROOT, 'test-artifacts', 'staff-console.png');
    await page.screenshot({ path: shot });
    // The README's picture: `UPDATE_SCREENSHOTS=1 npx vitest run test/http/admin-console.test.ts` refreshes it.
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: join(ROOT, 'docs', 'images', 'staff-console.png') });
    expect((await stat(shot)).size).toBeLessThan(150 * 1024);
  });

  it('shows a wording with <script> and an onerror image as text: nothing runs, no element is made', async () => {
    const number = await ask(CITIZEN + 9, HOSTILE);
    for (const address of ['/admin/#/cau-hoi', `/admin/#/cau-hoi/${number}`]) {
      await page.goto(new URL(address, base).toString());
      await page.reload();
      const wording = page.locator('.wording', { hasText: '<script>' }).first();
      await wording.waitFor();
      expect(await wording.textContent()).toBe(HOSTILE);
      expect(await page.title()).not.toBe('pwned');
      expect(await page.evaluate('window.pwned')).toBeUndefined();
      expect(await page.locator('main script, main img').count()).toBe(0);
    }
    await page.goto(new URL('/admin/#/cau-hoi', base).toString());
    await page.reload();
  });

  it('answers a ticket in the page with both previews; every asker receives it on the fake Telegram', async () => {
    const first = page.locator('li.ticket').first();
    const number = Number((await first.locator('h2 a').textContent())?.replace('#', ''));
    await first.locator('h2 a').click();
    await page.getByRole('heading', { name: `Câu hỏi #${number}` }).waitFor();
    // Every wording, each with its pseudonymous asker (never the chat id).
    await expect.poll(() => page.locator('ul.askers li').count()).toBe(3);
    expect(await page.locator('ul.askers').textContent()).not.toContain(String(CITIZEN));
    // The question a curated entry would be saved with: the first wording, pre-filled for staff to approve or edit.
    expect(await page.getByLabel('Câu hỏi lưu vào hỏi đáp').inputValue()).toBe(await page.locator('ul.askers li .wording').first().textContent());
    await page.getByLabel('Câu trả lời').fill(ANSWER);
    await expect.poll(() => page.locator('pre[data-platform="telegram"]').textContent(), { timeout: 10_000 }).toContain('Giá vé thay đổi');
    await expect.poll(() => page.locator('pre[data-platform="zalo"]').textContent()).toContain('Giá vé thay đổi');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    expect(await outcome(page)).toContain('Đã gửi câu trả lời');
    for (const chat of [CITIZEN, CITIZEN + 1, CITIZEN + 2])
      await waitFor(
        () => fake.sent().some((c) => String(c.body.chat_id) === String(chat) && String(c.body.text).includes('Giá vé thay đổi theo hãng')),
        15_000,
      );
    // The page follows the delivery report until every asker has it.
    await expect.poll(() => page.locator('.delivery').textContent(), { timeout: 15_000 }).toContain('Đã gửi 3/3');
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'staff-console-ticket.png'), fullPage: true });
    // The answered list shows it with its report.
    await page.getByRole('link', { name: '← Danh sách câu hỏi' }).click();
    await page.getByRole('button', { name: 'Đã trả lời' }).click();
    await expect.poll(() => page.locator('li.ticket').first().textContent(), { timeout: 10_000 }).toContain('Đã gửi 3/3');
  });

  it('closes a ticket with a reason and tells its asker', async () => {
    const number = tickets.at(-1)!;
    await page.goto(new URL(`/admin/#/cau-hoi/${number}`, base).toString());
    const form = page.getByRole('form', { name: 'Đóng câu hỏi' });
    await form.getByLabel('Lý do').fill('Việc của điện lực, không thuộc Mặt trận: bạn gọi tổng đài điện lực địa phương.');
    // Askers are told only when staff choose to.
    expect(await form.getByLabel('Báo cho người hỏi').isChecked()).toBe(false);
    await form.getByLabel('Báo cho người hỏi').check();
    await form.getByRole('button', { name: 'Đóng câu hỏi' }).click();
    expect(await outcome(page)).toContain('Đã đóng câu hỏi');
    const asker = QUESTIONS.find((q) => q.text.startsWith('Lịch cắt điện'))!.chat;
    await waitFor(() => fake.sent().some((c) => String(c.body.chat_id) === String(asker) && String(c.body.text).includes('tổng đài điện lực')), 15_000);
    expect(await page.locator('main').textContent()).toContain('Lý do: Việc của điện lực');
  });

  it('adds a curated entry in Hỏi đáp, and "Thử câu hỏi" answers from it', async () => {
    await page.getByRole('link', { name: 'Hỏi đáp' }).click();
    await page.getByRole('heading', { name: 'Hỏi đáp', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Thêm hỏi đáp' }).click();
    const form = page.getByRole('form', { name: 'Thêm hỏi đáp' });
    await form.getByLabel('Câu hỏi', { exact: true }).fill(FAQ_QUESTION);
    await form.getByLabel('Cách hỏi khác').fill('Mặt trận xã Phú Xuân tiếp dân vào ngày nào?');
    await form.getByLabel('Câu trả lời').fill(FAQ_ANSWER);
    await form.getByRole('button', { name: 'Lưu' }).click();
    expect(await outcome(page)).toContain('Đã thêm mục hỏi đáp');
    await page.locator('li.faq-entry', { hasText: FAQ_QUESTION }).waitFor();
    await page.getByLabel('Câu hỏi thử').fill('Mặt trận xã Phú Xuân tiếp dân vào ngày nào?');
    await page.getByRole('button', { name: 'Thử', exact: true }).click();
    await page.locator('.try-text').waitFor({ timeout: 10_000 });
    expect(await page.locator('.try-text').textContent()).toContain('sáng thứ Ba và thứ Năm');
    expect(await page.locator('.try-from').textContent()).toMatch(/Hỏi đáp #\d+/);
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'staff-console-faq.png'), fullPage: true });
  });

  it('edits an entry, exports the entries as CSV, imports a file (a bad line reported) and withdraws an entry', async () => {
    const entry = page.locator('li.faq-entry', { hasText: FAQ_QUESTION });
    await entry.getByRole('button', { name: 'Sửa' }).click();
    const edit = page.getByRole('form', { name: /^Sửa mục #\d+$/ });
    await edit.getByLabel('Cách hỏi khác').fill('Mặt trận xã Phú Xuân tiếp dân vào ngày nào?\nỦy ban Mặt trận xã Phú Xuân làm việc với dân hôm nào?');
    await edit.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('.notice', { hasText: /Đã lưu mục #\d+/ }).waitFor({ timeout: 10_000 });
    await expect.poll(() => entry.textContent()).toContain('làm việc với dân hôm nào');
    const href = await page.getByRole('link', { name: 'Tải về CSV' }).getAttribute('href');
    expect(await (await page.request.get(new URL(href!, base).toString())).text()).toContain(FAQ_QUESTION);
    await page.getByText('Nhập hỏi đáp từ tệp CSV').click();
    const csv = [
      'question,alternates,answer',
      'Ngày hội Đại đoàn kết ở thôn Đông tổ chức khi nào?,Thôn Đông làm ngày hội lúc nào?,"Ngày hội Đại đoàn kết thôn Đông tổ chức sáng 16/11, tại nhà văn hóa thôn."',
      ',,Một dòng không có câu hỏi',
    ].join('\n');
    await page.getByLabel('Tệp CSV').setInputFiles({ name: 'hoi-dap.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await page.locator('.notice', { hasText: 'Đã thêm 1 mục' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('region', { name: 'Các dòng không nhập được' }).locator('tbody tr').count()).toBe(1);
    const imported = page.locator('li.faq-entry', { hasText: 'thôn Đông' });
    await imported.getByRole('button', { name: 'Gỡ', exact: true }).click();
    await imported.getByRole('button', { name: /^Gỡ mục #\d+$/ }).click();
    await page.locator('.notice', { hasText: /Đã gỡ mục #\d+/ }).waitFor({ timeout: 10_000 });
    await expect.poll(() => imported.count()).toBe(0);
    await page.getByLabel('Cả mục đã gỡ').check();
    await expect.poll(() => imported.textContent()).toContain('Đã gỡ');
  });

  it('draws the Thống kê charts with data, each with its table and CSV link', async () => {
    await page.getByRole('link', { name: 'Thống kê' }).click();
    await page.getByRole('heading', { name: 'Thống kê' }).waitFor();
    await page.locator('canvas, .error').first().waitFor({ timeout: 10_000 });
    expect(await page.locator('main .error').count(), (await page.locator('main .error').allTextContents()).join()).toBe(0);
    const canvas = page.locator('canvas[data-chart="questions"]');
    await canvas.waitFor({ timeout: 10_000 });
    expect(await page.locator('canvas[data-chart]').count()).toBe(4);
    // Chart.js drew on it: some pixels are not transparent.
    const painted = await canvas.evaluate((c) => {
      const el = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(...box: number[]): { data: Uint8ClampedArray } } };
      const data = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(500);
    // Today's row counts the tickets the citizens opened.
    const rows = page.locator('#chart-questions tbody tr');
    const last = await rows.last().locator('td').allTextContents();
    expect(Number(last[3])).toBeGreaterThanOrEqual(QUESTIONS.length);
    const csv = await page.locator('#chart-questions a[download]').getAttribute('href');
    const res = await page.request.get(new URL(csv!, base).toString());
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('Chuyển cán bộ');
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'staff-console-stats.png'), fullPage: true });
  });

  it('previews an announcement on both platforms and sends it; Bài viết and Nhật ký open without an error', async () => {
    await page.getByRole('link', { name: 'Thông báo' }).click();
    const form = page.getByRole('form', { name: 'Soạn thông báo' });
    await form.waitFor();
    await form.getByLabel('Tiêu đề').fill('Lịch tiếp công dân tháng 12');
    await form.getByLabel('Nội dung').fill('Ủy ban MTTQ xã tiếp công dân sáng thứ Ba và thứ Năm hằng tuần.');
    await expect.poll(() => form.locator('pre[data-platform="telegram"]').textContent(), { timeout: 10_000 }).toContain('Lịch tiếp công dân tháng 12');
    await expect.poll(() => form.locator('pre[data-platform="zalo"]').textContent()).toContain('sáng thứ Ba');
    await form.getByRole('button', { name: 'Gửi ngay' }).click();
    expect(await outcome(page)).toContain('Đang gửi thông báo');
    await page.locator('li.announcement', { hasText: 'Lịch tiếp công dân tháng 12' }).waitFor();
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'staff-console-announcements.png'), fullPage: true });
    // A refusal of the API is shown as it says it: a time already past cannot be scheduled.
    await form.getByLabel('Nội dung').fill('Thông báo hẹn giờ');
    await form.getByLabel('Gửi lúc (giờ Việt Nam)').fill('2020-01-01T08:00');
    await form.getByRole('button', { name: 'Hẹn giờ gửi' }).click();
    await expect.poll(() => form.locator('.error').textContent(), { timeout: 10_000 }).toContain('đã qua');
    // Chromium logs that refused call (400) as a console error: the one expected.
    expect(pageErrors.filter((e) => !/status of 400 .*\/admin\/api\/announcements$/.test(e))).toEqual([]);
    pageErrors.length = 0;
    for (const name of ['Bài viết', 'Nhật ký']) {
      await page.locator('nav').getByRole('link', { name }).click();
      await page.getByRole('heading', { name, exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.locator('main .error').allTextContents()).toEqual([]);
    }
  });

  it('imports an article by its URL in Bài viết, then unpublishes it', async () => {
    await page.locator('nav').getByRole('link', { name: 'Bài viết' }).click();
    await page.getByLabel('Địa chỉ bài viết hoặc nguồn').fill(`${site.base}/hoat-dong/dien-bien-trao-bo-giong-cho-ho-ngheo-46001.html`);
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    const notice = page.locator('.notice', { hasText: 'Đã nhập:' });
    await notice.waitFor({ timeout: 20_000 });
    const title = (await notice.textContent())!.replace('Đã nhập: ', '');
    const card = page.locator('li.card', { hasText: title });
    await card.waitFor();
    await card.getByRole('button', { name: 'Gỡ', exact: true }).click();
    await card.getByRole('button', { name: 'Gỡ bài này' }).click();
    await page.locator('.notice', { hasText: 'Đã gỡ bài' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => card.count()).toBe(0);
  });

  it('at 375 px the nav fits and works by keyboard, with a visible focus', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(new URL('/admin/#/cau-hoi', base).toString());
    await page.reload();
    await page.locator('li.ticket').first().waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    for (const name of ['Câu hỏi', 'Hỏi đáp', 'Thông báo', 'Bài viết', 'Thống kê', 'Nhật ký', 'Đăng xuất']) {
      const item = page.locator('nav').getByRole(name === 'Đăng xuất' ? 'button' : 'link', { name, exact: true });
      const box = await item.boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.x + box!.width, name).toBeLessThanOrEqual(375);
    }
    // Tab from the top of a freshly loaded page: the skip link, then the nav; Enter on "Nhật ký" opens the audit log.
    let focused = '';
    const order: string[] = [];
    for (let i = 0; i < 12 && focused !== 'Nhật ký'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>("document.activeElement?.textContent ?? ''");
      order.push(focused);
    }
    expect(focused, order.join(' → ')).toBe('Nhật ký');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle');
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Nhật ký' }).waitFor();
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'staff-console-375.png'), fullPage: true });
    // The sign-in and the answer are in the audit log.
    await expect.poll(() => page.locator('table').textContent(), { timeout: 10_000 }).toContain('đăng nhập');
    // Every page fits the phone's width.
    for (const name of ['Câu hỏi', 'Hỏi đáp', 'Thông báo', 'Bài viết', 'Thống kê']) {
      await page.locator('nav').getByRole('link', { name, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.evaluate<number>('document.documentElement.scrollWidth'), name).toBeLessThanOrEqual(375);
    }
    // So does an open ticket with its answer box and the two previews.
    await page.goto(new URL(`/admin/#/cau-hoi/${tickets[4]}`, base).toString());
    await page.getByLabel('Câu trả lời').fill('Hộ khó khăn xin xác nhận tại UBND xã; mang theo sổ hộ khẩu và giấy báo nhập học.');
    await expect.poll(() => page.locator('pre[data-platform="zalo"]').textContent(), { timeout: 10_000 }).toContain('UBND xã');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'staff-console-375-ticket.png'), fullPage: true });
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });

  it('signs out: the sign-in page comes back and the API answers 401', async () => {
    await page.locator('#logout').click();
    await page.getByRole('heading', { name: 'Đăng nhập bảng điều khiển' }).waitFor({ timeout: 10_000 });
    expect((await page.request.get(new URL('/admin/api/session', base).toString())).status()).toBe(401);
  });
});
