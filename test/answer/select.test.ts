import { describe, expect, it } from 'vitest';
import { analyseDoc, analyseSentence, createProvinceFinder } from '../../src/answer/analysis.js';
import { alsoSaid, leansBack, quoteIndexes, repeats, selectSentences } from '../../src/answer/select.js';
import { resolveTuning } from '../../src/answer/tuning.js';
import type { RankedResult } from '../../src/answer/types.js';
import { planQuestion } from '../../src/answer/understand.js';
import { article, indexOf, lexicon, tuning } from './fixtures.js';

const provinces = createProvinceFinder(lexicon);
const lead = 'Hội Nông dân xã Bình An tổ chức ngày hội trồng cây xanh.';
const fact = 'Trong ngày hội, hội viên trồng được 1.200 cây sao đen dọc đường liên xã.';
const doc = article('trong-cay', 'Ngày hội trồng cây ở Bình An', [lead, 'Ngày hội thu hút đông đảo bà con tham gia.', fact]);
const index = indexOf([doc]);
const ctx = { index, lexicon, tuning };
const info = analyseDoc(doc, provinces.namesAnyProvince);

describe('select', () => {
  it('prefers the sentence with the question’s specific words over the lead that repeats its context', () => {
    const plan = planQuestion('Hội Nông dân xã Bình An trồng được bao nhiêu cây?', ctx);
    const ranked = selectSentences(info, plan, tuning);
    expect(info.sentences[ranked[0]!.index]!.text).toBe(fact);
    expect(quoteIndexes(info, ranked, tuning)).toContain(2);
  });

  it('reads a sentence that leans on the one before with it, and quotes both', () => {
    const d = analyseDoc(
      article('quy', 'Quỹ khuyến học', ['Quỹ khuyến học xã Bình An được thành lập năm 2019.', 'Mục đích là hỗ trợ học sinh nghèo vượt khó.']),
      provinces.namesAnyProvince,
    );
    expect(leansBack('Mục đích là hỗ trợ học sinh nghèo vượt khó.', '')).toBe(true);
    const plan = planQuestion('Quỹ khuyến học xã Bình An hỗ trợ ai?', ctx);
    const ranked = selectSentences(d, plan, tuning);
    expect(ranked[0]).toMatchObject({ index: 1, context: true });
    expect(quoteIndexes(d, ranked, tuning)).toEqual([0, 1]);
    expect(selectSentences(d, plan, resolveTuning({ contextWeight: 0 }))[0]!.context).toBeUndefined();
  });

  it('quotes the sentence right after one that announces it', () => {
    const list = [
      'Hộ vay vốn phải có đủ các điều kiện sau đây:',
      'Có hộ khẩu thường trú tại xã.',
      'Có phương án sản xuất khả thi.',
      'Không nợ quá hạn ở ngân hàng.',
    ];
    const d = analyseDoc({ ...article('dk', 'Điều kiện vay vốn', []), body: list.join('\n') }, provinces.namesAnyProvince);
    const plan = planQuestion('Hộ vay vốn cần điều kiện gì?', ctx);
    const picked = quoteIndexes(d, selectSentences(d, plan, tuning), tuning);
    expect(picked).toEqual([0, 1]);
    expect(picked.length).toBeLessThanOrEqual(tuning.maxQuoteSentences);
    // Without following on nor a second sentence, the best one alone.
    expect(quoteIndexes(d, selectSentences(d, plan, tuning), resolveTuning({ followOn: false, secondSentenceRatio: 2 }))).toEqual([0]);
  });

  it('says a sentence repeats when most of its terms were already quoted', () => {
    const a = analyseSentence('Hội viên trồng được 1.200 cây sao đen.');
    const b = analyseSentence('Hội viên trồng được 1.200 cây sao đen dọc đường.');
    expect(repeats(a.terms, [b.terms], tuning)).toBe(true);
    expect(repeats(analyseSentence('Chợ phiên họp vào sáng Chủ nhật.').terms, [b.terms], tuning)).toBe(false);
  });

  it('adds what a close second article says that the quote does not, and nothing from a weaker one', () => {
    const plan = planQuestion('Hội viên xã Bình An trồng được bao nhiêu cây?', ctx);
    const other = article('trong-cay-2', 'Bình An trồng cây', ['Hội viên xã Bình An trồng được 1.500 cây keo trên đồi.']);
    const make = (r: typeof doc, score: number): RankedResult => {
      const d = analyseDoc(r, provinces.namesAnyProvince);
      return {
        doc: r,
        score,
        bm25: 1,
        coverage: 1,
        best: [],
        info: d,
        offPlace: false,
        features: {
          bm25: 1,
          coverage: 1,
          sentence: 1,
          rankedSentence: 1,
          countFound: true,
          distinct: 0,
          exactness: 1,
          placed: true,
          dated: true,
          named: true,
          reranked: true,
        },
      };
    };
    const quoted = [info.sentences[2]!];
    const close = alsoSaid([make(doc, 1), make(other, 0.9)], plan, quoted, () => true, tuning);
    expect(close).toEqual({ rank: 1, quote: ['Hội viên xã Bình An trồng được 1.500 cây keo trên đồi.'] });
    expect(alsoSaid([make(doc, 1), make(other, 0.5)], plan, quoted, () => true, tuning)).toBeUndefined();
    expect(alsoSaid([make(doc, 1), make(other, 0.9)], plan, quoted, () => false, tuning)).toBeUndefined();
  });
});
