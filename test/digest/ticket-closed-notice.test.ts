import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createTicketDelivery } from '../../src/digest/ticket-answers.js';
import { createTelegramChannel } from '../../src/channels/telegram/channel.js';
import type { Channel, ChannelId } from '../../src/core/chat.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createTicketStore, type TicketStore } from '../../src/store/tickets.js';
import { deliveryEnv, SENT, spawnBot, stopBot } from '../helpers/bot-process.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { silentLogger } from '../helpers/logger.js';
import { ticketAskedBy } from '../helpers/tickets.js';

const ASKERS = 40;
const log = silentLogger();
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** A ticket closed by staff who pressed [Báo cho người hỏi], as the button leaves it: told, nobody told yet. */
async function closedAndTold(tickets: TicketStore, firstChat: number): Promise<number> {
  const at = new Date().toISOString();
  const number = await ticketAskedBy(tickets, firstChat, ASKERS, 'Quảng cáo bán hàng online giá rẻ?', at, 'Quảng cáo bán hàng');
  await tickets.update(number, (t) => ({
    ...t,
    status: 'closed',
    updatedAt: at,
    closed: { by: 'telegram:1', at, reason: 'không thuộc phạm vi Mặt trận', told: true },
  }));
  return number;
}

describe('[Báo cho người hỏi]: the closing notice goes through the broadcaster and is resumed after a crash', () => {
  it('SIGKILL while telling the askers: after a restart every asker is told, at most the send in flight twice, and never again after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-ticket-closed-kill-'));
    const fake = await startFakeTelegram({ onSend: () => ({ delayMs: 5, body: SENT }) });
    try {
      const dataDir = join(dir, 'data');
      const setup = await createTicketStore({ adapter: () => createSqliteAdapter(dataDir), log });
      const n = await closedAndTold(setup, 8000);
      await setup.close();

      const start = () => spawnBot({ DATA_DIR: dataDir, INSTANCE_ID: 'a', ...deliveryEnv('ticket-closed', fake.baseUrl) }, children);
      const notices = () =>
        fake.sent().filter((c) => String(c.body.text).includes(`(mã #${n})`) && String(c.body.text).includes('đã được cán bộ Mặt trận đóng'));
      // Nobody pressed anything in this process: the notice starts from the store at start.
      const first = start();
      await waitFor(() => notices().length >= 10, 30_000);
      await stopBot(first, 'SIGKILL');
      const atKill = notices().length;
      expect(atKill).toBeLessThan(ASKERS);

      const second = start();
      await waitFor(() => new Set(notices().map((c) => c.body.chat_id)).size === ASKERS, 40_000);
      // Once everyone was told, the ticket says so and later sweeps (every LEASE_TTL/2 = 1 s) send nothing more.
      const reader = await createTicketStore({ adapter: () => createSqliteAdapter(dataDir), log });
      for (const deadline = Date.now() + 10_000; !(await reader.get(n))?.closed?.toldAt; ) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 50));
      }
      await reader.close();
      const settled = notices().length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(notices().length).toBe(settled);
      const chats = notices().map((c) => String(c.body.chat_id));
      expect(new Set(chats).size).toBe(ASKERS);
      // BROADCAST_CONCURRENCY=1: one send can be in flight at the kill; it may repeat, nothing else.
      expect(chats.length - ASKERS).toBeLessThanOrEqual(1);
      expect(String(notices().find((c) => c.body.chat_id === '8000')!.body.text)).toContain('không thuộc phạm vi Mặt trận');
      await stopBot(second, 'SIGTERM');
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('in one process: a notice cut short resumes from its journal on the sweep, each asker told exactly once, an erased asker skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-ticket-closed-'));
    const fake = await startFakeTelegram({ onSend: () => ({ delayMs: 2, body: SENT }) });
    const adapter = () => createSqliteAdapter(dir);
    const tickets = await createTicketStore({ adapter, log });
    const broadcasts = await createBroadcastStore({ adapter, log });
    const lease = await createSqliteLease(await adapter());
    const channels = new Map<ChannelId, Channel>([['telegram', createTelegramChannel({ token: '123456:TEST-token-not-real', apiRoot: fake.baseUrl, log })]]);
    const pace = { telegram: { ratePerSecond: 200, concurrency: 1, perChatGapMs: 0 } };
    const instance = () => {
      const broadcaster = createBroadcaster({ store: broadcasts, channels, log, pace });
      return { broadcaster, delivery: createTicketDelivery({ tickets, broadcasts, broadcaster, channels, lease, instanceId: 'a', log }) };
    };
    try {
      const n = await closedAndTold(tickets, 9000);
      const notices = () => fake.sent().filter((c) => String(c.body.text).includes(`(mã #${n})`));
      const first = instance();
      void first.delivery.tellClosed(n);
      await waitFor(() => notices().length >= 10, 10_000);
      // "Crash": the first broadcaster stops taking work; its journal is what a stopped process leaves.
      await first.broadcaster.stop();
      // The journal entry of the last send is written just after it returns.
      await new Promise((r) => setTimeout(r, 100));
      const atStop = new Set(notices().map((c) => c.body.chat_id));
      expect(atStop.size).toBeLessThan(ASKERS);
      // An asker not told yet erases their data meanwhile: the resumed notice skips them.
      const erased = Array.from({ length: ASKERS }, (_, i) => String(9000 + i)).find((c) => !atStop.has(c))!;
      await tickets.forgetAsker('telegram', erased);

      const second = instance();
      await second.delivery.sweep();
      const chats = notices().map((c) => String(c.body.chat_id));
      expect(new Set(chats).size).toBe(ASKERS - 1);
      expect(chats).not.toContain(erased);
      // Concurrency 1 and a stop that waits for the send in flight: exactly once each.
      expect(chats).toHaveLength(ASKERS - 1);
      expect((await tickets.get(n))?.closed?.toldAt).toBeDefined();
      await second.delivery.sweep();
      await second.delivery.tellClosed(n);
      expect(notices()).toHaveLength(ASKERS - 1);
    } finally {
      await Promise.all([tickets.close(), broadcasts.close()]);
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
