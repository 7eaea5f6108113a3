import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './shared.js';

/** What a fake Telegram answers to a send: the message was sent. */
export const SENT = { ok: true, result: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } };

/**
 * Run the bot (`src/main.ts` through tsx) in a child process whose environment is PATH, PORT=0 and `env`; stderr
 * piped, stdout ignored unless `stdout` is 'pipe'. The child is pushed to `children`, for the file's afterAll to kill.
 */
export function spawnBot(env: Record<string, string>, children: ChildProcess[], stdout: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', stdout, 'pipe'],
    env: { PATH: process.env.PATH, PORT: '0', ...env },
  });
  children.push(child);
  return child;
}

/**
 * Settings of a bot that delivers to many chats and is killed on the way: Telegram at `api` with a webhook (no
 * polling), a 2 s lease, 10 sends a second one at a time (so at most one send is in flight at a kill), JSON warnings.
 */
export function deliveryEnv(name: string, api: string): Record<string, string> {
  return {
    LEASE_TTL_SECONDS: '2',
    TELEGRAM_BOT_TOKEN: `123456:TEST-${name}`,
    TELEGRAM_API_ROOT: api,
    PUBLIC_URL: 'https://bot.example.vn',
    WEBHOOK_SECRET: `${name}-secret-0123456789`,
    TELEGRAM_SEND_RATE: '10',
    BROADCAST_CONCURRENCY: '1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  };
}

/** Send `signal` to `child` and resolve once it has exited. */
export async function stopBot(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
