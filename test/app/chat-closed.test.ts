import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/app.js';
import { startFakeTelegram, textUpdate, waitFor } from '../helpers/fake-http.js';
import { capturingLogger } from '../helpers/logger.js';
import { appConfig, tempDirEachTest } from '../helpers/app.js';

const TOKEN = '123456:TEST-chat-closed';

const scratch = tempDirEachTest('mattran-closed-');
const { cleanups } = scratch;

/** A Telegram `my_chat_member` update: the bot's status in `chat` changed from member to `status`. */
function member(updateId: number, chat: { id: number; type: string }, status: string) {
  return {
    update_id: updateId,
    my_chat_member: {
      chat,
      from: { id: chat.id, is_bot: false, first_name: 'Lan' },
      date: Math.floor(Date.now() / 1000),
      old_chat_member: { user: { id: 1, is_bot: true, first_name: 'MTTQ' }, status: 'member' },
      new_chat_member: { user: { id: 1, is_bot: true, first_name: 'MTTQ' }, status, ...(status === 'kicked' ? { until_date: 0 } : {}) },
    },
  };
}

describe('a chat closed to the bot outside a send', () => {
  it('marks a subscriber who blocks the bot (my_chat_member "kicked") inactive at once, as a 403 on a send would', async () => {
    const fake = await startFakeTelegram();
    cleanups.push(fake.close);
    const { log, lines } = capturingLogger('info');
    const bot = createApp(appConfig(scratch.dir, 'closed-test', { LOG_LEVEL: 'info', TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.baseUrl }), { log });
    cleanups.push(() => bot.stop());
    const { url } = await bot.start();
    fake.push(textUpdate(1, '/dangky', 4242));
    await waitFor(() => lines.some((l) => l.msg === 'subscribed' && l.chatId === '4242') && fake.sent().some((c) => String(c.body.chat_id) === '4242'), 10_000);
    const sentBefore = fake.sent().length;
    // A group that removed the bot, a user who unblocked it, a user who is not subscribed, then the subscriber.
    fake.push(
      member(2, { id: -100777, type: 'supergroup' }, 'kicked'),
      member(3, { id: 6161, type: 'private' }, 'member'),
      member(4, { id: 5353, type: 'private' }, 'kicked'),
      member(5, { id: 4242, type: 'private' }, 'kicked'),
    );
    // Chats are handled in parallel: wait for both blocked users' lines.
    await waitFor(
      () =>
        lines.some((l) => l.msg === 'subscriber marked inactive' && l.chatId === '4242') && lines.filter((l) => l.msg === 'user blocked the bot').length === 2,
      10_000,
    );
    expect(
      lines
        .filter((l) => l.msg === 'user blocked the bot')
        .map((l) => l.chatId)
        .sort(),
    ).toEqual(['4242', '5353']);
    expect(lines.filter((l) => l.msg === 'subscriber marked inactive')).toMatchObject([{ channel: 'telegram', chatId: '4242', reason: 'blocked' }]);
    expect(await (await fetch(new URL('/metrics', url))).text()).toMatch(/^mattran_blocked_subscribers_total\{channel="telegram"\} 1$/m);
    expect(fake.sent()).toHaveLength(sentBefore);
  });
});
