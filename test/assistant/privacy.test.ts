import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type Conversation } from '../../src/assistant/conversation.js';
import { createPrivacyFlow } from '../../src/assistant/privacy.js';
import { createStaffFlow } from '../../src/assistant/staff.js';
import { createTicketFlow } from '../../src/assistant/tickets.js';
import { messages, privacyText } from '../../src/copy/messages.js';
import type { ChannelId, InboundMessage, OutboundMessage } from '../../src/core/chat.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { createAnnouncementService } from '../../src/digest/announcements.js';
import { createBroadcaster } from '../../src/digest/broadcaster.js';
import { createTicketDelivery } from '../../src/digest/ticket-answers.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createBroadcastStore } from '../../src/store/broadcasts.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { broadcastData, conversationData, createPseudonyms, inboxData, subscriptionData, ticketData } from '../../src/store/personal.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createSubscriptionStore } from '../../src/store/subscriptions.js';
import { createTicketStore } from '../../src/store/tickets.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const { items } = await loadContent([join(ROOT, 'data')]);
const log = silentLogger();

/** The conversation with the staff, ticket and privacy flows over one SQLite state file, wired as the app does. */
async function instance(dir: string) {
  const index = ArticleIndex.create();
  for (const item of items) index.upsert(toSearchDoc(item));
  const adapter = () => createSqliteAdapter(dir);
  const lease = await createSqliteLease(await adapter());
  const stores = await createStores({ adapter, log });
  const staff = await createStaffStore({ adapter, log });
  const subscriptions = await createSubscriptionStore({ adapter, log, lease });
  const broadcasts = await createBroadcastStore({ adapter, log, lease });
  const tickets = await createTicketStore({ adapter, log, lease });
  const pseudonyms = await createPseudonyms({ adapter, log, lease });
  const channels = new Map();
  const broadcaster = createBroadcaster({ store: broadcasts, channels, log, pace: {} });
  const announcements = createAnnouncementService({ staff, index, subscriptions, broadcasts, broadcaster, channels, lease, instanceId: 'a', log });
  const delivery = createTicketDelivery({ tickets, broadcasts, broadcaster, channels, lease, instanceId: 'a', leaseTtlMs: 60_000, log });
  const staffFlow = createStaffFlow({ staff, admins: new Set(['telegram:1']), announcements, subscriptions, broadcasts, index, lexicon, pseudonyms, log });
  const ticketFlow = createTicketFlow({ tickets, delivery, staff, lexicon, roleOf: (msg) => staffFlow.roleOf(msg), log });
  const sources = [subscriptionData(subscriptions), conversationData(stores), inboxData(staff), broadcastData(broadcasts), ticketData(tickets)];
  const privacyFlow = createPrivacyFlow({ sources, pseudonyms, audit: (e) => staff.audit.append(e), retentionDays: 365, log });
  const conversation = createConversation({
    engine: createAnswerEngine({ index, lexicon }),
    index,
    lexicon,
    stores,
    tickets: ticketFlow,
    flows: [ticketFlow, staffFlow, privacyFlow],
    events: staffFlow,
    log,
  });
  return {
    conversation,
    staff,
    subscriptions,
    tickets,
    pseudonyms,
    close: async () => {
      announcements.stop();
      await Promise.all([stores.close(), staff.close(), subscriptions.close(), broadcasts.close(), tickets.close(), pseudonyms.close()]);
    },
  };
}

let dir: string;
let bot: Awaited<ReturnType<typeof instance>>;
let conversation: Conversation;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-privacy-'));
  bot = await instance(dir);
  conversation = bot.conversation;
});
afterEach(async () => {
  await bot.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every row of the SQLite state file as text: what is really kept. */
async function rows(): Promise<string> {
  const adapter = await createSqliteAdapter(dir);
  const all = (await adapter.query('SELECT key, value FROM keyv')) as { key: string; value: string }[];
  await adapter.disconnect();
  return all.map((r) => `${r.key} ${r.value}`).join('\n');
}

const from =
  (channel: ChannelId, chatId: string) =>
  (text: string, callbackData?: string): InboundMessage => ({ channel, chatId, userId: chatId, text, callbackData, receivedAt: new Date() });
const press = (send: (text: string, data?: string) => InboundMessage, reply: OutboundMessage, label: string) =>
  conversation.handle(send('', reply.buttons!.flat().find((b) => b.label.startsWith(label))!.data));
const ANNA = '70017001';
const anna = from('telegram', ANNA);
const BINH = 'z-20022002';
const binh = from('zalo', BINH);
const annaAsks = 'Lịch thi đấu bóng đá của đội tuyển tối nay thế nào?';
const binhAsks = 'Giá vàng miếng hôm nay bao nhiêu tiền một lượng?';

/** Wait until the staff inbox holds `n` entries (records for staff finish in the background). */
async function inboxHolds(n: number) {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if ((await bot.staff.inbox.latest(50, new Date())).length >= n) return;
  }
  throw new Error(`the inbox never held ${n} entries`);
}

describe('citizens’ data', () => {
  it('/dulieucuatoi lists what is kept; /xoadulieu, after the button, leaves nothing of the person in the store and keeps the counts', async () => {
    const now = new Date().toISOString();
    await bot.subscriptions.put({ channel: 'telegram', chatId: ANNA, topics: [], provinces: [], hour: 7, paused: false, createdAt: now, updatedAt: now });
    await bot.subscriptions.put({ channel: 'zalo', chatId: BINH, topics: [], provinces: [], hour: 7, paused: false, createdAt: now, updatedAt: now });
    const [notKnown] = await conversation.handle(anna(annaAsks));
    expect(notKnown!.text).toContain('#');
    const [answered] = await conversation.handle(anna('Quỹ Vì người nghèo là gì?'));
    expect(await press(anna, answered!, messages.feedbackDown.slice(0, 2))).toEqual([{ text: messages.feedbackThanks }]);
    await conversation.handle(binh(binhAsks));
    await inboxHolds(3);
    const before = await rows();
    for (const what of [ANNA, annaAsks, 'Quỹ Vì người nghèo là gì', BINH, binhAsks]) expect(before).toContain(what);

    const [summary] = await conversation.handle(anna('/dulieucuatoi'));
    for (const kind of ['subscription', 'unanswered', 'feedback', 'inbox', 'ticket', 'chat']) expect(summary!.text).toContain(privacyText.kinds[kind]);
    expect(summary!.text).toContain('/xoadulieu');
    expect(summary!.text).toContain('câu hỏi đã chuyển cán bộ sau khi được trả lời hoặc đóng, được giữ tối đa 365 ngày rồi tự xóa');

    const [ask] = await conversation.handle(anna('/xoadulieu'));
    expect(ask!.text).toBe(privacyText.confirm);
    const [done] = await press(anna, ask!, privacyText.buttonErase);
    expect(done!.text).toContain(privacyText.kinds.subscription);
    expect(done!.text).toContain(privacyText.kinds.ticket);

    const after = await rows();
    expect(after).not.toContain(ANNA);
    expect(after).not.toContain(annaAsks);
    expect(after).not.toContain('Quỹ Vì người nghèo là gì');
    // The other citizen's data is untouched; the day's counts stay.
    expect(after).toContain(BINH);
    expect(after).toContain(binhAsks);
    const day = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    expect((await bot.staff.counts(day)).asked).toBe(3);
    const [ticket] = await bot.tickets.all();
    expect(ticket!.forgottenAskers).toBe(1);

    const annaId = await bot.pseudonyms.of('telegram', ANNA);
    const [entry] = await bot.staff.audit.latest(1, new Date());
    expect(entry).toMatchObject({ who: annaId, action: privacyText.auditAction, outcome: 'ok' });
    expect(entry!.detail).toContain(annaId);
    expect(entry!.detail).not.toContain(annaAsks);

    expect((await conversation.handle(anna('/dulieucuatoi')))[0]!.text).toBe(privacyText.nothing);
  });

  it('on Zalo the confirmation is numbered: "1" erases, and staff see askers by pseudonym in /cauhoi phanhoi', async () => {
    await conversation.handle(binh(binhAsks));
    await inboxHolds(1);
    const binhId = await bot.pseudonyms.of('zalo', BINH);
    expect(binhId).toMatch(/^zalo:[a-z2-7]{6}$/);
    const [inbox] = await conversation.handle(from('telegram', '1')('/cauhoi phanhoi'));
    expect(inbox!.text).toContain(binhId);
    expect(inbox!.text).not.toContain(BINH);

    await conversation.handle(binh('/xoadulieu'));
    const [done] = await conversation.handle(binh('1'));
    expect(done!.text).toContain(privacyText.kinds.inbox);
    const after = await rows();
    expect(after).not.toContain(BINH);
    expect(after).not.toContain(binhAsks);
    expect(after).not.toContain(`"asker":"${binhId}"`);
  });

  it('"Không xóa" keeps everything', async () => {
    await conversation.handle(anna(annaAsks));
    const [ask] = await conversation.handle(anna('/xoadulieu'));
    expect(await press(anna, ask!, privacyText.buttonKeep)).toEqual([{ text: privacyText.kept }]);
    expect(await rows()).toContain(annaAsks);
  });

  it('replies the busy message when the store is unavailable', async () => {
    const down = {
      get: async () => Promise.reject(new StoreUnavailableError()),
      set: async () => Promise.reject(new StoreUnavailableError()),
      delete: async () => Promise.reject(new StoreUnavailableError()),
      clear: async () => undefined,
      on: () => down,
      opts: {},
      namespace: undefined as string | undefined,
    };
    const pseudonyms = await createPseudonyms({ adapter: () => down as never, log });
    const stores = await createStores({ adapter: () => down as never, log });
    const flow = createPrivacyFlow({ sources: [conversationData(stores)], pseudonyms, audit: async () => undefined, retentionDays: 365, log });
    const index = ArticleIndex.create();
    const offline = createConversation({ engine: createAnswerEngine({ index, lexicon }), index, lexicon, stores, flows: [flow], log });
    expect(await offline.handle(anna('/dulieucuatoi'))).toEqual([{ text: messages.storeUnavailable }]);
    expect(await offline.handle(anna('', 'priv:erase'))).toEqual([{ text: messages.storeUnavailable }]);
  });
});
