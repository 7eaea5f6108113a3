/**
 * Curated entries in the answer engine, over the bundled content and the bundled decision model: a paraphrase
 * gets the entry's whole answer, another question on the same topic does not; an edit answers at once, a
 * withdrawal stops it; entries are never listed, digested or quoted as articles.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnswerEngine, loadDecisionModel, type AnswerEngine } from '../../src/answer/index.js';
import { faqDoc } from '../../src/assistant/faq.js';
import { digestCandidates } from '../../src/digest/compose.js';
import type { ArticleIndex } from '../../src/search/article-index.js';
import { loadIndex } from '../../src/search/build.js';
import type { FaqEntry } from '../../src/store/faq.js';
import { silentLogger } from '../helpers/logger.js';
import { ROOT } from '../helpers/shared.js';
import { lexicon } from './fixtures.js';

const NOW = new Date('2026-12-07T03:00:00Z');
const entry = (id: number, question: string, answer: string, over: Partial<FaqEntry> = {}): FaqEntry => ({
  id,
  question,
  alternates: [],
  answer,
  createdAt: '2026-12-05T02:00:00.000Z',
  updatedAt: '2026-12-05T02:00:00.000Z',
  author: 'telegram:1',
  status: 'active',
  ...over,
});
const BHYT = entry(
  1,
  'Mức đóng BHYT hộ gia đình năm 2026 là bao nhiêu?',
  'Người thứ nhất đóng 4,5% mức lương cơ sở mỗi tháng; người thứ hai, thứ ba, thứ tư đóng lần lượt 70%, 60%, 50% mức của người thứ nhất.',
);
const HOUSE = entry(2, 'Thủ tục xin hỗ trợ nhà Đại đoàn kết thế nào?', 'Hộ gia đình làm đơn gửi Ban công tác Mặt trận khu dân cư.', {
  alternates: [{ text: 'làm sao để được hỗ trợ xây nhà đại đoàn kết', addedAt: '2026-12-05T02:00:00.000Z' }],
});
const PRIVACY = entry(4, 'Bot có lưu tin nhắn của tôi không?', 'Trợ lý chỉ giữ câu hỏi chưa trả lời được để cán bộ trả lời; gõ /xoadulieu để xóa.');
const PENSION = entry(3, 'Lương hưu của tôi tháng này khi nào được trả?', 'Lương hưu tháng 12/2026 được chi trả từ ngày 10/12/2026 tại điểm chi trả của xã.');

let index: ArticleIndex;
let engine: AnswerEngine;

beforeAll(async () => {
  ({ index } = await loadIndex({ paths: [join(ROOT, 'data')], log: silentLogger() }));
  const model = loadDecisionModel(join(ROOT, 'data', 'models', 'decision.json'));
  engine = createAnswerEngine({ index, lexicon, model, now: () => NOW });
  index.upsert(faqDoc(BHYT));
  index.upsert(faqDoc(HOUSE));
  index.upsert(faqDoc(PENSION));
  index.upsert(faqDoc(PRIVACY));
});

describe('curated entries in the answer engine', () => {
  it('answers a paraphrase without diacritics with the whole curated answer, labelled and dated', () => {
    const answer = engine.answer('bhyt ho gia dinh nam nay dong bao nhieu');
    expect(answer).toMatchObject({ kind: 'answer', faq: 1 });
    expect(answer.text).toBe(`Mặt trận trả lời (cập nhật 05/12/2026): ${BHYT.answer}`);
    expect(answer.sources[0]?.id).toBe('faq:1');
    // An abbreviation written out matches it: "bảo hiểm y tế" for "BHYT".
    expect(engine.answer('bảo hiểm y tế hộ gia đình năm nay đóng bao nhiêu').faq).toBe(1);
    // The other wording of an entry answers too.
    expect(engine.answer('lam sao de duoc ho tro xay nha dai doan ket').faq).toBe(2);
  });

  it('answers a question about the bot itself only from an entry, never from the articles', () => {
    expect(engine.answer('bot co luu tin nhan cua toi khong vay').faq).toBe(4);
    const other = engine.answer('Bot lấy tin từ những tờ báo nào?');
    expect(other.kind).toBe('no_answer');
    expect(other.text).toContain('câu hỏi về chính trợ lý');
    expect(other.sources).toEqual([]);
  });

  it('does not answer another question on the same topic from the entry', () => {
    for (const q of ['thẻ BHYT hộ gia đình cấp ở đâu', 'BHYT hộ gia đình là gì', 'mức lương cơ sở năm 2026', 'mức đóng BHYT hộ gia đình năm 2019 là bao nhiêu'])
      expect(engine.answer(q).faq, q).toBeUndefined();
  });

  it('answers only a question for the same time from now as the entry ("tháng này" is not "tháng sau")', () => {
    for (const q of ['Lương hưu của tôi tháng này khi nào được trả?', 'luong huu thang nay khi nao duoc tra', 'lương hưu tháng này bao giờ được trả'])
      expect(engine.answer(q).faq, q).toBe(3);
    for (const q of [
      'lương hưu tháng sau khi nào được trả',
      'Lương hưu của tôi tháng tới khi nào được trả?',
      'luong huu thang truoc khi nao duoc tra',
      'lương hưu năm sau khi nào được trả',
      'lương hưu hôm kia khi nào được trả',
    ])
      expect(engine.answer(q).faq, q).toBeUndefined();
  });

  it('says why: the decision, its features and the entry, through explain()', () => {
    const explained = engine.explain('Mức đóng BHYT hộ gia đình năm 2026 là bao nhiêu?');
    expect(explained.from).toMatchObject({ type: 'faq', id: 'faq:1' });
    expect(explained.decision?.answer).toBe(true);
    expect(explained.decision!.confidence).toBeGreaterThanOrEqual(engine.tuning.minConfidence);
    expect(explained.features?.found).toBe(true);
  });

  it('answers an edited entry with its new text at once, and a withdrawn one no longer', () => {
    index.upsert(faqDoc({ ...BHYT, answer: 'Mức mới: 4,5% mức lương cơ sở cho người thứ nhất.', updatedAt: '2026-12-06T01:00:00.000Z' }));
    expect(engine.answer('bhyt ho gia dinh nam nay dong bao nhieu').text).toBe(
      'Mặt trận trả lời (cập nhật 06/12/2026): Mức mới: 4,5% mức lương cơ sở cho người thứ nhất.',
    );
    index.remove('faq:1');
    expect(engine.answer('bhyt ho gia dinh nam nay dong bao nhieu').faq).toBeUndefined();
    index.upsert(faqDoc(BHYT));
  });

  it('never lists, digests or quotes an entry as an article', () => {
    expect(engine.rank('hỗ trợ nhà đại đoàn kết', 50).map((r) => r.doc.id)).not.toContain('faq:2');
    expect(digestCandidates(index.all(), Date.parse('2026-12-01'), Date.parse('2026-12-08')).map((c) => c.id)).not.toContain('faq:1');
    expect(engine.answerFrom('hỗ trợ nhà đại đoàn kết', 'faq:2')).toBeUndefined();
    const article = engine.answer('Quỹ Vì người nghèo là gì?');
    expect(article.faq).toBeUndefined();
    expect(article.also?.id ?? '').not.toMatch(/^faq:/);
  });
});
