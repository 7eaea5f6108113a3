import { describe, expect, it } from 'vitest';
import { asksAboutBot, asksTask, stripVocatives, understand } from '../../src/answer/understand.js';
import { indexOf, lexicon, tuning, article } from './fixtures.js';

const index = indexOf([
  article('cau-ben-lua', 'Khánh thành cầu Bến Lúa', ['Cầu Bến Lúa ở xã Tân Phong dài 120 mét, do bà con góp 800 triệu đồng.']),
  article('ubmttq', 'Ủy ban MTTQ xã Tân Phong', ['Ủy ban MTTQ xã Tân Phong có 25 ủy viên.']),
]);
const ctx = { index, lexicon, tuning };

describe('understand', () => {
  it('tells greetings, thanks, empty and overlong messages from questions', () => {
    expect(understand('chào bạn', ctx).kind).toBe('greeting');
    expect(understand('bot ơi', ctx).kind).toBe('greeting');
    expect(understand('cảm ơn bot nhiều', ctx).kind).toBe('thanks');
    expect(understand('  ?? ', ctx).kind).toBe('empty');
    expect(understand('cầu '.repeat(700), ctx).kind).toBe('too_long');
    expect(understand('Cầu Bến Lúa dài bao nhiêu mét?', ctx).kind).toBe('question');
  });

  it('knows a request for a task the bot does not do, and a question about today', () => {
    expect(understand('làm ơn soạn giúp tôi một lá đơn', ctx).kind).toBe('task');
    expect(understand('hôm nay là thứ mấy vậy bot', ctx).kind).toBe('today');
    // About something else on that day: a question for the articles.
    expect(understand('hôm nay ngày bao nhiêu thì hết hạn góp tiền làm cầu?', ctx).kind).toBe('question');
  });

  it('plans a question: what it asks, its focus and unit, and the recency it needs', () => {
    const read = understand('Ngày mai bà con xã Tân Phong góp bao nhiêu tiền làm cầu?', ctx);
    if (read.kind !== 'question') throw new Error(read.kind);
    expect(read.plan.kinds).toContain('quantity');
    expect(read.plan.unit).toEqual(['tien']);
    expect(read.recencyDays).toBe(3);
    expect(understand('Cầu Bến Lúa dài bao nhiêu?', ctx)).not.toHaveProperty('recencyDays');
  });

  it('keeps the names written with capitals and the abbreviation a definition question asks about', () => {
    const named = understand('Ông Lưu Văn Khởi góp bao nhiêu cho cầu?', ctx);
    expect(named.kind === 'question' && named.names).toEqual(['van_khoi']);
    const abbr = understand('UBMTTQ là gì?', ctx);
    expect(abbr.kind === 'question' && abbr.abbreviation?.written).toBe('UBMTTQ');
    expect(abbr.kind === 'question' && abbr.abbreviation?.expansions[0]).toMatch(/mặt trận tổ quốc/);
  });

  it('cuts the name the bot is called by, not the same letters in a question', () => {
    expect(stripVocatives('phí qua trạm thu phí bao nhiêu vậy bot')).toBe('phí qua trạm thu phí bao nhiêu vậy');
    expect(stripVocatives('ad ơi, cầu Bến Lúa dài bao nhiêu?')).toBe('cầu Bến Lúa dài bao nhiêu?');
    expect(stripVocatives('dự án theo hình thức BT, BOT')).toBe('dự án theo hình thức BT, BOT');
  });

  it('knows a question about the bot itself, not BOT toll roads nor a question that only calls the bot', () => {
    for (const q of [
      'Bot lấy tin từ những tờ báo nào?',
      'bot co luu tin nhan cua toi khong',
      'Dữ liệu của bot được cập nhật đến ngày nào?',
      'Làm sao để xóa lịch sử trò chuyện với bot?',
      'trợ lý ảo này do ai làm',
    ])
      expect(asksAboutBot(q), q).toBe(true);
    for (const q of [
      'BOT là gì',
      'phí BOT quốc lộ 1 bao nhiêu',
      'trạm BOT có thu phí không',
      'bot thu phí Cai Lậy có bị dừng không',
      'Cầu Bến Lúa dài bao nhiêu?',
    ])
      expect(asksAboutBot(q), q).toBe(false);
    const read = understand('bot có trả lời bằng tiếng Khmer được không', ctx);
    expect(read.kind === 'question' && read.aboutBot).toBe(true);
    // Called, not talked about: "… vậy bot" is cut before.
    const called = understand('cầu Bến Lúa dài bao nhiêu vậy bot', ctx);
    expect(called.kind === 'question' && called.aboutBot).toBeFalsy();
  });

  it('reads the time a question asks about, not the asker’s own story nor a price ("giá") taken for "gia đình"', () => {
    const days = (q: string) => {
      const read = understand(q, ctx);
      return read.kind === 'question' ? read.recencyDays : undefined;
    };
    expect(days('hom nay gia sau rieng bao nhieu 1kg')).toBe(3);
    expect(days('hôm nay gia đình tôi được hỗ trợ bao nhiêu')).toBeUndefined();
    expect(days('hom nay gia dinh toi duoc ho tro bao nhieu')).toBeUndefined();
    expect(days('Lãi suất tiết kiệm tháng này là bao nhiêu?')).toBe(45);
  });

  it('reads a task from its verb, who it is for and whether it asks if it can be done', () => {
    expect(asksTask('dịch giúp mình đoạn này')).toBe(true);
    expect(asksTask('nhắc tôi họp tổ dân phố lúc 7 giờ')).toBe(true);
    expect(asksTask('viết giúp ông bà lá đơn')).toBe(false);
    expect(asksTask('viết giúp tôi lá đơn được không')).toBe(false);
    expect(asksTask('tỉnh giúp đỡ hộ nghèo thế nào')).toBe(false);
  });
});
