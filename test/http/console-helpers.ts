import { join } from 'node:path';
import { expect } from 'vitest';
import { type Config, loadConfig } from '../../src/config.js';
import { type startFakeTelegram, textUpdate, waitFor } from '../helpers/fake-http.js';
import { ROOT } from '../helpers/shared.js';

type FakeTelegram = Awaited<ReturnType<typeof startFakeTelegram>>;

/** Telegram user ids of the people in the console tests: an admin (ADMIN_IDS), a staff member, a citizen. */
export const ADMIN = 500;
export const STAFF = 600;
export const CITIZEN = 700;

let updateId = 1;

/** Send `text` from a private chat and resolve with the first reply to that chat after it. */
export async function say(fake: FakeTelegram, chatId: number, text: string, timeoutMs = 15_000): Promise<string> {
  const before = fake.sent().length;
  fake.push(textUpdate(updateId++, text, chatId));
  await waitFor(
    () =>
      fake
        .sent()
        .slice(before)
        .some((c) => String(c.body.chat_id) === String(chatId)),
    timeoutMs,
  );
  return fake
    .sent()
    .slice(before)
    .filter((c) => String(c.body.chat_id) === String(chatId))
    .map((c) => String(c.body.text))
    .join('\n');
}

/** Send `text` from `userId` in a group chat and resolve with the reply to the group. */
export async function sayInGroup(fake: FakeTelegram, groupId: number, userId: number, text: string): Promise<string> {
  const before = fake.sent().length;
  const id = updateId++;
  fake.push({
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: groupId, type: 'group', title: 'Cán bộ' },
      from: { id: userId, is_bot: false, first_name: 'Hà' },
      text,
    },
  });
  await waitFor(
    () =>
      fake
        .sent()
        .slice(before)
        .some((c) => String(c.body.chat_id) === String(groupId)),
    15_000,
  );
  return fake
    .sent()
    .slice(before)
    .filter((c) => String(c.body.chat_id) === String(groupId))
    .map((c) => String(c.body.text))
    .join('\n');
}

/** The sign-in link in a /dangnhap reply (Telegram HTML escapes & as &amp;, not used in the link). */
export function linkIn(reply: string): string {
  const m = /(https?:\/\/\S+\/admin\/login\?token=[A-Za-z0-9_-]+)/.exec(reply);
  expect(m, `no sign-in link in: ${reply}`).not.toBeNull();
  return m![1]!;
}

/**
 * Open a sign-in link as a person does: GET shows the confirmation page (a refused link: the sign-in page, returned
 * as is), then its button POSTs the token. The session cookie's `name=value` and the whole Set-Cookie header.
 */
export async function openLink(link: string, base?: string): Promise<{ status: number; cookie?: string; setCookie?: string; location?: string; body: string }> {
  const url = base ? new URL(new URL(link).pathname + new URL(link).search, base) : new URL(link);
  const page = await fetch(url, { redirect: 'manual' });
  const form = await page.text();
  if (page.status !== 200) return { status: page.status, body: form };
  const token = /name="token" value="([^"]*)"/.exec(form)?.[1] ?? '';
  const res = await fetch(new URL('/admin/login', url), { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
  const setCookie = res.headers.get('set-cookie') ?? undefined;
  return {
    status: res.status,
    ...(setCookie ? { setCookie, cookie: setCookie.split(';')[0] } : {}),
    ...(res.headers.get('location') ? { location: res.headers.get('location')! } : {}),
    body: await res.text(),
  };
}

/** Call the console's API. */
export async function call(
  base: string,
  method: string,
  path: string,
  options: { cookie?: string; csrf?: string; body?: unknown; raw?: string } = {},
): Promise<{ status: number; json: Record<string, unknown>; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf !== undefined) headers['x-csrf-token'] = options.csrf;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(new URL(`/admin/api${path}`, base), {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD'
      ? {}
      : options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // CSV or an HTML page.
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** A concrete path for a route pattern (`/tickets/:id` → `/tickets/1`). */
export const concrete = (path: string) => path.replace(/:[a-z]+/gi, '1');

/**
 * The config of a console test's app: HTTP on 127.0.0.1 (any port), state in `dir`, the bundled articles, ADMIN as
 * the admin; Telegram at `telegram` (a fake's base URL) when given; `extra` settings last.
 */
export function consoleConfig(dir: string, instance: string, telegram?: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    CONTENT_DIR: join(ROOT, 'data'),
    INSTANCE_ID: instance,
    ADMIN_IDS: `telegram:${ADMIN}`,
    ...(telegram ? { TELEGRAM_BOT_TOKEN: `123456:TEST-${instance}`, TELEGRAM_API_ROOT: telegram } : {}),
    ...extra,
  });
}

/** Sign `userId` in as staff do: /dangnhap in a private chat, open the link; the session cookie and its CSRF token. */
export async function signIn(fake: FakeTelegram, base: string, userId: number): Promise<{ cookie: string; csrf: string }> {
  const cookie = (await openLink(linkIn(await say(fake, userId, '/dangnhap')))).cookie!;
  const csrf = (await call(base, 'GET', '/session', { cookie })).json.csrfToken as string;
  return { cookie, csrf };
}
