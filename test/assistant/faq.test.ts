/**
 * Curated answers through the chat: "Gửi và lưu thành hỏi đáp" makes an entry of a ticket (its askers' wordings,
 * each erased with its asker's data), a paraphrase gets it, /hoidap manages entries, the services refuse bad input
 * in Vietnamese, and staff see askers by pseudonym only. Real SQLite, the bundled content and decision model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnswerEngine, loadDecisionModel } from '../../src/answer/index.js';
import { createConversation, type Conversation } from '../../src/assistant/conversation.js';
import { createFaqFlow, createFaqService, type FaqService } from '../../src/assistant/faq.js';
import { createTicketFlow, createTicketService, type TicketService } from '../../src/assistant/tickets.js';
import { faqText, ticketText } from '../../src/copy/messages.js';
import type { InboundMessage } from '../../src/core/chat.js';
import type { TicketDelivery } from '../../src/digest/ticket-answers.js';
import type { ArticleIndex } from '../../src/search/article-index.js';
import { loadIndex } from '../../src/search/build.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createIndexSync } from '../../src/search/sync.js';
import { createChangeLog } from '../../src/store/changes.js';
import { createFaqStore, faqData, type FaqStore } from '../../src/store/faq.js';
import { createSqliteLease } from '../../src/store/lock.js';
import { createPseudonyms, type PersonalDataSource } from '../../src/store/personal.js';
import { createSqliteAdapter } from '../../src/store/sqlite.js';
import { createStaffStore, type StaffStore } from '../../src/store/staff.js';
import { createStores } from '../../src/store/stores.js';
import { createTicketStore, type TicketStore } from '../../src/store/tickets.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const log = silentLogger();
const NOW = new Date('2026-12-07T03:00:00Z');
const STAFF = 'telegram:1';
let dir: string;
let index: ArticleIndex;
let tickets: TicketStore;
let faqStore: FaqStore;
let staff: StaffStore;
let faq: FaqService;
let ticketService: TicketService;
let conversation: Conversation;
let personal: PersonalDataSource;
const closers: (() => Promise<void>)[] = [];
const started: string[] = [];

const message = (channel: 'telegram' | 'zalo', chatId: string, text: string, callbackData?: string): InboundMessage => ({
  channel,
  chatId,
  userId: chatId,
  text,
  receivedAt: NOW,
  ...(callbackData ? { callbackData } : {}),
});
const say = async (channel: 'telegram' | 'zalo', chatId: string, text: string) =>
  (await conversation.handle(message(channel, chatId, text))).map((r) => r.text);
const press = async (chatId: string, data: string) => (await conversation.handle(message('telegram', chatId, '', data))).map((r) => r.text);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mattran-faq-chat-'));
  const adapter = () => createSqliteAdapter(dir);
  const lease = await createSqliteLease(await adapter());
  staff = await createStaffStore({ adapter, log });
  tickets = await createTicketStore({ adapter, log, lease });
  faqStore = await createFaqStore({ adapter, log, lease });
  const changes = await createChangeLog({ adapter, log, lease });
  const pseudonyms = await createPseudonyms({ adapter, log, lease });
  closers.push(
    () => staff.close(),
    () => tickets.close(),
    () => faqStore.close(),
    () => changes.close(),
    () => pseudonyms.close(),
  );
  ({ index } = await loadIndex({ paths: [join(ROOT, 'data')], log }));
  const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
  const engine = createAnswerEngine({ index, lexicon, model: loadDecisionModel(join(ROOT, 'data', 'models', 'decision.json')), now: () => NOW });
  const sync = await createIndexSync({ index, changes, log });
  faq = createFaqService({ faq: faqStore, staff, publisher: sync.publisher, engine, pseudonyms, log, now: () => NOW });
  personal = faqData(faqStore, (entries) => faq.reindex(entries));
  const delivery = { start: (n: number) => void started.push(String(n)), tellClosed: async () => undefined } as unknown as TicketDelivery;
  ticketService = createTicketService({ tickets, delivery, staff, faq, pseudonyms, log });
  const roleOf = async (msg: InboundMessage) => (`${msg.channel}:${msg.userId}` === STAFF ? 'admin' : 'citizen') as 'admin' | 'citizen';
  const ticketFlow = createTicketFlow({ tickets, delivery, staff, lexicon, roleOf, log, service: ticketService });
  const faqFlow = createFaqFlow({ service: faq, staff, roleOf, log });
  conversation = createConversation({
    engine,
    index,
    lexicon,
    stores: await createStores({ log }),
    flows: [ticketFlow, faqFlow],
    tickets: ticketFlow,
    log,
    now: () => NOW,
  });
});

afterAll(async () => {
  await Promise.allSettled(closers.map((c) => c()));
  await rm(dir, { recursive: true, force: true });
});

describe('curated answers in the chat', () => {
  const FIRST = 'Nhà văn hóa thôn được hỗ trợ bao nhiêu tiền để sửa chữa?';
  const SECOND = 'nha van hoa thon sua chua duoc ho tro bao nhieu tien';
  const ANSWER = 'Mỗi nhà văn hóa thôn được hỗ trợ tối đa 50 triệu đồng từ Quỹ Vì người nghèo của xã.';
  const STAFF_QUESTION = 'Nhà văn hóa thôn được hỗ trợ bao nhiêu tiền sửa chữa?';

  it('"Gửi và lưu thành hỏi đáp" makes an entry of the ticket: the question staff approved, the askers’ wordings, the staff answer, the ticket number', async () => {
    const at = NOW.toISOString();
    const { ticket } = await tickets.open({ channel: 'telegram', chatId: '100', at, wording: FIRST }, () => undefined);
    await tickets.open({ channel: 'zalo', chatId: '200', at, wording: SECOND }, () => ticket.number);
    // Staff see askers by pseudonym, never by chat id.
    const shown = await ticketService.getTicket(ticket.number);
    expect(shown?.askers.map((a) => a.who)).toEqual([expect.stringMatching(/^telegram:[a-z2-7]{6}$/), expect.stringMatching(/^zalo:[a-z2-7]{6}$/)]);
    expect(JSON.stringify(await ticketService.openTickets())).not.toMatch(/telegram:100|zalo:200/);

    // The preview says which question the entry would get: the first wording, unless staff write their own.
    const plain = (await say('telegram', '1', `/traloi ${ticket.number} ${ANSWER}`)).join('\n');
    expect(plain).toContain(ANSWER);
    expect(plain).toContain(ticketText.previewFaqQuestion(FIRST));
    const edited = (await say('telegram', '1', `/traloi ${ticket.number} hỏi: ${STAFF_QUESTION}\n${ANSWER}`)).join('\n');
    expect(edited).toContain(ticketText.previewFaqQuestion(STAFF_QUESTION));
    // The "Hỏi:" line is not part of the answer the askers get.
    expect(edited).not.toContain(`hỏi: ${STAFF_QUESTION}`);
    const sent = await press('1', 'tk:save');
    expect(sent.join('\n')).toContain('Đã lưu thành hỏi đáp mục số 1');
    expect(sent.join('\n')).not.toContain('sẽ được tạo');
    expect(started).toEqual([String(ticket.number)]);
    const entry = await faq.get(1);
    // The question is staff wording; each asker's own wording is an alternate that goes with their data.
    expect(entry).toMatchObject({
      question: STAFF_QUESTION,
      alternates: [FIRST, SECOND],
      answer: ANSWER,
      fromTicket: ticket.number,
      author: STAFF,
      questionFromCitizen: false,
    });
    expect(entry?.wordings.map((w) => w.from)).toEqual([expect.stringMatching(/^telegram:[a-z2-7]{6}$/), expect.stringMatching(/^zalo:[a-z2-7]{6}$/)]);
    expect((await ticketService.getTicket(ticket.number))?.answer?.text).toBe(ANSWER);
    expect((await ticketService.getTicket(ticket.number))?.faqId).toBe(1);
  });

  it('a third citizen asking a paraphrase gets the curated answer', async () => {
    const reply = await say('telegram', '300', 'nhà văn hoá thôn sửa chữa được hỗ trợ bao nhiêu tiền');
    expect(reply[0]).toBe(`Mặt trận trả lời (cập nhật 07/12/2026): ${ANSWER}`);
  });

  it('/hoidap lists, adds, adds a wording, edits and withdraws (with a confirmation); citizens are refused', async () => {
    expect((await say('telegram', '300', '/hoidap')).join('\n')).toContain('chỉ dành cho cán bộ');
    expect((await say('telegram', '1', '/hoidap')).join('\n')).toMatch(/#1 \(07\/12\/2026\) Nhà văn hóa thôn .* — 3 cách hỏi/);
    expect(await say('telegram', '1', '/hoidap them Ngày hội Đại đoàn kết năm nay tổ chức khi nào? | Ngày 18 tháng 11 hằng năm.')).toEqual([
      'Đã thêm hỏi đáp #2; bot trả lời bằng mục này ngay từ bây giờ.',
    ]);
    expect((await say('telegram', '1', '/hoidap them Ngày hội đại đoàn kết năm nay tổ chức khi nào | Trùng')).join('\n')).toContain('Đã có hỏi đáp #2');
    expect((await say('telegram', '1', '/hoidap them chỉ có câu hỏi')).join('\n')).toContain('/hoidap them <câu hỏi> | <câu trả lời>');
    expect(await say('telegram', '1', '/hoidap cách hỏi 2 ngày hội đại đoàn kết là ngày nào')).toEqual(['Đã thêm cách hỏi cho hỏi đáp #2 (1 cách hỏi khác).']);
    expect(await say('telegram', '1', '/hoidap sua 2 | Ngày 18/11, ngày thành lập Mặt trận.')).toEqual([
      'Đã sửa hỏi đáp #2; bot trả lời theo nội dung mới ngay từ bây giờ.',
    ]);
    expect((await say('zalo', '400', 'ngay hoi dai doan ket la ngay nao'))[0]).toBe(
      'Mặt trận trả lời (cập nhật 07/12/2026): Ngày 18/11, ngày thành lập Mặt trận.',
    );
    const shown = (await say('telegram', '1', '/hoidap 2')).join('\n');
    expect(shown).toContain('Cách hỏi khác:\n• ngày hội đại đoàn kết là ngày nào');
    const trial = (await say('telegram', '1', '/hoidap thu ngày hội đại đoàn kết là ngày nào')).join('\n');
    expect(trial).toContain('Nguồn: hỏi đáp #2');
    expect(trial).toMatch(/xác suất trả lời đúng \d+% \(ngưỡng \d+%\)/);
    const ask = await conversation.handle(message('telegram', '1', '/hoidap xoa 2'));
    expect(ask[0]?.buttons?.flat().map((b) => b.data)).toEqual(['hd:xoa:2', 'hd:giu']);
    expect(await press('1', 'hd:giu')).toEqual(['Đã hủy, mục hỏi đáp được giữ nguyên.']);
    expect(await press('300', 'hd:xoa:2')).toEqual([expect.stringContaining('chỉ dành cho cán bộ')]);
    expect(await press('1', 'hd:xoa:2')).toEqual(['Đã gỡ hỏi đáp #2; bot không trả lời bằng mục này nữa.']);
    expect((await say('zalo', '400', 'ngay hoi dai doan ket la ngay nao'))[0]).not.toContain('Mặt trận trả lời');
    expect(await press('1', 'hd:xoa:2')).toEqual(['Hỏi đáp #2 đã được gỡ.']);
    const audit = (await staff.audit.latest(30, NOW)).filter((e) => e.action === '/hoidap');
    expect(audit.map((e) => `${e.outcome} ${e.detail ?? ''}`)).toEqual(
      expect.arrayContaining(['ok thêm #2', 'failed thêm (duplicate)', 'ok cách hỏi #2', 'ok sửa #2', 'ok xóa #2', 'denied ']),
    );
  });

  it('the service refuses bad input with a reason, and cleans what it keeps', async () => {
    expect(await faq.add({ question: '  ', answer: 'x', author: STAFF })).toEqual({ ok: false, problem: 'empty_question' });
    expect(await faq.add({ question: 'Câu hỏi?', answer: '\u0000\u200b ', author: STAFF })).toEqual({ ok: false, problem: 'empty_answer' });
    expect(await faq.add({ question: 'Câu hỏi?', answer: 'x'.repeat(1501), author: STAFF })).toEqual({ ok: false, problem: 'answer_too_long' });
    expect(await faq.add({ question: 'Câu hỏi?'.repeat(60), answer: 'x', author: STAFF })).toEqual({ ok: false, problem: 'question_too_long' });
    expect(await faq.edit(99, { answer: 'x' }, STAFF)).toEqual({ ok: false, problem: 'missing' });
    const made = await faq.add({
      question: 'Ca\u0302u hỏi   <b>thử</b>\u0007?',
      answer: 'Dòng một\n\n\n\nDòng hai',
      author: STAFF,
      alternates: ['câu hỏi <b>thử</b>?', 'khác'],
    });
    expect(made.ok && made.entry).toMatchObject({ question: 'Câu hỏi <b>thử</b>?', alternates: ['khác'], answer: 'Dòng một\n\nDòng hai' });
    expect((await faq.list({ query: 'cau hoi thu' })).map((e) => e.question)).toEqual(['Câu hỏi <b>thử</b>?']);
  });

  it('erasing a citizen removes their wording from the entry and from the index; the staff question stays; an older entry left without a question is listed as needing one', async () => {
    const person = (channel: string, chatId: string) => ({ channel, chatId, pseudonym: `${channel}:x` });
    // An entry saved before questions were staff-approved: its question is a citizen's own.
    const iso = NOW.toISOString();
    const older = await faqStore.add({
      question: 'Đóng quỹ khuyến học ở đâu?',
      questionFrom: 'telegram:100',
      alternates: [],
      answer: 'Tại Ban công tác Mặt trận thôn.',
      createdAt: iso,
      updatedAt: iso,
      author: STAFF,
      status: 'active',
    });
    expect(await personal.describe(person('telegram', '100'), NOW)).toEqual([{ kind: 'faq', count: 2 }]);
    await personal.erase(person('telegram', '100'), NOW);
    expect(index.get('faq:1')?.summary).not.toContain(FIRST);
    expect(await faq.get(1)).toMatchObject({ question: STAFF_QUESTION, alternates: [SECOND] });
    await personal.erase(person('zalo', '200'), NOW);
    expect(await faq.get(1)).toMatchObject({ question: STAFF_QUESTION, alternates: [], needsQuestion: false, answer: ANSWER });
    expect(index.get('faq:1')?.summary).toBe(STAFF_QUESTION);
    expect(JSON.stringify(await faqStore.list())).not.toMatch(/telegram:100|zalo:200|Nhà văn hóa thôn được hỗ trợ bao nhiêu tiền để/);
    expect(await faq.get(older.id)).toMatchObject({ question: '', needsQuestion: true });
    expect((await say('telegram', '1', '/hoidap')).join('\n')).toContain('(cần câu hỏi');
    // A wording given by staff becomes its question again.
    expect((await faq.addAlternate(older.id, 'Quỹ khuyến học đóng ở đâu?', STAFF)).ok).toBe(true);
    expect(await faq.get(older.id)).toMatchObject({ question: 'Quỹ khuyến học đóng ở đâu?', needsQuestion: false });
  });

  it('an answer sent but not saved as hỏi đáp (a question over 300 characters) tells staff why and how to save it', async () => {
    const { ticket } = await tickets.open(
      { channel: 'telegram', chatId: '500', at: NOW.toISOString(), wording: 'Thủ tục xin hỗ trợ sửa nhà?' },
      () => undefined,
    );
    const before = (await faqStore.list()).length;
    await say('telegram', '1', `/traloi ${ticket.number} hỏi: ${'dài '.repeat(100)}\nLiên hệ Ban công tác Mặt trận thôn.`);
    const sent = (await press('1', 'tk:save')).join('\n');
    expect(sent).toContain(`Đang gửi câu trả lời #${ticket.number}`);
    expect(sent).toContain(ticketText.faqNotSaved(faqText.problem('question_too_long', undefined, { question: 300, answer: 1500 })));
    expect((await faqStore.list()).length).toBe(before);
    expect((await ticketService.getTicket(ticket.number))?.status).toBe('answered');
  });
});
