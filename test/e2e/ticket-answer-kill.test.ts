import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createTicketStore } from '../../src/store/tickets.js';
import { deliveryEnv, SENT, spawnBot, stopBot } from '../helpers/bot-process.js';
import { startFakeTelegram, waitFor } from '../helpers/fake-http.js';
import { silentLogger } from '../helpers/logger.js';
import { ticketAskedBy } from '../helpers/tickets.js';

const ASKERS = 60;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

describe('a ticket answer delivered by a process killed mid-way', () => {
  it('SIGKILL during delivery to many askers: after a restart every asker has it, at most the send in flight twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mattran-ticket-kill-'));
    const fake = await startFakeTelegram({ onSend: () => ({ delayMs: 5, body: SENT }) });
    try {
      // An answered ticket whose delivery has started, as the [Gửi] button leaves it.
      const dataDir = join(dir, 'data');
      const tickets = await createTicketStore({ adapter: () => createSqliteAdapter(dataDir), log: silentLogger() });
      const at = new Date().toISOString();
      const number = await ticketAskedBy(tickets, 7000, ASKERS, 'Hộ nghèo được hỗ trợ tiền điện thế nào?', at, 'Hỗ trợ tiền điện cho hộ nghèo');
      await tickets.update(number, (t) => ({
        ...t,
        status: 'answered',
        answer: {
          text: 'Hộ nghèo được hỗ trợ tiền điện hằng tháng; liên hệ UBND xã để làm hồ sơ.',
          by: 'telegram:1',
          at,
          reportTo: { channel: 'telegram', chatId: '1' },
        },
        delivery: { startedAt: at, delivered: [], waiting: [] },
      }));
      await tickets.close();

      const start = () => spawnBot({ DATA_DIR: dataDir, INSTANCE_ID: 'a', ...deliveryEnv('ticket-kill', fake.baseUrl) }, children);
      const answers = () => fake.sent().filter((c) => String(c.body.text).includes(`(mã #${number})`));
      const first = start();
      await waitFor(() => answers().length >= 10, 30_000);
      await stopBot(first, 'SIGKILL');
      const atKill = answers().length;
      expect(atKill).toBeLessThan(ASKERS);

      const second = start();
      await waitFor(() => fake.sent().some((c) => c.body.chat_id === '1' && String(c.body.text).includes(`Đã gửi câu trả lời #${number}`)), 40_000);
      const chats = answers().map((c) => String(c.body.chat_id));
      expect(new Set(chats).size).toBe(ASKERS);
      // BROADCAST_CONCURRENCY=1: one send can be in flight at the kill; it may repeat, nothing else.
      expect(chats.length - ASKERS).toBeLessThanOrEqual(1);
      const report = fake.sent().find((c) => c.body.chat_id === '1' && String(c.body.text).includes('Đã gửi câu trả lời'))!;
      expect(String(report.body.text)).toContain(`${ASKERS} người đã nhận`);
      await stopBot(second, 'SIGTERM');
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
