import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteLease } from '../../src/store/lock.js';
import { conversationData, createPseudonyms, expirePersonalData, inboxData, pseudonymOf, ticketData } from '../../src/store/personal.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createTicketStore } from '../../src/store/tickets.js';
import { silentLogger } from '../helpers/logger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-personal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const log = silentLogger();
const DAY_MS = 86_400_000;

/** Every row of the SQLite state file, as text (what is really kept). */
async function rows(): Promise<string[]> {
  const adapter = await createSqliteAdapter(dir);
  const all = (await adapter.query('SELECT key, value FROM keyv')) as { key: string; value: string }[];
  await adapter.disconnect();
  return all.map((r) => `${r.key} ${r.value}`);
}

describe('pseudonyms', () => {
  it('are channel plus six base32 characters, stable across a restart, different per chat and per installation', async () => {
    const adapter = () => createSqliteAdapter(dir);
    const lease = await createSqliteLease(await adapter());
    const first = await createPseudonyms({ adapter, log, lease });
    const a = await first.of('telegram', '987654321');
    const b = await first.of('telegram', '987654322');
    const z = await first.of('zalo', '987654321');
    await first.close();
    expect(a).toMatch(/^telegram:[a-z2-7]{6}$/);
    expect(z).toMatch(/^zalo:[a-z2-7]{6}$/);
    expect(a).not.toContain('987654321');
    expect(new Set([a, b, z.replace('zalo', 'telegram')]).size).toBe(3);
    const again = await createPseudonyms({ adapter, log, lease });
    expect(await again.of('telegram', '987654321')).toBe(a);
    await again.close();
    const otherDir = await mkdtemp(join(tmpdir(), 'mattran-personal-'));
    const other = await createPseudonyms({ adapter: () => createSqliteAdapter(otherDir), log });
    expect(await other.of('telegram', '987654321')).not.toBe(a);
    await other.close();
    await rm(otherDir, { recursive: true, force: true });
  });

  it('are the HMAC-SHA256 of channel:chatId under the secret, in RFC 4648 base32', () => {
    // Expected values from Python: base64.b32encode(hmac.new(key, msg, hashlib.sha256).digest())[:6].lower()
    expect(pseudonymOf('k', 'telegram', '1')).toBe('telegram:blufdq');
    expect(pseudonymOf('secret', 'zalo', 'e4ea2cd5189df1c3a88c')).toBe('zalo:way2ei');
    expect(pseudonymOf('k2', 'telegram', '1')).not.toBe('telegram:blufdq');
  });
});

describe('retention', () => {
  it('erases recorded questions, 👍/👎 and closed tickets older than the cutoff and keeps recent ones and open tickets', async () => {
    const adapter = () => createSqliteAdapter(dir);
    const lease = await createSqliteLease(await adapter());
    const stores = await createStores({ adapter, log });
    const staff = await createStaffStore({ adapter, log });
    const tickets = await createTicketStore({ adapter, log, lease });
    const now = new Date('2026-12-07T03:30:00+07:00');
    const old = new Date(now.getTime() - 400 * DAY_MS);
    const recent = new Date(now.getTime() - 10 * DAY_MS);
    const ask = (chatId: string, question: string, at: Date) =>
      stores.recordUnanswered({ channel: 'telegram', chatId, question, confidence: 0.1, closest: [], at: at.toISOString() }, at);
    await ask('111', 'Câu hỏi cũ về lịch tiêm chủng năm ngoái?', old);
    await stores.recordFeedback({ channel: 'zalo', chatId: 'z1', question: 'Góp ý cũ về quỹ?', sourceIds: [], vote: 'down', at: old.toISOString() }, old);
    await ask('222', 'Câu hỏi mới về nhà Đại đoàn kết?', recent);
    await staff.inbox.append({
      at: old.toISOString(),
      channel: 'telegram',
      question: 'Câu hỏi cũ về lịch tiêm chủng năm ngoái?',
      reason: 'unanswered',
      asker: 'telegram:aaaaaa',
    });
    await staff.inbox.append({
      at: recent.toISOString(),
      channel: 'telegram',
      question: 'Câu hỏi mới về nhà Đại đoàn kết?',
      reason: 'unanswered',
      asker: 'telegram:bbbbbb',
    });
    const closed = await tickets.open({ channel: 'telegram', chatId: '333', at: old.toISOString(), wording: 'Phiếu cũ đã đóng?' }, () => undefined);
    await tickets.update(closed.ticket.number, (t) => ({
      ...t,
      status: 'closed',
      updatedAt: old.toISOString(),
      closed: { by: 'telegram:1', at: old.toISOString() },
    }));
    await tickets.open({ channel: 'telegram', chatId: '444', at: old.toISOString(), wording: 'Phiếu cũ còn mở?' }, () => undefined);

    const sources = [conversationData(stores), inboxData(staff), ticketData(tickets)];
    const erased = await expirePersonalData(sources, new Date(now.getTime() - 365 * DAY_MS));
    expect(erased).toEqual({ conversation: 2, inbox: 1, tickets: 1 });

    const kept = (await rows()).join('\n');
    expect(kept).not.toContain('Câu hỏi cũ về lịch tiêm chủng');
    expect(kept).not.toContain('Góp ý cũ về quỹ');
    expect(kept).not.toContain('Phiếu cũ đã đóng');
    expect(kept).toContain('Câu hỏi mới về nhà Đại đoàn kết');
    expect(kept).toContain('Phiếu cũ còn mở');
    expect((await staff.inbox.latest(10, now, 400)).map((e) => e.question)).toEqual(['Câu hỏi mới về nhà Đại đoàn kết?']);
    expect(await tickets.get(closed.ticket.number)).toBeUndefined();
    expect(await tickets.mine('telegram', '333')).toEqual([]);
    // A second run the same day finds nothing more.
    expect(await expirePersonalData(sources, new Date(now.getTime() - 365 * DAY_MS))).toEqual({ conversation: 0, inbox: 0, tickets: 0 });
    await Promise.all([stores.close(), staff.close(), tickets.close()]);
  });
});
