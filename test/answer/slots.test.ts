import { describe, expect, it } from 'vitest';
import { analyseSentence } from '../../src/answer/analysis.js';
import { askedSlots, rareMissing, rareTerms, slotFit } from '../../src/answer/shape.js';
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
    expect(fill('Quỹ Vì người nghèo huyện Lệ Thủy vận động được bao nhiêu tiền?', facts[0]!)).toEqual({ asked: true, value: true, nearAnchor: true });
    expect(fill('sdt duong day nong mat tran tinh Quang Binh la bao nhieu', facts[1]!)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill('Chủ tịch Ủy ban MTTQ huyện Lệ Thủy là ai?', facts[2]!)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill('Hội nghị hiệp thương huyện Lệ Thủy tổ chức vào ngày nào?', facts[3]!)).toMatchObject({ value: true, nearAnchor: true });
    expect(fill('Hội nghị hiệp thương huyện Lệ Thủy diễn ra ở đâu?', facts[4]!)).toMatchObject({ value: true });
    // Same topic, another fact: a phone question answered by a sentence with a count, a person question by a date.
    expect(fill('số điện thoại Ủy ban MTTQ huyện Lệ Thủy là bao nhiêu', facts[0]!)).toEqual({ asked: true, value: false, nearAnchor: false });
    expect(fill('Chủ tịch Ủy ban MTTQ huyện Lệ Thủy là ai?', facts[3]!)).toMatchObject({ value: false });
    expect(fill('Quỹ Vì người nghèo là gì?', facts[0]!)).toEqual({ asked: false, value: false, nearAnchor: false });
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
});
