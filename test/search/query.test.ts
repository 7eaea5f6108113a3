import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SearchDoc } from '../../src/content/types.js';
import { ArticleIndex } from '../../src/search/article-index.js';
import { loadLexicon } from '../../src/search/lexicon.js';
import { DEFAULT_PLAN_WEIGHTS, planQuery } from '../../src/search/query.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const doc = (id: string, body: string): SearchDoc => ({ id, type: 'article', title: '', summary: '', body, source: 'test' });

// "mặt" is in every document, "trận" in a few; "Sao Mộc" is one rare name.
const index = ArticleIndex.create();
for (let i = 0; i < 30; i++) index.upsert(doc(`mat-${i}`, `Gặp mặt đầu năm lần ${i}, tuy nhiên trời mưa.`));
for (let i = 0; i < 3; i++) index.upsert(doc(`tran-${i}`, `Trận đấu thứ ${i} của đội bóng, mặt sân tốt.`));
index.upsert(doc('mttq', 'Mặt trận Tổ quốc xã tổ chức gặp mặt.'));
index.upsert(doc('sao-moc', 'Khối lượng của Sao Mộc lớn gấp nhiều lần khối lượng của Trái Đất.'));
index.upsert(doc('kinh', 'Nhìn Sao Mộc từ Trái Đất bằng kính thiên văn.'));

const weightOf = (question: string, term: string, weights: Partial<typeof DEFAULT_PLAN_WEIGHTS> = {}) =>
  planQuery(question, index, lexicon, { ...DEFAULT_PLAN_WEIGHTS, ...weights }).weights.get(term) ?? 0;

describe('query plan: pairs', () => {
  it('keeps the weight of a pair that joins common syllables and holds back one of two rare syllables', () => {
    const off = { pairRedundancy: 0 };
    // "mặt trận": "mặt" is everywhere, so the pair is what finds the Front.
    expect(weightOf('mặt trận ở đâu', 'mat_tran') / weightOf('mặt trận ở đâu', 'mat_tran', off)).toBeGreaterThan(0.6);
    // "sao mộc": "mộc" is as rare as the pair, which adds little.
    expect(weightOf('sao mộc nặng bao nhiêu', 'sao_moc') / weightOf('sao mộc nặng bao nhiêu', 'sao_moc', off)).toBeLessThan(0.4);
  });

  it('weighs a pair with a grammatical word in it as grammar; words outside the stop list only when the question is accented', () => {
    const full = { gluePair: 1 };
    const accented = 'khối lượng của sao mộc';
    expect(weightOf(accented, 'cua_sao')).toBeGreaterThan(0);
    expect(weightOf(accented, 'cua_sao') / weightOf(accented, 'cua_sao', full)).toBeCloseTo(DEFAULT_PLAN_WEIGHTS.gluePair);
    // Compounds of two content words are untouched.
    expect(weightOf(accented, 'khoi_luong')).toBe(weightOf(accented, 'khoi_luong', full));
    // Without accents "tu" may be "tư", "tử", "tù"… ("tu trai" is not surely grammar): left as it is.
    expect(weightOf('nhìn sao mộc từ trái đất', 'tu_trai') / weightOf('nhìn sao mộc từ trái đất', 'tu_trai', full)).toBeCloseTo(DEFAULT_PLAN_WEIGHTS.gluePair);
    // Stop words are grammar with or without accents ("cua" for "của").
    expect(weightOf('khoi luong cua sao moc', 'cua_sao') / weightOf('khoi luong cua sao moc', 'cua_sao', full)).toBeCloseTo(DEFAULT_PLAN_WEIGHTS.gluePair);
    const plain = 'nhin sao moc tu trai dat';
    expect(weightOf(plain, 'tu_trai')).toBeGreaterThan(0);
    expect(weightOf(plain, 'tu_trai')).toBe(weightOf(plain, 'tu_trai', full));
  });

  it('treats the syllables of a stop phrase as stop words', () => {
    const plan = planQuery('tuy nhiên gặp mặt ở đâu', index, lexicon);
    expect(plan.content.has('tuy')).toBe(false);
    expect(plan.content.has('nhien')).toBe(false);
    expect(plan.content.has('gap')).toBe(true);
    expect(plan.pairs.has('tuy_nhien')).toBe(false);
    // Only with its accents: "vị thế" is a content word, "vì thế" a connective; unaccented, neither is assumed.
    const viThe = planQuery('vị thế của phụ nữ', index, lexicon);
    expect(viThe.content.has('vi')).toBe(true);
    expect(viThe.content.has('the')).toBe(true);
    expect(planQuery('vì thế phụ nữ', index, lexicon).content.has('the')).toBe(false);
    expect(planQuery('vi the cua phu nu', index, lexicon).content.has('the')).toBe(true);
  });

  it('keeps pair weights between 0 and the pair weight when removed documents still count in the frequencies', () => {
    const churned = ArticleIndex.create();
    // "mặt" in ten documents replaced four times (40 postings until compaction, 10 documents); "mặt trận" in one.
    for (let round = 0; round < 4; round++) for (let i = 0; i < 10; i++) churned.upsert(doc(`d-${i}`, `Gặp mặt lần ${round}.`));
    churned.upsert(doc('mttq', 'Mặt trận Tổ quốc.'));
    const weight = planQuery('mặt trận', churned, lexicon).weights.get('mat_tran')!;
    expect(weight).toBeGreaterThanOrEqual(0);
    expect(weight).toBeLessThanOrEqual(DEFAULT_PLAN_WEIGHTS.pair);
  });
});

describe('query plan: names', () => {
  // "covid" is in most documents; "dota" and "facebook" in one each; "ubnd" is an abbreviation of the lexicon.
  const names = ArticleIndex.create();
  for (let i = 0; i < 40; i++) names.upsert(doc(`covid-${i}`, `Tin covid số ${i}: nguồn tin từ UBND xã, người dân được tiêm vắc xin.`));
  names.upsert(doc('dota', 'Dota 2 là trò chơi chiến thuật thời gian thực.'));
  names.upsert(doc('tango', 'Tango có nguồn gốc từ Argentina.'));
  names.upsert(doc('facebook', 'Tên Facebook bắt nguồn từ cuốn sổ có hình mặt.'));
  names.upsert(doc('bhxh', 'BHXH huyện chi trả lương hưu tại bưu điện.'));
  names.upsert(doc('qh', 'Quốc hội khóa XIV họp kỳ thứ nhất.'));
  const plan = (q: string, foreignWord = DEFAULT_PLAN_WEIGHTS.foreignWord) => planQuery(q, names, lexicon, { ...DEFAULT_PLAN_WEIGHTS, foreignWord });

  it('weighs a rare word that is not a Vietnamese syllable as the name the question is about', () => {
    for (const q of ['Nguồn gốc dota 2?', 'nguon goc DOTA 2']) {
      expect(plan(q).weights.get('dota'), q).toBeCloseTo((1 + DEFAULT_PLAN_WEIGHTS.foreignWord) * plan(q, 0).weights.get('dota')!);
      expect(plan(q).content.get('dota'), q).toBeCloseTo((1 + DEFAULT_PLAN_WEIGHTS.foreignWord) * plan(q, 0).content.get('dota')!);
      // Vietnamese syllables keep their weight.
      expect(plan(q).content.get('nguon'), q).toBe(plan(q, 0).content.get('nguon'));
    }
    expect(plan('ý nghĩa tên facebook').content.get('facebook')).toBeGreaterThan(plan('ý nghĩa tên facebook', 0).content.get('facebook')!);
  });

  it('does not count a word most documents have, an abbreviation, or a word no document has as a name', () => {
    expect(plan('covid tiêm ở đâu').content.get('covid')).toBe(plan('covid tiêm ở đâu', 0).content.get('covid'));
    expect(plan('UBND xã ở đâu').content.get('ubnd')).toBe(plan('UBND xã ở đâu', 0).content.get('ubnd'));
    // "bhxh" is in one document of 45, as rare as "dota": only being an abbreviation keeps it from counting.
    expect(plan('BHXH ở đâu').content.get('bhxh')).toBe(plan('BHXH ở đâu', 0).content.get('bhxh'));
    // A word no document has is a typo or slang, not a name.
    expect(plan('hixx dota là gì').weights.get('hixx') ?? 0).toBe(plan('hixx dota là gì', 0).weights.get('hixx') ?? 0);
    expect(plan('hixx dota là gì').content.get('hixx')).toBe(plan('hixx dota là gì', 0).content.get('hixx'));
    // Nor is a Roman numeral ("khóa XIV").
    expect(plan('Quốc hội khóa XIV họp ở đâu').content.get('xiv')).toBe(plan('Quốc hội khóa XIV họp ở đâu', 0).content.get('xiv'));
  });

  it('finds the document with the name before the one with the common words', () => {
    const ids = names.lookup({ weights: plan('Nguồn gốc dota 2?').weights, limit: 2 }).map((c) => c.doc.id);
    expect(ids[0]).toBe('dota');
  });
});

describe('query plan: provinces and years', () => {
  const plan = (q: string) => planQuery(q, index, lexicon);

  it('does not take a one-syllable name with other accents for a province', () => {
    expect(plan('bà Huệ có bao nhiêu dịch vụ công').provinces).toEqual([]);
    expect(plan('Huế có bao nhiêu dịch vụ công').provinces.map((p) => p.name)).toEqual(['Huế']);
    // Without accents "hue" may be Huế.
    expect(plan('hue co bao nhieu dich vu cong').provinces.map((p) => p.name)).toEqual(['Huế']);
  });

  it('reads a year as a date only after "năm" or "Tết", at the end of a date or in a span of years', () => {
    expect(plan('năm 2017 cả nước có bao nhiêu vụ').datedYears).toEqual([2017]);
    expect(plan('Tết Đinh Mùi 2027 tỉnh tặng bao nhiêu suất quà').datedYears).toEqual([2027]);
    expect(plan('lich nghi tet am lich 2027 duoc may ngay').datedYears).toEqual([2027]);
    expect(plan('đại hội nhiệm kỳ 2029-2034 tổ chức ở đâu').datedYears).toEqual([2029, 2034]);
    expect(plan('tháng 11/2026 ai về dự ngày hội').datedYears).toEqual([2026]);
    expect(plan('hạn chót là ngày 30/6/2017 phải không').datedYears).toEqual([2017]);
    expect(plan('nam 2016 tinh gian duoc bao nhieu').datedYears).toEqual([2016]);
    // A count is no year, though it is one for the publication-year boost.
    expect(plan('xã hỗ trợ 2000 hộ nghèo bao nhiêu tiền').datedYears).toEqual([]);
    expect(plan('xã hỗ trợ 2000 hộ nghèo bao nhiêu tiền').years).toEqual([2000]);
  });
});
