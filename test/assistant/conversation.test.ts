import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAnswerEngine } from '../../src/answer/index.js';
import { createConversation, type Conversation, type TicketDesk } from '../../src/assistant/conversation.js';
import { messages } from '../../src/copy/messages.js';
import type { InboundMessage } from '../../src/core/chat.js';
import { loadContent } from '../../src/content/load.js';
import { toSearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { createStores, type Stores } from '../../src/store/stores.js';
import { createTicketStore } from '../../src/store/tickets.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const { items } = await loadContent([join(ROOT, 'data'), join(ROOT, 'test', 'fixtures', 'articles')]);
const index = ArticleIndex.create();
for (const item of items) index.upsert(toSearchDoc(item));
const engine = createAnswerEngine({ index, lexicon });

let clock: number;
let stores: Stores;
let conversation: Conversation;
const msg = (text: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'telegram',
  chatId: '42',
  userId: '7',
  text,
  receivedAt: new Date(clock),
  ...extra,
});

beforeEach(async () => {
  clock = Date.parse('2026-11-27T08:00:00Z');
  stores = await createStores({ log: silentLogger() });
  conversation = createConversation({ engine, index, lexicon, stores, log: silentLogger(), now: () => new Date(clock) });
});

async function all<T>(it: AsyncGenerator<unknown[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const [, v] of it) out.push(v as T);
  return out;
}

describe('conversation', () => {
  it('welcomes on /start with example questions as buttons that answer when pressed', async () => {
    const [welcome] = await conversation.handle(msg('/start', { displayName: 'Lan' }));
    expect(welcome!.text).toContain('Xin chào Lan');
    const example = welcome!.buttons!.flat()[0]!;
    expect(Buffer.byteLength(example.data)).toBeLessThanOrEqual(64);
    const [answer] = await conversation.handle(msg('', { callbackData: example.data }));
    expect(answer!.text).toContain('Phạm Thị Hân');
  });

  it('answers free text with the source link and 👍/👎 buttons, and stores feedback with the question', async () => {
    const [answer] = await conversation.handle(msg('Chủ tịch MTTQ tỉnh Quảng Bình là ai?'));
    expect(answer!.text).toContain('Phạm Thị Hân');
    const [up, down] = answer!.buttons![0]!;
    expect(up!.label).toContain('👍');
    await conversation.handle(msg('', { callbackData: down!.data }));
    const feedback = await all<{ question: string; vote: string }>(stores.feedback.iterator!(undefined));
    expect(feedback).toEqual([expect.objectContaining({ question: 'Chủ tịch MTTQ tỉnh Quảng Bình là ai?', vote: 'down' })]);
  });

  it('asks the same thing for another province on a follow-up, until the context expires', async () => {
    expect((await conversation.handle(msg('Chủ tịch Ủy ban MTTQ tỉnh Quảng Bình là ai?')))[0]!.text).toContain('Phạm Thị Hân');
    const [followUp] = await conversation.handle(msg('còn Gia Lai thì sao?'));
    expect(followUp!.text).toContain('Nguyễn Văn Mẫu');
    const [unaccented] = await conversation.handle(msg('con quang binh thi sao'));
    expect(unaccented!.text).toContain('Phạm Thị Hân');
    clock += 11 * 60_000;
    const [late] = await conversation.handle(msg('còn Gia Lai thì sao?'));
    expect(late!.text).not.toContain('Nguyễn Văn Mẫu');
  });

  it('understands a numbered reply as a press of the matching button', async () => {
    await conversation.handle(msg('/start'));
    const [answer] = await conversation.handle(msg('1'));
    expect(answer!.text).toContain('Phạm Thị Hân');
    await conversation.handle(msg('1'));
    const feedback: unknown[] = [];
    for await (const entry of stores.feedback.iterator!(undefined)) feedback.push(entry);
    expect(feedback).toEqual([]);
  });

  it('takes a typed 👍 or 👎 (how Zalo users answer) as feedback on the latest answer', async () => {
    expect((await conversation.handle(msg('👎')))[0]!.text).not.toContain('Cảm ơn bạn đã góp ý');
    await conversation.handle(msg('Chủ tịch MTTQ tỉnh Quảng Bình là ai?'));
    const [thanks] = await conversation.handle(msg('👍🏽'));
    expect(thanks!.text).toContain('Cảm ơn bạn đã góp ý');
    const feedback = await all<{ question: string; vote: string }>(stores.feedback.iterator!(undefined));
    expect(feedback).toEqual([expect.objectContaining({ question: 'Chủ tịch MTTQ tỉnh Quảng Bình là ai?', vote: 'up' })]);
  });

  it('lists programs, filterable by province (old names too) and by year', async () => {
    const [all] = await conversation.handle(msg('/chuongtrinh'));
    expect(all!.text).toContain('Vì người nghèo');
    const [byProvince] = await conversation.handle(msg('/chuongtrinh Quảng Bình'));
    expect(byProvince!.text).toContain('(Quảng Trị)');
    expect(byProvince!.text).not.toContain('Người Việt Nam ưu tiên dùng hàng Việt Nam');
    const [byYear] = await conversation.handle(msg('/chuongtrinh 2022'));
    expect(byYear!.text).toContain('2022');
  });

  it('pages /tim results five at a time with a "Xem thêm" button', async () => {
    const [first] = await conversation.handle(msg('/tim Mặt trận'));
    expect(first!.text).toMatch(/^Kết quả cho “Mặt trận” \(1–5 trong \d+\)/);
    const more = first!.buttons!.flat().find((b) => b.label === 'Xem thêm')!;
    const [second] = await conversation.handle(msg('', { callbackData: more.data }));
    expect(second!.text).toMatch(/\(6–/);
    expect((await conversation.handle(msg('/tim')))[0]!.text).toContain('/tim');
  });

  it('opens a listed item when its number is typed, and pages on a typed "thêm" (Zalo has no buttons)', async () => {
    const [first] = await conversation.handle(msg('/tim Mặt trận'));
    const secondTitle = first!.text
      .split('\n')[2]!
      .replace(/^2\. /, '')
      .replace(/ \(\d\d\/\d\d\/\d{4}\)$/, '');
    const [card] = await conversation.handle(msg('2'));
    expect(card!.text.startsWith(secondTitle)).toBe(true);
    const [next] = await conversation.handle(msg('xem thêm'));
    expect(next!.text).toMatch(/\(6–/);
    const sixth = next!.text
      .split('\n')[1]!
      .replace(/^6\. /, '')
      .replace(/ \(\d\d\/\d\d\/\d{4}\)$/, '');
    expect((await conversation.handle(msg('6')))[0]!.text.startsWith(sixth)).toBe(true);
  });

  it('shows the latest dated news on /moi', async () => {
    const [latest] = await conversation.handle(msg('/moi'));
    expect(latest!.text.split('\n')[1]).toContain('Lào Cai');
  });

  it('answers unknown commands with help, and empty or control-only text with a hint', async () => {
    const [unknown] = await conversation.handle(msg('/xyz'));
    expect(unknown!.text).toContain('/xyz');
    expect(unknown!.text).toContain('/trogiup');
    expect((await conversation.handle(msg('\u0000\u0007')))[0]!.text).toContain('câu hỏi');
  });

  it('answers messages over 2,000 characters politely without searching', async () => {
    const [reply] = await conversation.handle(msg('a'.repeat(2001)));
    expect(reply!.text).toContain('2000');
    const [accented] = await conversation.handle(msg('ệ'.repeat(2001), { chatId: '43' }));
    expect(accented!.text).toContain('2000');
  });

  it('counts the limit in characters after NFC: a 1,990-character question typed decomposed is answered', async () => {
    let question = 'Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Bình là ai?';
    while ([...question].length < 1990) question += ' Xin cho tôi biết chủ tịch mặt trận tỉnh Quảng Bình hiện nay là ai?';
    question = [...question].slice(0, 1990).join('');
    const decomposed = question.normalize('NFD');
    expect(decomposed.length).toBeGreaterThan(2000);
    const [reply] = await conversation.handle(msg(decomposed));
    expect(reply!.text).not.toBe(messages.tooLong(2000));
    expect(reply!.text).toContain('Quảng Bình');
  });

  it('shows dates in Vietnam time in answers and /moi, and lists /moi by instant whatever the zone written', async () => {
    const local = ArticleIndex.create();
    const news = (id: string, title: string, body: string, publishedAt: string) => ({
      id,
      type: 'article' as const,
      title,
      summary: '',
      body,
      source: 'test',
      publishedAt,
    });
    // 02:52 on 7 December in Vietnam, written in UTC; the other one is 01:00 the same morning, written in Vietnam time.
    local.upsert(
      news(
        'utc',
        'Ngày hội Đại đoàn kết ở khu dân cư Tân Lập',
        'Ngày hội Đại đoàn kết ở khu dân cư Tân Lập đã trao 30 suất quà cho hộ nghèo.',
        '2026-12-06T19:52:55Z',
      ),
    );
    local.upsert(
      news(
        'vn',
        'Hội nghị hiệp thương ở phường Bắc Sơn',
        'Hội nghị hiệp thương ở phường Bắc Sơn đã thống nhất danh sách ứng cử viên.',
        '2026-12-07T01:00:00+07:00',
      ),
    );
    for (let i = 0; i < 10; i++)
      local.upsert(news(`o-${i}`, `Hội nghị tổng kết số ${i}`, `Hội nghị tổng kết công tác năm ${2000 + i} của ngành giáo dục.`, `${2000 + i}-06-01`));
    const dated = createConversation({
      engine: createAnswerEngine({ index: local, lexicon }),
      index: local,
      lexicon,
      stores,
      log: silentLogger(),
      now: () => new Date(clock),
    });
    const [answer] = await dated.handle(msg('Ngày hội Đại đoàn kết ở khu dân cư Tân Lập trao bao nhiêu suất quà?'));
    expect(answer!.text).toContain('30 suất quà');
    expect(answer!.text).toContain('(07/12/2026)');
    const [latest] = await dated.handle(msg('/moi'));
    const lines = latest!.text.split('\n');
    expect(lines[1]).toBe('1. Ngày hội Đại đoàn kết ở khu dân cư Tân Lập (07/12/2026)');
    expect(lines[2]).toBe('2. Hội nghị hiệp thương ở phường Bắc Sơn (07/12/2026)');
  });

  it('reads a zero-width space between words as a space', async () => {
    const [reply] = await conversation.handle(msg('/tim Quảng\u200bBình'));
    expect(reply!.text).toContain('Kết quả cho “Quảng Bình”');
  });

  it('echoes search words on one line, without control characters', async () => {
    const [reply] = await conversation.handle(msg('/tim Quảng\r\nBình'));
    expect(reply!.text).toContain('Kết quả cho “Quảng Bình”');
    const [none] = await conversation.handle(msg('/tim xyzw\r\n!'));
    expect(none!.text).toContain('Không tìm thấy bài nào cho “xyzw !”');
  });

  it('greets by a name cleaned like any inbound text, and at most 64 characters of it', async () => {
    const [welcome] = await conversation.handle(msg('/start', { displayName: 'La\u200bn\u0000\u202e\ud800' }));
    expect(welcome!.text).toMatch(/^Xin chào La n!/);
    const [long] = await conversation.handle(msg('/start', { chatId: '44', displayName: 'Ê'.repeat(100) }));
    expect(long!.text).toMatch(new RegExp(`^Xin chào ${'Ê'.repeat(64)}!`));
    const [blank] = await conversation.handle(msg('/start', { chatId: '45', displayName: '\u200b\u0000' }));
    expect(blank!.text).toMatch(/^Xin chào!/);
  });

  it('answers "UBND là gì?" from the abbreviation list, with no article link and nothing recorded for staff', async () => {
    const [reply] = await conversation.handle(msg('UBND là gì?'));
    expect(reply!.text).toBe('UBND là viết tắt của “Uỷ ban nhân dân”.');
    expect(reply!.links).toEqual([]);
    expect(reply!.buttons!.flat().map((b) => b.role)).toEqual(['feedback', 'feedback']);
    expect(await all(stores.unanswered.iterator!(undefined))).toEqual([]);
  });

  it('links both articles when the answer quotes a second one on the same event', async () => {
    const reports = ArticleIndex.create();
    const report = (id: string, title: string, body: string) => ({
      id,
      type: 'article' as const,
      title,
      summary: '',
      body,
      source: 'test',
      url: `https://example.vn/${id}`,
    });
    reports.upsert(
      report(
        'cv-tin',
        'Quốc hội khóa XIV thông qua Luật Cảnh vệ chiều 20/6',
        'Chiều 20/6, Quốc hội khóa XIV thông qua Luật Cảnh vệ với đa số đại biểu tán thành. Luật Cảnh vệ gồm 7 chương, 43 điều.',
      ),
    );
    reports.upsert(
      report('cv-bai', 'Quốc hội thông qua Luật Cảnh vệ', 'Chiều 20/6, Quốc hội biểu quyết Luật Cảnh vệ. Luật Cảnh vệ được thông qua với 455 phiếu tán thành.'),
    );
    for (let i = 0; i < 20; i++)
      reports.upsert(report(`o-${i}`, `Hội nghị tổng kết số ${i}`, `Hội nghị tổng kết công tác năm ${2000 + i} của ngành giáo dục.`));
    const chat = createConversation({
      engine: createAnswerEngine({ index: reports, lexicon }),
      index: reports,
      lexicon,
      stores,
      log: silentLogger(),
      now: () => new Date(clock),
    });
    const [reply] = await chat.handle(msg('Luật Cảnh vệ được Quốc hội khóa XIV thông qua chiều 20/6 với bao nhiêu phiếu tán thành?'));
    expect(reply!.text).toContain('455 phiếu tán thành');
    expect(reply!.text).not.toContain('https://');
    expect(reply!.links!.map((l) => l.url)).toEqual(['https://example.vn/cv-tin', 'https://example.vn/cv-bai']);
    // The article quoted after the answer is not offered again as a close result to choose.
    expect(reply!.buttons!.flat().map((b) => b.label)).not.toContain('Quốc hội thông qua Luật Cảnh vệ');
    // Two copies of one page (the same address) are linked once.
    reports.upsert({
      ...report(
        'cv-bai',
        'Quốc hội thông qua Luật Cảnh vệ',
        'Chiều 20/6, Quốc hội biểu quyết Luật Cảnh vệ. Luật Cảnh vệ được thông qua với 455 phiếu tán thành.',
      ),
      url: 'https://example.vn/cv-tin',
    });
    const chatAgain = createConversation({
      engine: createAnswerEngine({ index: reports, lexicon }),
      index: reports,
      lexicon,
      stores,
      log: silentLogger(),
      now: () => new Date(clock),
    });
    const [again] = await chatAgain.handle(msg('Luật Cảnh vệ được Quốc hội khóa XIV thông qua chiều 20/6 với bao nhiêu phiếu tán thành?'));
    expect(again!.text).toContain('455 phiếu tán thành');
    expect(again!.links!.map((l) => l.url)).toEqual(['https://example.vn/cv-tin']);
  });

  it('says on /start, in one sentence, what is kept and how to see and erase it', async () => {
    const [welcome] = await conversation.handle(msg('/start'));
    const sentence = welcome!.text.split('\n\n').find((p) => p.includes('/xoadulieu'));
    expect(sentence).toBe(
      'Tôi chỉ lưu đăng ký bản tin và những câu hỏi cần chuyển cán bộ (có thời hạn, rồi tự xóa); gõ /dulieucuatoi để xem, /xoadulieu để xóa.',
    );
  });

  it('ends a "no information" reply with one line on the ticket: the number, after the closest titles, and no "recorded" line besides', async () => {
    const tickets = await createTicketStore({ log: silentLogger() });
    const desk: TicketDesk = {
      open: async (m, question, at) =>
        (await tickets.open({ channel: m.channel, chatId: m.chatId, at: at.toISOString(), wording: question }, (open) => open[0]?.number)).ticket.number,
      waiting: async () => [],
    };
    const withDesk = createConversation({ engine, index, lexicon, stores, tickets: desk, log: silentLogger(), now: () => new Date(clock) });
    // On the topic of an article (the relief fund), but asking for a contact no article gives: closest titles exist.
    const [reply] = await withDesk.handle(msg('Số điện thoại của Quỹ cứu trợ tỉnh Quảng Bình là gì?'));
    const lines = reply!.text.split('\n').filter(Boolean);
    expect(lines[0]).toBe('Xin lỗi, tôi chưa có thông tin để trả lời câu hỏi này.');
    expect(lines.at(-1)).toBe('Câu hỏi đã được chuyển tới cán bộ Mặt trận (mã #1). Câu trả lời sẽ được gửi tới bạn tại đây.');
    expect(reply!.text).not.toContain('ghi lại');
    // The closest titles, dated, between the two.
    expect(lines[1]).toBe('Các bài gần nhất với câu hỏi của bạn:');
    expect(lines.at(-2)).toMatch(/^\d\. /);
    expect(lines.slice(2, -1).every((l) => /^\d\. /.test(l))).toBe(true);
    // The same question from another chat joins ticket #1.
    const [other] = await withDesk.handle(msg('so dien thoai quy cuu tro quang binh la so nao', { chatId: '43', userId: '8' }));
    expect(other!.text).toContain('(mã #1)');
    await tickets.close();
  });

  it('records unanswered questions for staff and offers the closest titles', async () => {
    const [reply] = await conversation.handle(msg('Cách làm bánh chưng ngon?'));
    expect(reply!.text).toMatch(/chưa có thông tin/);
    // No ticket desk here: the reply says the question was recorded, once.
    expect(reply!.text.match(/ghi lại/g)).toHaveLength(1);
    expect(reply!.text.split('\n').at(-1)).toBe(messages.recordedForStaff);
    const recorded = await all<{ question: string }>(stores.unanswered.iterator!(undefined));
    expect(recorded.map((r) => r.question)).toEqual(['Cách làm bánh chưng ngon?']);
  });

  it('limits floods: one polite warning, then silence until the minute has passed', async () => {
    for (let i = 0; i < 20; i++) expect(await conversation.handle(msg('xin chào'))).toHaveLength(1);
    const [warning] = await conversation.handle(msg('xin chào'));
    expect(warning!.text).toContain('đợi');
    expect(await conversation.handle(msg('xin chào'))).toEqual([]);
    expect(await conversation.handle(msg('xin chào', { userId: 'someone-else' }))).toHaveLength(1);
    clock += 61_000;
    expect(await conversation.handle(msg('xin chào'))).toHaveLength(1);
  });

  it('keeps HTML in questions as text (escaping is the channel’s job)', async () => {
    const [reply] = await conversation.handle(msg('<b>MTTQ</b> Quảng Bình <script>alert(1)</script>'));
    expect(typeof reply!.text).toBe('string');
  });
});
