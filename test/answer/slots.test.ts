import { describe, expect, it } from 'vitest';
import { analyseSentence } from '../../src/answer/analysis.js';
import { otherTermsShare } from '../../src/answer/decide.js';
import { askedSlots, rareMissing, rareTerms, slotFit, tellsOwnCase } from '../../src/answer/shape.js';
import { resolveTuning } from '../../src/answer/tuning.js';
import { planQuestion } from '../../src/answer/understand.js';
import { article, indexOf, lexicon, tuning } from './fixtures.js';

const facts = [
  'Năm 2023, Ủy ban MTTQ huyện Lệ Thủy vận động Quỹ Vì người nghèo được 2,3 tỷ đồng.',
  'Đường dây nóng của Ủy ban MTTQ tỉnh Quảng Bình là 0232.3822.115.',
  'Ông Nguyễn Văn Hòa được bầu làm Chủ tịch Ủy ban MTTQ huyện Lệ Thủy.',
  'Ủy ban MTTQ huyện Lệ Thủy tổ chức hội nghị hiệp thương ngày 19/4/2022.',
  'Hội nghị diễn ra tại Nhà văn hóa Trung tâm huyện Lệ Thủy.',
];
const index = indexOf([article('le-thuy', 'Mặt trận huyện Lệ Thủy', facts)]);
const ctx = { index, lexicon, tuning };
const plan = (q: string) => planQuestion(q, ctx);
const fill = (q: string, sentence: string, t = tuning) => slotFit([analyseSentence(sentence)], plan(q), t);

describe('slot filling', () => {
  it('reads what a question asks a value of: a count, a date, a person, a place, a phone number; none for "là gì"', () => {
    expect(askedSlots(plan('Quỹ Vì người nghèo huyện Lệ Thủy vận động được bao nhiêu tiền?'))).toEqual(['quantity']);
    expect(askedSlots(plan('Hội nghị hiệp thương huyện Lệ Thủy tổ chức khi nào?'))).toContain('time');
    expect(askedSlots(plan('Chủ tịch Ủy ban MTTQ huyện Lệ Thủy là ai?'))).toContain('person');
    expect(askedSlots(plan('số điện thoại đường dây nóng Ủy ban MTTQ tỉnh Quảng Bình là bao nhiêu'))).toEqual(['phone']);
    expect(askedSlots(plan('Quỹ Vì người nghèo là gì?'))).toEqual([]);
  });

  it('finds a value of the asked type in the quote, and whether it stands next to what the question is about', () => {
    expect(fill('Quỹ Vì người nghèo huyện Lệ Thủy vận động được bao nhiêu tiền?', facts[0]!)).toEqual({
      asked: true,
      contact: false,
      value: true,
      nearAnchor: true,
    });
    expect(fill('sdt duong day nong mat tran tinh Quang Binh la bao nhieu', facts[1]!)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill('Chủ tịch Ủy ban MTTQ huyện Lệ Thủy là ai?', facts[2]!)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill('Hội nghị hiệp thương huyện Lệ Thủy tổ chức vào ngày nào?', facts[3]!)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill('Hội nghị hiệp thương huyện Lệ Thủy diễn ra ở đâu?', facts[4]!)).toMatchObject({ value: true });
    // Same topic, another fact: a phone question answered by a sentence with a count, a person question by a date.
    expect(fill('số điện thoại Ủy ban MTTQ huyện Lệ Thủy là bao nhiêu', facts[0]!)).toEqual({ asked: true, contact: true, value: false, nearAnchor: false });
    expect(fill('Chủ tịch Ủy ban MTTQ huyện Lệ Thủy là ai?', facts[3]!)).toMatchObject({ value: false });
    expect(fill('Quỹ Vì người nghèo là gì?', facts[0]!)).toEqual({ asked: false, contact: false, value: false, nearAnchor: false });
  });

  it('reads a question for a phone number, an email or a web address as a contact, and finds such a value in the quote', () => {
    expect(askedSlots(plan('muốn liên hệ Mặt trận huyện Lệ Thủy thì gọi số nào'))).toEqual(['phone']);
    expect(askedSlots(plan('email của Ủy ban MTTQ huyện Lệ Thủy là gì'))).toEqual(['email']);
    expect(askedSlots(plan('dia chi trang web cua mat tran huyen Le Thuy la gi'))).toEqual(['web']);
    // Not a contact: an amount about a website, and a session of the council ("kỳ họp thứ 3": "hop thu" folded).
    expect(askedSlots(plan('giả mạo website của Mặt trận bị phạt bao nhiêu tiền'))).toEqual(['quantity']);
    expect(askedSlots(plan('ky hop thu 3 HDND huyen Le Thuy to chuc khi nao'))).toEqual(['time']);
    const email = 'Mọi ý kiến gửi về hộp thư mattranlethuy@gmail.com của Ủy ban MTTQ huyện Lệ Thủy.';
    const web = 'Thông tin được đăng trên trang mattran.quangbinh.gov.vn của Ủy ban MTTQ tỉnh.';
    expect(fill('email của Ủy ban MTTQ huyện Lệ Thủy là gì', email)).toEqual({ asked: true, contact: true, value: true, nearAnchor: true });
    expect(fill('email của Ủy ban MTTQ huyện Lệ Thủy là gì', facts[2]!)).toMatchObject({ contact: true, value: false });
    expect(fill('website của Mặt trận tỉnh Quảng Bình là gì', web)).toMatchObject({ contact: true, value: true });
    expect(fill('website của Mặt trận tỉnh Quảng Bình là gì', email)).toMatchObject({ contact: true, value: false });
    // A count or a date is no phone number.
    expect(fill('số điện thoại Mặt trận huyện Lệ Thủy', facts[3]!)).toMatchObject({ contact: true, value: false });
  });

  it('tells a question about the asker’s own case, as written or without diacritics', () => {
    expect(tellsOwnCase(plan('Nhà em thuộc diện cận nghèo thì có được hỗ trợ không ạ?'))).toBe(true);
    expect(tellsOwnCase(plan('me em bi tai bien co duoc cap xe lan khong'))).toBe(true);
    expect(tellsOwnCase(plan('Quỹ Vì người nghèo huyện Lệ Thủy vận động được bao nhiêu tiền?'))).toBe(false);
    // Written with diacritics, "em" must be written so: "êm" is not the asker.
    expect(tellsOwnCase(plan('Buổi hòa nhạc có êm tai không?'))).toBe(false);
  });

  it('needs the value within the window of an anchor', () => {
    const far = 'Quỹ Vì người nghèo của huyện Lệ Thủy, theo báo cáo tổng kết công tác Mặt trận cả năm vừa qua, đạt 2,3 tỷ đồng.';
    const q = 'huyện Lệ Thủy vận động Quỹ Vì người nghèo được bao nhiêu tiền';
    expect(fill(q, far)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill(q, far, resolveTuning({ slotWindow: 0 }))).toMatchObject({ value: true, nearAnchor: false });
  });

  it('counts the share of the question’s rarest words a text lacks, a word no document has included', () => {
    const p = plan('Quỹ Vì người nghèo huyện Lệ Thủy năm 2029 vận động được bao nhiêu tiền?');
    expect(rareTerms(p)).toHaveLength(3);
    expect(rareTerms(p)).toContain('2029');
    const terms = analyseSentence(facts[0]!).terms;
    expect(rareMissing(terms, p)).toBeGreaterThan(0);
    expect(rareMissing(terms, p)).toBeLessThan(1);
    expect(rareMissing(new Set(), p)).toBe(1);
    expect(rareMissing(terms, plan('Quỹ Vì người nghèo huyện Lệ Thủy vận động được bao nhiêu tiền?'))).toBe(0);
  });

  it('weighs the question’s other words apart from its rarest: same subject, another fact, lacks what is asked of it', () => {
    const news = indexOf([
      article('le-thuy', 'Mặt trận huyện Lệ Thủy', [facts[3]!, facts[4]!]),
      article('khai-mac', 'Khai mạc', ['Chủ tịch tỉnh đọc diễn văn khai mạc hội nghị.']),
      article('ky-niem', 'Lễ kỷ niệm', ['Bí thư đọc diễn văn tại lễ kỷ niệm.']),
      article('hiep-thuong', 'Hội nghị', ['Hội nghị hiệp thương cấp tỉnh tổ chức hôm qua.']),
    ]);
    const p = planQuestion('Ai đọc diễn văn tại hội nghị hiệp thương huyện Lệ Thủy?', { index: news, lexicon, tuning });
    const sameSubject = analyseSentence(facts[3]!).terms;
    const answers = analyseSentence('Ông Nguyễn Văn Hòa đọc diễn văn tại hội nghị hiệp thương huyện Lệ Thủy.').terms;
    // Both have the rarest words (the district); only one has what is asked of it.
    expect(rareMissing(sameSubject, p)).toBeLessThan(0.5);
    expect(otherTermsShare(answers, p)).toBe(1);
    expect(otherTermsShare(sameSubject, p)).toBeLessThan(0.8);
    expect(otherTermsShare(new Set(), p)).toBe(0);
    // A question of three words or fewer has no others.
    expect(otherTermsShare(new Set(), plan('Lệ Thủy ở đâu?'))).toBe(1);
  });
});
