import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readBodyText } from '../../channels/body.js';
import { consoleAuthText as t } from '../../copy/messages.js';
import { csrfMatches, csrfTokenOf, SESSION_MS, type SessionStore, type SignInRefusal } from '../../store/sessions.js';
import type { AuditEntry } from '../../store/staff.js';
import type { Route } from '../server.js';
import { ApiError, type ApiResult, type ApiRoute, type ConsoleUi, type StaffUser } from './route.js';

/** Name of the console's session cookie (sent only under /admin). */
const SESSION_COOKIE = 'mattran_console';
/** Largest JSON body an API call may send, in bytes (a CSV import of curated entries fits). */
const MAX_API_BODY_BYTES = 512 * 1024;
/** Largest sign-in form body, in bytes (one token field). */
const MAX_LOGIN_BODY_BYTES = 1024;
const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE']);

/** Dependencies of the console's router. */
export interface AdminRouteOptions {
  sessions: SessionStore;
  /** The role a staff identity (`channel:userId`) has now (ADMIN_IDS, the staff store): asked on every request. */
  roleOf(staffId: string): Promise<'admin' | 'staff' | 'citizen'>;
  ui: ConsoleUi;
  /** The API's routes (tickets, curated answers, announcements, articles, statistics, audit log). */
  api: ApiRoute[];
  /** Writes one line of the staff audit log (/nhatky). */
  audit(entry: AuditEntry): Promise<void>;
  log: Logger;
  /** PUBLIC_URL: the cookie is `Secure` when it is https. */
  publicUrl?: string;
  now?: () => Date;
}

/** Security headers of every console response. */
const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...HEADERS, 'content-type': 'application/json; charset=utf-8', ...extra });
  res.end(JSON.stringify(body));
}

function sendResult(res: ServerResponse, result: ApiResult): void {
  if ('csv' in result) {
    const name = result.filename.replace(/[^\w.-]/g, '_');
    res.writeHead(result.status ?? 200, { ...HEADERS, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });
    // A byte-order mark, so spreadsheet programs read the Vietnamese letters as UTF-8.
    res.end(`\uFEFF${result.csv}`);
    return;
  }
  sendJson(res, result.status ?? 200, result.json);
}

/** The value of one cookie in a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A path pattern (`/tickets/:id`) as a matcher giving its parameters. */
function compile(pattern: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const re = new RegExp(`^${source}$`);
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      try {
        params[name] = decodeURIComponent(m[i + 1]!);
      } catch {
        return undefined;
      }
    }
    return params;
  };
}

/**
 * Everything under `/admin`: the sign-in link (`/admin/login?token=`, used by the button of the page it opens), the JSON API (`/admin/api/…`: 401
 * without a live session, 403 for a state-changing call without the session's `X-CSRF-Token`, bodies checked
 * with each route's zod schema) and the pages (the sign-in page without a session). The staff member's role
 * is checked on every request, so a revoked member's sessions end at once.
 */
export function createAdminRoute(options: AdminRouteOptions): Route {
  const { sessions, ui, log } = options;
  const now = options.now ?? (() => new Date());
  const secure = options.publicUrl?.startsWith('https://') ?? false;
  const cookie = (value: string, maxAge: number) =>
    `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;

  const audit = (who: string, action: string, outcome: AuditEntry['outcome'], detail?: string) =>
    options.audit({ at: now().toISOString(), who, action, outcome, ...(detail ? { detail: detail.slice(0, 200) } : {}) }).catch((err: unknown) => {
      log.error({ err, action }, 'could not write the audit log');
    });

  const builtIn: ApiRoute[] = [
    { method: 'GET', path: '/session', handle: async () => ({ json: {} }) },
    { method: 'POST', path: '/logout', handle: async () => ({ json: { ok: true } }) },
  ];
  const routes = [...builtIn, ...options.api].map((route) => ({ route, match: compile(route.path) }));
  /** What the API offers (method and path), listed with the session for the pages and the tests. */
  const endpoints = routes.map(({ route }) => ({ method: route.method, path: route.path }));

  /** The signed-in user behind the request's cookie, with the raw session id; undefined without a live session. */
  async function signedIn(req: IncomingMessage): Promise<{ user: StaffUser; sessionId: string } | undefined> {
    const sessionId = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!sessionId) return undefined;
    const session = await sessions.get(sessionId, now());
    if (!session) return undefined;
    const role = await options.roleOf(session.staffId);
    if (role === 'citizen') {
      // The role was taken away: every session of that identity ends now.
      await sessions.endAll(session.staffId, now());
      log.warn({ who: session.staffId }, 'console session ended: the staff role was revoked');
      await audit(session.staffId, t.auditSessionRevoked, 'denied');
      return undefined;
    }
    return { user: { id: session.staffId, name: session.name, role }, sessionId };
  }

  /** Log and audit a refused sign-in link (never the token itself: only why), then show the sign-in page. */
  async function refuse(res: ServerResponse, reason: SignInRefusal, staffId: string | undefined): Promise<void> {
    log.warn({ reason, who: staffId }, 'console sign-in refused');
    await audit(staffId ?? t.unknownWho, t.auditSignIn, 'denied', t.signInRefusedDetail[reason]);
    return ui.signIn(res, 401, reason);
  }

  /**
   * `GET /admin/login?token=`: a page with a button, nothing used (a link preview or a scanner opening the link
   * spends nothing; without a token a signed-in user goes to the pages). `POST /admin/login` (the button, form field
   * `token`): uses the token, sets the cookie and sends to `/admin/`. The cookie is SameSite=Strict, so it must be set
   * by a same-site request: the press on the console's own page, not the other site's link that opened it.
   */
  async function login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET') {
      const token = url.searchParams.get('token') ?? '';
      if (token === '') {
        if (await signedIn(req)) {
          res.writeHead(303, { ...HEADERS, location: '/admin/' });
          res.end();
          return;
        }
        return ui.signIn(res, 401);
      }
      const checked = await sessions.check(token, now());
      if (!checked.ok) return refuse(res, checked.reason, checked.staffId);
      if (ui.confirmSignIn) return ui.confirmSignIn(res, token);
      return sendJson(res, 200, { message: t.confirmByPost });
    }
    if (req.method !== 'POST') return sendJson(res, 405, { error: t.methodNotAllowed }, { allow: 'GET, POST' });
    // A browser says where the form was: only the console's own page may use a link (no sign-in from another site).
    const site = headerValue(req, 'sec-fetch-site');
    if (site && site !== 'same-origin') {
      log.warn({ site }, 'console sign-in refused: posted from another site');
      await audit(t.unknownWho, t.auditSignIn, 'denied', t.signInRefusedDetail.crossSite);
      return ui.signIn(res, 403);
    }
    const text = await readBodyText(req, MAX_LOGIN_BODY_BYTES);
    const token = text === undefined ? '' : (new URLSearchParams(text).get('token') ?? '');
    const redeemed = await sessions.redeem(token, now());
    if (!redeemed.ok) return refuse(res, redeemed.reason, redeemed.staffId);
    const { session, sessionId } = redeemed;
    if ((await options.roleOf(session.staffId)) === 'citizen') {
      await sessions.end(sessionId);
      log.warn({ who: session.staffId }, 'console sign-in refused: no longer staff');
      await audit(session.staffId, t.auditSignIn, 'denied', t.signInRefusedDetail.revoked);
      return ui.signIn(res, 401, 'invalid');
    }
    log.info({ who: session.staffId }, 'console sign-in');
    await audit(session.staffId, t.auditSignIn, 'ok');
    res.writeHead(303, { ...HEADERS, location: '/admin/', 'set-cookie': cookie(sessionId, SESSION_MS / 1000) });
    res.end();
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const found = await signedIn(req);
    if (!found) return sendJson(res, 401, { error: t.signInRequired });
    const { user, sessionId } = found;
    const path = url.pathname.slice('/admin/api'.length) || '/';
    if (STATE_CHANGING.has(method) && !csrfMatches(sessionId, headerValue(req, 'x-csrf-token'))) {
      log.warn({ who: user.id, method, path }, 'console call refused: missing or wrong CSRF token');
      await audit(user.id, `${t.auditApi} ${method} ${path.slice(0, 100)}`, 'denied', t.csrfDetail);
      return sendJson(res, 403, { error: t.csrf });
    }
    const matches = routes.flatMap(({ route, match }) => {
      const params = match(path);
      return params ? [{ route, params }] : [];
    });
    if (matches.length === 0) return sendJson(res, 404, { error: t.notFound });
    const hit = matches.find((m) => m.route.method === method);
    if (!hit) return sendJson(res, 405, { error: t.methodNotAllowed }, { allow: [...new Set(matches.map((m) => m.route.method))].join(', ') });
    const { route, params } = hit;

    if (route.path === '/session' && builtIn.includes(route)) return sendJson(res, 200, { user, csrfToken: csrfTokenOf(sessionId), routes: endpoints });
    if (route.path === '/logout' && route.method === 'POST' && builtIn.includes(route)) {
      await sessions.end(sessionId);
      log.info({ who: user.id }, 'console sign-out');
      await audit(user.id, t.auditSignOut, 'ok');
      return sendJson(res, 200, { ok: true }, { 'set-cookie': cookie('', 0) });
    }

    let body: unknown;
    if (STATE_CHANGING.has(method)) {
      const text = await readBodyText(req, MAX_API_BODY_BYTES);
      if (text === undefined) return sendJson(res, 413, { error: t.tooLarge(Math.round(MAX_API_BODY_BYTES / 1024)) });
      if (text.trim() === '') body = {};
      else
        try {
          body = JSON.parse(text);
        } catch {
          return sendJson(res, 400, { error: t.notJson });
        }
    }
    if (route.body) {
      const parsed = route.body.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return sendJson(res, 400, { error: t.invalid(issue?.path.join('.') ?? '', issue?.message ?? '') });
      }
      body = parsed.data;
    }
    try {
      const result = await route.handle({ user, params, query: url.searchParams, body, now: now() });
      sendResult(res, result);
    } catch (err) {
      if (err instanceof ApiError) return sendJson(res, err.status, { error: err.message });
      log.error({ err, method, route: route.path }, 'console call failed');
      if (!res.headersSent) sendJson(res, 500, { error: t.internal });
      else res.destroy();
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path === '/admin/login') return login(req, res, url);
    if (path === '/admin/api' || path.startsWith('/admin/api/')) return api(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: t.methodNotAllowed }, { allow: 'GET' });
    const found = await signedIn(req);
    if (!found) return ui.signIn(res, 401);
    if (path === '/admin') {
      res.writeHead(303, { ...HEADERS, location: '/admin/' });
      res.end();
      return;
    }
    if (!(await ui.serve(req, res, url, found.user))) sendJson(res, 404, { error: t.notFound });
  }

  return async (req, res, url) => {
    if (url.pathname !== '/admin' && !url.pathname.startsWith('/admin/')) return false;
    try {
      await route(req, res, url);
    } catch (err) {
      // The store is down, or a page failed: said in Vietnamese, logged once, never with the query (it may hold a token).
      log.error({ err, path: url.pathname }, 'console request failed');
      if (!res.headersSent) sendJson(res, 503, { error: t.internal });
      else res.destroy();
    }
    return true;
  };
}

/** One request header as a single string (the first when repeated). */
function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
