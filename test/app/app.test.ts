import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/app.js';
import { ChannelStartError } from '../../src/app/channels.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { startFakeApi, startFakeTelegram, textUpdate, waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { appConfig, tempDirEachTest } from '../helpers/app.js';

const QUESTION = 'Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?';
const ANSWER = 'Phạm Thị Hân';
const TOKEN = '123456:TEST-app';

const scratch = tempDirEachTest('mattran-app-');
const { cleanups } = scratch;

/** The configuration of one instance on the bundled data, its state in the test's directory. */
function config(env: Record<string, string> = {}) {
  return appConfig(scratch.dir, 'app-test', { LOG_LEVEL: 'info', ...env });
}

function app(env: Record<string, string>, onFatal?: (err: Error) => void): App & { lines: Record<string, unknown>[] } {
  const { log, lines } = capturingLogger('info');
  const created = createApp(config(env), { log, onFatal });
  cleanups.push(() => created.stop());
  return Object.assign(created, { lines });
}

async function ask(url: string, text: string): Promise<string> {
  const res = await fetch(new URL('/api/chat', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: 'app-test', text }),
  });
  const { replies } = (await res.json()) as { replies: { text: string }[] };
  return replies.map((r) => r.text).join('\n');
}

/** The error a connection to `url` fails with, or undefined when it connects. */
async function connectionError(url: string): Promise<string | undefined> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return undefined;
  } catch (err) {
    return ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? (err as Error).message;
  }
}

describe('createApp', () => {
  it('answers over the web chat and Telegram, then stops: port closed, polling over, lease given up', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const bot = app({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.baseUrl });
    const { url } = await bot.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(bot.lines.some((l) => String(l.msg).startsWith('web chat ready') && l.url === url)).toBe(true);
    expect(bot.lines.some((l) => l.msg === 'this instance polls')).toBe(true);

    expect(await ask(url, QUESTION)).toContain(ANSWER);
    fake.push(textUpdate(1, QUESTION));
    await waitFor(() => fake.sent().some((c) => String(c.body.text).includes(ANSWER)), 10_000);
    const ready = await fetch(new URL('/readyz', url));
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, unknown> }).checks).toEqual({ index: true, store: true, telegram: true });
    expect(await (await fetch(new URL('/metrics', url))).text()).toMatch(/^mattran_messages_in_total\{channel="telegram"\} 1$/m);

    await bot.stop();
    expect(await connectionError(url)).toBe('ECONNREFUSED');
    const polls = fake.calls.filter((c) => c.api === 'getUpdates').length;
    await new Promise((r) => setTimeout(r, 800));
    expect(fake.calls.filter((c) => c.api === 'getUpdates')).toHaveLength(polls);
    // Another instance may poll at once: the lease was given up, not left to run out.
    const adapter = await createSqliteAdapter(scratch.dir);
    try {
      expect(await (await createSqliteLease(adapter)).acquire('poll:telegram', 'another', 60_000)).toBe(true);
    } finally {
      await adapter.disconnect();
    }
  });

  it('leaves nothing that keeps the process alive: no server, socket or referenced timer', async () => {
    const count = () => {
      const counts: Record<string, number> = {};
      for (const k of process.getActiveResourcesInfo()) counts[k] = (counts[k] ?? 0) + 1;
      return counts;
    };
    const grown = (before: Record<string, number>) =>
      Object.entries(count())
        .filter(([k, n]) => n > (before[k] ?? 0))
        .map(([k]) => k);
    const before = count();
    const bot = app({});
    const { url } = await bot.start();
    expect(await ask(url, QUESTION)).toContain(ANSWER);
    expect(grown(before)).toContain('TCPServerWrap');
    await bot.stop();
    // Resources of the test runner's own come and go; none of the app's may stay.
    await waitFor(() => grown(before).length === 0, 3000).catch(() => undefined);
    expect(grown(before)).toEqual([]);
  });

  it('starts once and stops once however often it is asked; a stopped app does not start again', async () => {
    const bot = app({});
    const first = bot.start();
    expect(bot.start()).toBe(first);
    const { url } = await first;
    expect((await bot.start()).url).toBe(url);
    await Promise.all([bot.stop(), bot.stop()]);
    await bot.stop();
    expect(await connectionError(url)).toBe('ECONNREFUSED');
    await expect(bot.start()).rejects.toThrow(/stopped/);
  });

  it('rejects start when a channel cannot start, and closes what it opened', async () => {
    const fake = await startFakeApi((call) =>
      call.api === 'getMe' ? { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } } : { body: { ok: true, result: true } },
    );
    cleanups.push(fake.close);
    const bot = app({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.baseUrl });
    const failed = await bot.start().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(ChannelStartError);
    expect((failed as ChannelStartError).channel).toBe('telegram');
    const url = String(bot.lines.find((l) => String(l.msg).startsWith('web chat ready'))?.url);
    expect(await connectionError(url)).toBe('ECONNREFUSED');
    expect(bot.lines.some((l) => l.msg === 'telegram channel could not start' && l.level === 60)).toBe(true);
    await bot.stop();
  });

  /** A fake Telegram API whose getUpdates answers 409 (another poller) once `conflict` is set. */
  async function conflictingTelegram() {
    const state = { conflict: false };
    const fake = await startFakeApi(async (call) => {
      if (call.api === 'getMe') return { body: { ok: true, result: { id: 1, is_bot: true, first_name: 'MTTQ', username: 'mttq_test_bot' } } };
      if (call.api !== 'getUpdates') return { body: { ok: true, result: true } };
      if (state.conflict) return { status: 409, body: { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request' } };
      await new Promise((r) => setTimeout(r, 100));
      return { body: { ok: true, result: [] } };
    });
    cleanups.push(fake.close);
    return Object.assign(fake, { state });
  }

  it('reports a channel that cannot go on after start to onFatal (here: another poller, 409)', async () => {
    const fake = await conflictingTelegram();
    const fatal: Error[] = [];
    const bot = app({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.baseUrl }, (err) => void fatal.push(err));
    const { url } = await bot.start();
    fake.state.conflict = true;
    await waitFor(() => fatal.length > 0, 5000);
    expect(fatal[0]).toMatchObject({ code: 409 });
    // The caller decides: the app goes on serving until it is told to stop.
    expect(await ask(url, QUESTION)).toContain(ANSWER);
    await bot.stop();
  });

  it('stops itself when a channel cannot go on and no onFatal was given', async () => {
    const fake = await conflictingTelegram();
    const bot = app({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.baseUrl });
    const { url } = await bot.start();
    fake.state.conflict = true;
    await waitFor(() => bot.lines.some((l) => l.msg === 'a channel cannot go on: stopping'), 5000);
    await bot.stop();
    expect(await connectionError(url)).toBe('ECONNREFUSED');
  });
});
