import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app/app.js';
import { consoleAuthText, consoleUiText } from '../../src/copy/messages.js';
import { createSessionStore, SIGN_IN_TOKEN_MS } from '../../src/store/sessions.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { startFakeTelegram } from '../helpers/fake-http.js';
import { capturingLogger, silentLogger } from '../helpers/logger.js';
import { ADMIN, call, consoleConfig, linkIn, openLink, say } from './console-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
/** The other site's host name (Chromium maps it to 127.0.0.1): another site than 127.0.0.1, as Telegram Web is. */
const OTHER_SITE = 'web-chat.test';

/** The sign-in link: what a link preview sees, a click from another site, /dangxuat, a signed-in visit. */
describe('console sign-in link', () => {
  let dir: string;
  let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
  let app: App;
  let base: string;
  let browser: Browser | undefined;
  let other: Server | undefined;
  /** The link the other site's page shows. */
  let link = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-admin-login-'));
    fake = await startFakeTelegram();
    app = createApp(consoleConfig(join(dir, 'app'), 'console-login', fake.baseUrl, { LOG_LEVEL: 'warn' }), { log: silentLogger() });
    base = (await app.start()).url;
    if (!hasChromium) return;
    // The other site: a chat page whose link opens in a new tab, as Telegram Web and Zalo's web page do.
    other = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><meta charset="utf-8"><p><a id="link" href="${link}" target="_blank" rel="noopener noreferrer">${link}</a></p>`);
    });
    await new Promise<void>((r) => other!.listen(0, '127.0.0.1', r));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', `--host-resolver-rules=MAP ${OTHER_SITE} 127.0.0.1`],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (other) await new Promise((r) => other!.close(r));
    await app?.stop();
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('opening the link uses nothing: the page has a button that posts the token; a post from another site is refused', async () => {
    const link = linkIn(await say(fake, ADMIN, '/dangnhap'));
    const token = new URL(link).searchParams.get('token')!;
    // A link preview or a scanner fetches the link, maybe twice: the confirmation page each time, no cookie.
    for (let i = 0; i < 2; i++) {
      const preview = await fetch(link, { redirect: 'manual' });
      expect(preview.status).toBe(200);
      expect(preview.headers.get('set-cookie')).toBeNull();
      expect(preview.headers.get('cache-control')).toBe('no-store');
      const html = await preview.text();
      expect(html).toContain(consoleUiText.confirmButton);
      expect(html).toContain('<form method="post" action="/admin/login">');
      expect(html).not.toContain('<script');
    }
    // A form on another site posting the token (signing the victim in as someone else) is refused; the link still works.
    const crossSite = await fetch(new URL('/admin/login', base), {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ token }),
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    const opened = await openLink(link);
    expect(opened.status).toBe(303);
    expect((await call(base, 'GET', '/session', { cookie: opened.cookie })).json.user).toMatchObject({ id: `telegram:${ADMIN}`, role: 'admin' });
    // Bad bodies: too large, binary, no token: the sign-in page, never a crash.
    for (const body of [`token=${'a'.repeat(5000)}`, '\u0000\u0001<script>', '']) {
      const res = await fetch(new URL('/admin/login', base), { method: 'POST', body, redirect: 'manual' });
      expect(res.status).toBe(401);
      expect(await res.text()).toContain(consoleUiText.refused.invalid);
    }
  }, 60_000);

  it('/admin/login without a token: signed in, to the pages; not signed in, the sign-in page without a reason', async () => {
    const { cookie } = await openLink(linkIn(await say(fake, ADMIN, '/dangnhap')));
    const signedIn = await fetch(new URL('/admin/login', base), { headers: { cookie: cookie! }, redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/admin/');
    const stranger = await fetch(new URL('/admin/login', base), { redirect: 'manual' });
    expect(stranger.status).toBe(401);
    const html = await stranger.text();
    expect(html).toContain(consoleUiText.signInHeading);
    expect(html).not.toContain('class="reason"');
  }, 60_000);

  it('/dangxuat ends the sessions and cancels the links sent before it; a link sent after works', async () => {
    const used = await openLink(linkIn(await say(fake, ADMIN, '/dangnhap')));
    const unused = [linkIn(await say(fake, ADMIN, '/dangnhap')), linkIn(await say(fake, ADMIN, '/dangnhap'))];
    const reply = await say(fake, ADMIN, '/dangxuat');
    expect(reply).toMatch(/Đã đăng xuất \d+ phiên/);
    expect(reply).toContain('chưa dùng');
    expect((await call(base, 'GET', '/session', { cookie: used.cookie })).status).toBe(401);
    for (const link of unused) {
      const opened = await openLink(link);
      expect(opened.status).toBe(401);
      expect(opened.setCookie).toBeUndefined();
      expect(opened.body).toContain(consoleUiText.refused.cancelled);
    }
    // Within the same second (Telegram dates a message to the second): the order counts, not the time.
    const after = await openLink(linkIn(await say(fake, ADMIN, '/dangnhap')));
    expect(after.status).toBe(303);
    expect((await call(base, 'GET', '/session', { cookie: after.cookie })).status).toBe(200);
    expect(await say(fake, ADMIN, '/nhatky 30')).toContain(consoleAuthText.signInRefusedDetail.cancelled);
  }, 60_000);

  it.skipIf(!hasChromium)(
    'Chromium: a link clicked on another site opens the confirmation page; its button signs in and shows the pages',
    async () => {
      link = linkIn(await say(fake, ADMIN, '/dangnhap'));
      const context = await browser!.newContext({ locale: 'vi-VN' });
      try {
        const chat = await context.newPage();
        await chat.goto(`http://${OTHER_SITE}:${(other!.address() as AddressInfo).port}/`);
        const [tab] = await Promise.all([context.waitForEvent('page'), chat.click('#link')]);
        await tab!.getByRole('heading', { name: consoleUiText.confirmHeading }).waitFor();
        await Promise.all([tab!.waitForURL(/\/admin\/$/), tab!.getByRole('button', { name: consoleUiText.confirmButton }).click()]);
        await expect.poll(() => tab!.locator('#who').textContent()).toContain('quản trị viên');
        // The sign-in address again, signed in: the pages, not the sign-in page.
        await tab!.goto(new URL('/admin/login', base).toString());
        expect(new URL(tab!.url()).pathname).toBe('/admin/');
        await expect.poll(() => tab!.locator('#who').textContent()).toContain('quản trị viên');
        // The link is spent now.
        expect((await openLink(link)).status).toBe(401);
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});

/** The store alone, with a clock the test sets. */
describe('sign-in tokens in the store', () => {
  it('check spends nothing; endAll cancels the tokens issued before it, not the later ones (even at the same time)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-login-store-'));
    const adapter = await createSqliteAdapter(dir);
    const { log } = capturingLogger('warn');
    const sessions = await createSessionStore({ adapter: () => adapter, log });
    try {
      const t0 = new Date('2026-12-07T02:00:00Z');
      const at = (ms: number) => new Date(t0.getTime() + ms);
      const first = await sessions.issueToken('zalo:u1', 'zalo:aaaaaa', t0);
      const other = await sessions.issueToken('zalo:u2', 'zalo:bbbbbb', t0);
      expect(await sessions.check(first, at(1000))).toEqual({ ok: true, staffId: 'zalo:u1' });
      expect(await sessions.check(first, at(1000))).toEqual({ ok: true, staffId: 'zalo:u1' });
      expect(await sessions.check('x', at(1000))).toEqual({ ok: false, reason: 'invalid' });
      expect(await sessions.endAll('zalo:u1', at(2000))).toBe(0);
      const later = await sessions.issueToken('zalo:u1', 'zalo:aaaaaa', at(2000));
      expect(await sessions.check(first, at(4000))).toEqual({ ok: false, reason: 'cancelled', staffId: 'zalo:u1' });
      expect(await sessions.redeem(first, at(4000))).toEqual({ ok: false, reason: 'cancelled', staffId: 'zalo:u1' });
      // Another member's link and the one sent after /dangxuat still work, once.
      expect((await sessions.redeem(other, at(4000))).ok).toBe(true);
      expect((await sessions.redeem(later, at(4000))).ok).toBe(true);
      expect(await sessions.check(later, at(5000))).toEqual({ ok: false, reason: 'used', staffId: 'zalo:u1' });
      const late = await sessions.issueToken('zalo:u3', 'zalo:cccccc', t0);
      expect(await sessions.check(late, at(SIGN_IN_TOKEN_MS))).toEqual({ ok: false, reason: 'expired', staffId: 'zalo:u3' });
    } finally {
      await sessions.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
