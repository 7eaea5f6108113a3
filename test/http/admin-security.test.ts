import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type KeyvSqlite from '@keyv/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, type App } from '../../src/app/app.js';
import { createConsoleLoginFlow } from '../../src/assistant/console-login.js';
import { consoleAuthText, consoleUiText, staffText } from '../../src/copy/messages.js';
import { ApiError, type ApiRoute } from '../../src/http/admin/route.js';
import { createAdminRoute } from '../../src/http/admin/router.js';
import { createConsoleUi } from '../../src/http/admin/ui.js';
import { createSessionStore, SESSION_MS, SIGN_IN_TOKEN_MS, type SessionStore } from '../../src/store/sessions.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { type AuditEntry, createStaffStore, type StaffStore } from '../../src/store/staff.js';
import { startFakeTelegram } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { ADMIN, CITIZEN, call, concrete, consoleConfig, linkIn, openLink, say, sayInGroup, STAFF } from './console-helpers.js';

/** The router alone, over real stores on SQLite, the real pages, and a clock the test moves. */
describe('the console router (clock injected)', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let sessions: SessionStore;
  let staff: StaffStore;
  const adapters: KeyvSqlite[] = [];
  const clock = { now: new Date('2026-12-07T02:00:00Z') };
  const { log, lines } = capturingLogger('debug');
  const echo = z.object({ text: z.string().max(100) });
  const api: ApiRoute[] = [
    { method: 'GET', path: '/echo/:id', handle: async ({ params, user }) => ({ json: { id: params.id, who: user.id } }) },
    { method: 'POST', path: '/echo', body: echo, handle: async ({ body }) => ({ json: { text: (body as z.infer<typeof echo>).text } }) },
    {
      method: 'POST',
      path: '/refuse',
      handle: async () => {
        throw new ApiError(409, 'Không làm được.');
      },
    },
    {
      method: 'DELETE',
      path: '/boom',
      handle: async () => {
        throw new Error('disk on fire');
      },
    },
  ];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-admin-router-'));
    const adapter = async () => {
      const made = await createSqliteAdapter(dir);
      adapters.push(made);
      return made;
    };
    sessions = await createSessionStore({ adapter, log });
    staff = await createStaffStore({ adapter, log });
    await staff.grant('zalo:u600', 'telegram:500', clock.now);
    const route = createAdminRoute({
      sessions,
      roleOf: async (id) => (id === 'telegram:500' ? 'admin' : (await staff.isStaff(id)) ? 'staff' : 'citizen'),
      ui: createConsoleUi(),
      api,
      audit: (entry) => staff.audit.append(entry),
      log,
      publicUrl: 'https://bot.example.vn',
      now: () => clock.now,
    });
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!(await route(req, res, url))) {
        res.writeHead(404);
        res.end('not the console');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await sessions.close();
    await staff.close();
    await Promise.allSettled(adapters.map((a) => a.disconnect()));
    await rm(dir, { recursive: true, force: true });
  });

  const signIn = async (who = 'zalo:u600') => {
    const token = await sessions.issueToken(who, 'zalo:abcdef', clock.now);
    const opened = await openLink(`${base}/admin/login?token=${token}`);
    return { token, ...opened };
  };

  it('leaves other paths alone', async () => {
    expect((await fetch(`${base}/administrator`)).status).toBe(404);
    expect(await (await fetch(`${base}/adminx/api/session`)).text()).toBe('not the console');
  });

  it('a link signs in once: Secure cookie under https PUBLIC_URL, 8 hours; a used link and an expired one show the sign-in page with the reason', async () => {
    const first = await signIn();
    expect(first.status).toBe(303);
    expect(first.location).toBe('/admin/');
    const attributes = first.setCookie!.split(';').map((a) => a.trim());
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=28800', 'Path=/admin', 'SameSite=Strict', 'Secure']);
    expect(first.cookie).toMatch(/^mattran_console=[A-Za-z0-9_-]{43}$/);
    expect((await call(base, 'GET', '/session', { cookie: first.cookie })).json.user).toEqual({ id: 'zalo:u600', name: 'zalo:abcdef', role: 'staff' });

    const again = await openLink(`${base}/admin/login?token=${first.token}`);
    expect(again.status).toBe(401);
    expect(again.setCookie).toBeUndefined();
    expect(again.body).toContain(consoleUiText.refused.used);

    const late = await sessions.issueToken('zalo:u600', 'zalo:abcdef', clock.now);
    clock.now = new Date(clock.now.getTime() + SIGN_IN_TOKEN_MS + 1000);
    const expired = await openLink(`${base}/admin/login?token=${late}`);
    expect(expired.status).toBe(401);
    expect(expired.body).toContain(consoleUiText.refused.expired);
    const forged = await openLink(`${base}/admin/login?token=${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
    expect(forged.body).toContain(consoleUiText.refused.invalid);
    expect((await openLink(`${base}/admin/login?token=%3Cscript%3E`)).status).toBe(401);
    expect((await fetch(`${base}/admin/login?token=${late}`, { method: 'PUT' })).status).toBe(405);
    // The token goes in the form's body: one in the query of a POST is not read.
    expect((await fetch(`${base}/admin/login?token=${late}`, { method: 'POST' })).status).toBe(401);

    // The session itself ends 8 hours after sign-in.
    clock.now = new Date(clock.now.getTime() + SESSION_MS);
    expect((await call(base, 'GET', '/session', { cookie: first.cookie })).status).toBe(401);
    // No token reached the log; refusals were logged and audited with their reason.
    const logged = JSON.stringify(lines);
    for (const token of [first.token, late]) expect(logged).not.toContain(token);
    const audited = await staff.audit.latest(50, clock.now);
    expect(JSON.stringify(audited)).not.toContain(first.token);
    expect(audited.filter((e) => e.action === consoleAuthText.auditSignIn).map((e) => e.outcome)).toEqual(
      expect.arrayContaining(['ok', 'denied', 'denied', 'denied']),
    );
  });

  it('a link of someone who is no longer staff signs nobody in', async () => {
    const token = await sessions.issueToken('telegram:999', 'telegram:zzzzzz', clock.now);
    const opened = await openLink(`${base}/admin/login?token=${token}`);
    expect(opened.status).toBe(401);
    expect(opened.setCookie).toBeUndefined();
  });

  it('checks the session, then the CSRF token, then the body; refusals are JSON in Vietnamese; a failure is logged once and answered 500', async () => {
    const { cookie } = await signIn();
    const { csrfToken } = (await call(base, 'GET', '/session', { cookie })).json as { csrfToken: string };
    expect((await call(base, 'GET', '/echo/%3Cb%3E', { cookie })).json).toEqual({ id: '<b>', who: 'zalo:u600' });
    expect((await call(base, 'GET', '/echo/%E0%A4%A', { cookie })).status).toBe(404);
    expect((await call(base, 'POST', '/echo', { cookie, body: { text: 'x' } })).status).toBe(403);
    expect((await call(base, 'POST', '/echo', { cookie, csrf: 'x'.repeat(43), body: { text: 'x' } })).status).toBe(403);
    const fine = await call(base, 'POST', '/echo', { cookie, csrf: csrfToken, body: { text: 'Xin chào <script>' } });
    expect(fine.json).toEqual({ text: 'Xin chào <script>' });
    const invalid = await call(base, 'POST', '/echo', { cookie, csrf: csrfToken, body: { text: 'x'.repeat(101) } });
    expect(invalid.status).toBe(400);
    expect(String(invalid.json.error)).toMatch(/^Dữ liệu không hợp lệ ở trường “text”/);
    const notJson = await call(base, 'POST', '/echo', { cookie, csrf: csrfToken, raw: '{"text": "\u0000' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toBe(consoleAuthText.notJson);
    const huge = await call(base, 'POST', '/echo', { cookie, csrf: csrfToken, raw: JSON.stringify({ text: 'ả'.repeat(400_000) }) });
    expect(huge.status).toBe(413);
    expect((await call(base, 'POST', '/refuse', { cookie, csrf: csrfToken })).json).toEqual({ error: 'Không làm được.' });
    expect((await call(base, 'GET', '/echo', { cookie })).status).toBe(405);
    expect((await call(base, 'GET', '/nothing', { cookie })).json).toEqual({ error: consoleAuthText.notFound });
    const boom = await call(base, 'DELETE', '/boom', { cookie, csrf: csrfToken });
    expect(boom.status).toBe(500);
    expect(boom.json).toEqual({ error: consoleAuthText.internal });
    expect(lines.filter((l) => l.msg === 'console call failed')).toHaveLength(1);
    expect(boom.headers.get('cache-control')).toBe('no-store');
    expect(boom.headers.get('x-frame-options')).toBe('DENY');
  });

  it('a store that fails: 503 in Vietnamese, logged once without the link', async () => {
    const broken = await createSqliteAdapter(dir);
    const failing = await createSessionStore({ adapter: () => broken, log });
    await broken.disconnect();
    const route = createAdminRoute({ sessions: failing, roleOf: async () => 'staff', ui: createConsoleUi(), api, audit: async () => undefined, log });
    const other = createServer(async (req, res) => void (await route(req, res, new URL(req.url ?? '/', 'http://localhost'))));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const at = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const before = lines.filter((l) => l.msg === 'console request failed').length;
      const token = 'T'.repeat(43);
      const res = await fetch(`${at}/admin/login?token=${token}`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: consoleAuthText.internal });
      expect((await call(at, 'GET', '/session', { cookie: `mattran_console=${'C'.repeat(43)}` })).json).toEqual({ error: consoleAuthText.internal });
      expect(lines.filter((l) => l.msg === 'console request failed').length - before).toBe(2);
      expect(JSON.stringify(lines)).not.toContain(token);
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it('sign-out ends the session and clears the cookie', async () => {
    const { cookie } = await signIn();
    const { csrfToken } = (await call(base, 'GET', '/session', { cookie })).json as { csrfToken: string };
    expect((await call(base, 'POST', '/logout', { cookie })).status).toBe(403);
    const out = await call(base, 'POST', '/logout', { cookie, csrf: csrfToken });
    expect(out.json).toEqual({ ok: true });
    expect(out.headers.get('set-cookie')).toMatch(/^mattran_console=; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=0; Secure$/);
    expect((await call(base, 'GET', '/session', { cookie })).status).toBe(401);
    const pages = await fetch(`${base}/admin/`, { headers: { cookie: cookie! } });
    expect(pages.status).toBe(401);
    expect(await pages.text()).toContain(consoleUiText.signInHeading);
  });
});

/** The whole app: sign-in over the fake Telegram server, every wired route, another installation's cookie. */
describe('the console in the app', () => {
  let dir: string;
  let otherDir: string;
  let fake: Awaited<ReturnType<typeof startFakeTelegram>>;
  let app: App;
  let other: App;
  let base: string;
  let otherBase: string;
  const captured = capturingLogger('debug');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mattran-admin-app-'));
    otherDir = await mkdtemp(join(tmpdir(), 'mattran-admin-other-'));
    fake = await startFakeTelegram();
    const config = (dataDir: string, telegram: boolean) =>
      consoleConfig(dataDir, telegram ? 'console-a' : 'console-other', telegram ? fake.baseUrl : undefined, { LOG_LEVEL: 'info' });
    app = createApp(config(dir, true), { log: captured.log });
    other = createApp(config(otherDir, false), { log: capturingLogger('warn').log });
    base = (await app.start()).url;
    otherBase = (await other.start()).url;
    expect(await say(fake, ADMIN, `/capquyen telegram:${STAFF}`)).toContain(staffText.granted(`telegram:${STAFF}`));
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await other?.stop();
    await fake?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(otherDir, { recursive: true, force: true });
  });

  it('/dangnhap: a link for staff in a private chat only; citizens and group chats get none; the token is never logged', async () => {
    expect(await say(fake, CITIZEN, '/dangnhap')).toContain(staffText.denied.slice(0, 30));
    const inGroup = await sayInGroup(fake, -100123, STAFF, '/dangnhap');
    expect(inGroup).not.toMatch(/token=/);
    expect(inGroup).toContain('cuộc trò chuyện riêng');
    const reply = await say(fake, STAFF, '/dangnhap');
    const link = linkIn(reply);
    expect(link.startsWith(base.replace(/\/$/, ''))).toBe(true);
    const token = new URL(link).searchParams.get('token')!;
    const opened = await openLink(link);
    expect(opened.status).toBe(303);
    expect(
      opened
        .setCookie!.split(';')
        .map((a) => a.trim())
        .slice(1)
        .sort(),
    ).toEqual(['HttpOnly', 'Max-Age=28800', 'Path=/admin', 'SameSite=Strict']);
    const session = await call(base, 'GET', '/session', { cookie: opened.cookie });
    expect(session.json.user).toMatchObject({ id: `telegram:${STAFF}`, role: 'staff' });
    expect(String((session.json.user as { name: string }).name)).toMatch(/^telegram:[a-z2-7]{6}$/);
    expect((await openLink(link)).status).toBe(401);
    expect(JSON.stringify(captured.lines)).not.toContain(token);
    const audit = await say(fake, ADMIN, '/nhatky 20');
    expect(audit).toContain(consoleAuthText.auditSignIn);
    expect(audit).not.toContain(token);
    // The web chat is nobody's private chat.
    const web = await fetch(new URL('/api/chat', base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'console-web', text: '/dangnhap' }),
    });
    expect(JSON.stringify(await web.json())).not.toMatch(/token=/);
  }, 60_000);

  it('every wired route and page answers 401 without a live session (none, forged, another installation’s); every state-changing route 403 without the CSRF token', async () => {
    const { cookie } = await openLink(linkIn(await say(fake, STAFF, '/dangnhap')));
    const session = (await call(base, 'GET', '/session', { cookie })).json as { csrfToken: string; routes: { method: string; path: string }[] };
    const routes = session.routes;
    // The API of issue #23, at least.
    for (const expected of [
      'GET /session',
      'POST /logout',
      'GET /tickets',
      'GET /tickets/:id',
      'POST /tickets/:id/preview',
      'POST /tickets/:id/answer',
      'POST /tickets/:id/close',
      'GET /faq',
      'GET /faq/:id',
      'POST /faq',
      'PUT /faq/:id',
      'DELETE /faq/:id',
      'POST /faq/try',
      'GET /faq/export.csv',
      'POST /faq/import',
      'GET /audit',
      'GET /announcements',
      'POST /announcements/preview',
      'POST /announcements',
      'GET /articles',
      'POST /articles/import',
      'DELETE /articles/:id',
      'GET /stats',
      'GET /stats.csv',
    ])
      expect(routes.map((r) => `${r.method} ${r.path}`)).toContain(expected);

    const shell = await (await fetch(new URL('/admin/', base), { headers: { cookie: cookie! } })).text();
    const assets = [...shell.matchAll(/(?:src|href)="(\/admin\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(2);
    const pages = ['/admin', '/admin/', '/admin/cau-hoi', '/admin/khong-co', ...assets];

    const otherCookie = await otherInstallationCookie();
    const strangers: (string | undefined)[] = [undefined, `mattran_console=${'A'.repeat(43)}`, 'mattran_console=<script>', otherCookie];
    for (const stranger of strangers) {
      for (const r of routes) {
        const res = await call(base, r.method, concrete(r.path), { cookie: stranger, csrf: session.csrfToken, body: {} });
        expect(res.status, `${r.method} ${r.path} with ${stranger}`).toBe(401);
        expect(res.json.error).toBe(consoleAuthText.signInRequired);
      }
      for (const page of pages) {
        const res = await fetch(new URL(page, base), { headers: stranger ? { cookie: stranger } : {}, redirect: 'manual' });
        expect(res.status, `${page} with ${stranger}`).toBe(401);
        expect(await res.text()).toContain(consoleUiText.signInHeading);
      }
    }
    for (const r of routes.filter((x) => x.method !== 'GET')) {
      for (const csrf of [undefined, '', 'x'.repeat(43)]) {
        const res = await call(base, r.method, concrete(r.path), { cookie, ...(csrf === undefined ? {} : { csrf }), body: {} });
        expect(res.status, `${r.method} ${r.path} with CSRF ${csrf}`).toBe(403);
        expect(res.json.error).toBe(consoleAuthText.csrf);
      }
    }
    // With the session every page is served (or 404 for none), nothing 401.
    for (const page of assets) expect((await fetch(new URL(page, base), { headers: { cookie: cookie! } })).status, page).toBe(200);
  }, 90_000);

  /** A live session of the other installation (a staff member of its own, signed in through its own store). */
  async function otherInstallationCookie(): Promise<string> {
    const adapter = await createSqliteAdapter(otherDir);
    const sessions = await createSessionStore({ adapter: () => adapter, log: capturingLogger('warn').log });
    try {
      const token = await sessions.issueToken(`telegram:${ADMIN}`, 'telegram:aaaaaa', new Date());
      const { cookie } = await openLink(`${otherBase}admin/login?token=${token}`);
      expect((await call(otherBase, 'GET', '/session', { cookie })).status).toBe(200);
      return cookie!;
    } finally {
      await sessions.close();
    }
  }

  it('a session of another installation is refused, and the other way round', async () => {
    const { cookie } = await openLink(linkIn(await say(fake, STAFF, '/dangnhap')));
    expect((await call(base, 'GET', '/session', { cookie })).status).toBe(200);
    expect((await call(otherBase, 'GET', '/session', { cookie })).status).toBe(401);
    expect((await call(base, 'GET', '/session', { cookie: await otherInstallationCookie() })).status).toBe(401);
    // The link itself only works where it was made.
    const link = linkIn(await say(fake, STAFF, '/dangnhap'));
    expect((await openLink(link, otherBase)).status).toBe(401);
  }, 60_000);

  it('revoking the staff role ends the member’s sessions at once; /dangxuat ends them all', async () => {
    const first = await openLink(linkIn(await say(fake, STAFF, '/dangnhap')));
    const second = await openLink(linkIn(await say(fake, STAFF, '/dangnhap')));
    expect((await call(base, 'GET', '/session', { cookie: second.cookie })).status).toBe(200);
    expect(await say(fake, STAFF, '/dangxuat')).toMatch(/Đã đăng xuất \d+ phiên/);
    expect((await call(base, 'GET', '/session', { cookie: first.cookie })).status).toBe(401);
    expect((await call(base, 'GET', '/session', { cookie: second.cookie })).status).toBe(401);

    const third = await openLink(linkIn(await say(fake, STAFF, '/dangnhap')));
    expect((await call(base, 'GET', '/tickets', { cookie: third.cookie })).status).toBe(200);
    const unusedLink = linkIn(await say(fake, STAFF, '/dangnhap'));
    expect(await say(fake, ADMIN, `/thuhoiquyen telegram:${STAFF}`)).toContain(staffText.revoked(`telegram:${STAFF}`));
    expect((await call(base, 'GET', '/tickets', { cookie: third.cookie })).status).toBe(401);
    expect((await fetch(new URL('/admin/', base), { headers: { cookie: third.cookie! } })).status).toBe(401);
    expect((await openLink(unusedLink)).status).toBe(401);
    // Granted again, the old session stays ended (it was deleted, not just refused).
    await say(fake, ADMIN, `/capquyen telegram:${STAFF}`);
    expect((await call(base, 'GET', '/tickets', { cookie: third.cookie })).status).toBe(401);
    expect(await say(fake, STAFF, '/dangnhap')).toMatch(/token=/);
  }, 60_000);
});

/** The chat side alone: which chats get a link. */
describe('/dangnhap and /dangxuat', () => {
  it('a link for staff on Zalo and in a Telegram private chat; none in a Telegram group, on the web chat or for citizens', async () => {
    const { log } = capturingLogger('warn');
    const sessions = await createSessionStore({ log });
    const audit: AuditEntry[] = [];
    const staff = new Set(['zalo:z600', 'telegram:600']);
    const flow = createConsoleLoginFlow({
      sessions,
      roleOf: async (msg) => (staff.has(`${msg.channel}:${msg.userId}`) ? 'staff' : 'citizen'),
      baseUrl: () => 'https://bot.example.vn',
      audit: async (entry) => void audit.push(entry),
      log,
    });
    const at = new Date();
    const send = async (channel: 'telegram' | 'zalo' | 'web', chatId: string, userId: string, command: string) =>
      ((await flow.command({ channel, chatId, userId, text: `/${command}`, receivedAt: at }, {}, command, '', at)) ?? []).map((r) => r.text).join('\n');
    expect(await send('zalo', 'z600', 'z600', 'dangnhap')).toMatch(
      /^Đường dẫn đăng nhập[\s\S]*https:\/\/bot\.example\.vn\/admin\/login\?token=[A-Za-z0-9_-]{43}\n/,
    );
    expect(await send('telegram', '600', '600', 'dangnhap')).toMatch(/token=/);
    expect(await send('telegram', '-1001', '600', 'dangnhap')).toBe(consoleAuthText.privateOnly);
    expect(await send('web', 'abc', 'abc', 'dangnhap')).toBe(consoleAuthText.webOnly);
    expect(await send('zalo', 'z700', 'z700', 'dangnhap')).toBe(staffText.denied);
    expect(await send('zalo', 'z700', 'z700', 'dangxuat')).toBe(staffText.denied);
    expect(await send('telegram', '600', '600', 'dangxuat')).toBe(consoleAuthText.signedOut(0));
    expect(await flow.command({ channel: 'zalo', chatId: 'z600', userId: 'z600', text: '/moi', receivedAt: at }, {}, 'moi', '', at)).toBeUndefined();
    expect(audit.map((e) => `${e.action} ${e.outcome}`)).toEqual([
      '/dangnhap ok',
      '/dangnhap ok',
      '/dangnhap denied',
      '/dangnhap denied',
      '/dangxuat denied',
      '/dangxuat ok',
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/token/);
    await sessions.close();
  });
});
