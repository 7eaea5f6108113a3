import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/search/analyzer.js';
import { expandShorthand, loadLexicon } from '../../src/search/lexicon.js';
import { ROOT } from '../helpers/shared.js';

const lexicon = loadLexicon(join(ROOT, 'data', 'lexicon'));
const provinceIn = (q: string) => lexicon.provinceNames.find(tokenize(q)).map((m) => m.value.name);

describe('lexicon', () => {
  it('has the 34 provinces, each of the 63 former ones mapped exactly once', () => {
    expect(lexicon.provinces).toHaveLength(34);
    const former = lexicon.provinces.flatMap((p) => p.former);
    expect(former).toHaveLength(63);
    expect(new Set(former).size).toBe(63);
  });

  it('maps old province names to the province they merged into', () => {
    expect(provinceIn('Chủ tịch MTTQ tỉnh Quảng Bình là ai?')).toEqual(['Quảng Trị']);
    expect(provinceIn('mttq quang nam')).toEqual(['Đà Nẵng']);
  });

  it('recognises provinces without diacritics, with either tone convention, and by common aliases', () => {
    expect(provinceIn('quy vi nguoi ngheo lao cai')).toEqual(['Lào Cai']);
    expect(provinceIn('Thanh Hoá và Khánh Hoà')).toEqual(['Thanh Hóa', 'Khánh Hòa']);
    expect(provinceIn('ở TP.HCM')).toEqual(['Hồ Chí Minh']);
    expect(provinceIn('Sài Gòn')).toEqual(['Hồ Chí Minh']);
    expect(provinceIn('HN')).toEqual(['Hà Nội']);
  });

  it('expands the abbreviations citizens use', () => {
    for (const [abbr, expansion] of [
      ['mttq', 'mặt trận tổ quốc'],
      ['ubnd', 'uỷ ban nhân dân'],
      ['hdnd', 'hội đồng nhân dân'],
      ['bhxh', 'bảo hiểm xã hội'],
      ['bhyt', 'bảo hiểm y tế'],
      ['attp', 'an toàn thực phẩm'],
      ['ccb', 'cựu chiến binh'],
      ['tw', 'trung ương'],
      ['bchtw', 'ban chấp hành trung ương'],
    ] as const) {
      expect(lexicon.abbreviations.get(abbr), abbr).toContain(expansion);
    }
  });

  it('finds the abbreviation of a spelled-out phrase (expansion the other way)', () => {
    expect(lexicon.expansions.find(tokenize('Ủy ban nhân dân tỉnh')).map((m) => m.value)).toContain('ubnd');
    expect(lexicon.expansions.find(tokenize('mat tran to quoc')).map((m) => m.value)[0]).toMatch(/^mttq/);
  });

  it('keeps question words out of the stop words', () => {
    for (const w of ['ai', 'bao', 'nhieu', 'khi', 'nao', 'dau', 'gi']) expect(lexicon.stopwords.has(w), w).toBe(false);
    expect(lexicon.questionWords.find(tokenize('ai là chủ tịch')).map((m) => m.value)).toEqual(['person']);
    expect(lexicon.questionWords.find(tokenize('ủng hộ bao nhiêu tiền')).map((m) => m.value)).toEqual(['quantity']);
  });

  it('writes out chat shorthand, whole tokens only, "bn" only where it means bao nhiêu', () => {
    const read = (q: string) => expandShorthand(tokenize(q), lexicon).join(' ');
    expect(read('có đc ko')).toBe('có được không');
    expect(read('Có ĐC KO')).toBe('có được không');
    // "mn" (mọi người) addresses the readers: dropped.
    expect(read('giá bn vậy mn')).toBe('giá bao nhiêu vậy');
    expect(read('bn ơi cho mình hỏi')).toBe('bn ơi cho mình hỏi');
    expect(read('bn có biết không')).toBe('bn có biết không');
    expect(read('cảm ơn bn')).toBe('cảm ơn bn');
    expect(read('nhờ bn tư vấn giúp')).toBe('nhờ bn tư vấn giúp');
    // Before a counted noun it is "bao nhiêu" even where "bạn" could follow: "cho bn tập thể", "cho bn biết".
    expect(read('tặng bằng khen cho bn tập thể')).toBe('tặng bằng khen cho bao nhiêu tập thể');
    expect(read('bn người được hỗ trợ')).toBe('bao nhiêu người được hỗ trợ');
    expect(read('cho bn biết nhé')).toBe('cho bn biết nhé');
    expect(read('cho bn nguoi ngheo')).toBe('cho bao nhiêu nguoi ngheo');
    // "bn ý" is "bạn ấy", "nhờ bn hộ" is "nhờ bạn giúp": neither word forces "bao nhiêu".
    expect(read('nhờ bn hộ mình với')).toBe('nhờ bn hộ mình với');
    expect(read('bn ý được hỗ trợ chưa')).toBe('bn ý được hỗ trợ chưa');
    // "z" is "vậy" only at the end; "mk" (mật khẩu) and "vs" (vệ sinh) are left alone.
    expect(read('sao z')).toBe('sao vậy');
    expect(read('thế hệ gen z thích gì')).toBe('thế hệ gen z thích gì');
    expect(read('quên mk vneid')).toBe('quên mk vneid');
    expect(read('nhà vs công cộng')).toBe('nhà vs công cộng');
    // Not inside words, and not what is something else too often (K = cancer, ng/ml).
    expect(read('kok koi hokk')).toBe('kok koi hokk');
    expect(read('mổ K giáp, 5 ng/ml')).toBe('mổ k giáp 5 ng ml');
  });
});
