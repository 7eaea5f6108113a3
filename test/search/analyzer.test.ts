import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clauses, foldDiacritics, foldText, foldTokens, hasDiacritics, indexTerms, normalizeText, tokenize } from '../../src/search/analyzer.js';

const vietnamese = fc.string({
  unit: fc.constantFrom(...'aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ AĐÔƯ,.?!0123456789\n-'.split('')),
});

describe('analyzer', () => {
  it('gives the same terms for NFC and NFD input', () => {
    fc.assert(
      fc.property(vietnamese, (s) => {
        expect(indexTerms(s.normalize('NFD'))).toEqual(indexTerms(s.normalize('NFC')));
      }),
    );
  });

  it('is idempotent: normalizing or folding twice changes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(vietnamese, fc.string()), (s) => {
        expect(normalizeText(normalizeText(s))).toBe(normalizeText(s));
        expect(foldDiacritics(foldDiacritics(s))).toBe(foldDiacritics(s));
      }),
    );
  });

  it('splits the normalized text into clauses of its tokens', () => {
    // The reference: normalize the whole text, split it at the clause breaks, take each part's tokens.
    const reference = (s: string) =>
      normalizeText(s)
        .split(/[.,;:!?()[\]{}"“”'‘’«»…\n\r\t|/\\–—-]+/u)
        .map((part) => part.match(/\d+(?:[.,]\d+)*|[\p{L}\p{M}]+|\d+/gu) ?? [])
        .filter((tokens) => tokens.length > 0);
    fc.assert(
      fc.property(fc.oneof(vietnamese, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), (s) => {
        expect(clauses(s)).toEqual(reference(s));
      }),
      { numRuns: 1000 },
    );
    expect(clauses('Hòa BÌNH, kĩ thuật; ngiên cứu 2.300 tỉ')).toEqual([
      ['hoà', 'bình'],
      ['kỹ', 'thuật'],
      ['nghiên', 'cứu', '2'],
      ['300', 'tỷ'],
    ]);
  });

  it('never produces an empty term or a term with spaces', () => {
    fc.assert(
      fc.property(fc.oneof(vietnamese, fc.string()), (s) => {
        for (const t of indexTerms(s)) {
          expect(t.length).toBeGreaterThan(0);
          expect(t).not.toMatch(/\s/);
        }
      }),
    );
  });

  it('indexes folded syllables, accented syllables as written, and folded adjacent pairs', () => {
    expect(indexTerms('Mặt trận Tổ quốc')).toEqual(['mat', 'mặt', 'tran', 'trận', 'mat_tran', 'to', 'tổ', 'tran_to', 'quoc', 'quốc', 'to_quoc']);
  });

  it('gives "mat tran to quoc" every folded term of "Mặt trận Tổ quốc"', () => {
    const accented = new Set(indexTerms('Mặt Trận Tổ Quốc'));
    for (const t of indexTerms('mat tran to quoc')) expect(accented).toContain(t);
  });

  it('does not build pairs across punctuation', () => {
    expect(indexTerms('Quảng Bình, Gia Lai')).not.toContain('binh_gia');
    expect(clauses('Quảng Bình, Gia Lai')).toEqual([
      ['quảng', 'bình'],
      ['gia', 'lai'],
    ]);
  });

  it('uses one tone-mark convention (hòa = hoà, thủy = thuỷ, khỏe = khoẻ)', () => {
    expect(normalizeText('Hòa Bình')).toBe(normalizeText('Hoà Bình'));
    expect(normalizeText('thủy lợi')).toBe(normalizeText('thuỷ lợi'));
    expect(normalizeText('sức khỏe')).toBe('sức khoẻ');
    expect(normalizeText('Thanh Hóa')).toBe('thanh hoá');
    expect(normalizeText('Ủy ban')).toBe('uỷ ban');
    expect(normalizeText('hoàng quý quá mùa')).toBe('hoàng quý quá mùa');
  });

  it('uses one spelling of i/y after a consonant (lí = lý, kĩ = kỹ, tỉ = tỷ, quí = quý) and keeps other rhymes apart', () => {
    expect(normalizeText('lí do kĩ thuật')).toBe('lý do kỹ thuật');
    expect(normalizeText('1,2 tỉ đồng, công ti')).toBe('1,2 tỷ đồng, công ty');
    expect(normalizeText('quí vị, hi sinh, bác sĩ, đăng kí')).toBe('quý vị, hy sinh, bác sỹ, đăng ký');
    expect(normalizeText('tai tay khi thi ghi gì nghỉ')).toBe('tai tay khi thi ghi gì nghỉ');
    expect(indexTerms('ly do')).toEqual(indexTerms('li do'));
  });

  it('corrects the ng/ngh and g/gh spelling rule (nghành = ngành, ngiên = nghiên) and leaves correct words alone', () => {
    expect(normalizeText('chuyển Nghành, ngiên cứu, ý ngĩa, con ghà, ngề')).toBe('chuyển ngành, nghiên cứu, ý nghĩa, con gà, nghề');
    expect(normalizeText('ngành nghiên nghe nghề ghế ghẹ gì giá nguyên ngoài ngưỡng ngắn')).toBe(
      'ngành nghiên nghe nghề ghế ghẹ gì giá nguyên ngoài ngưỡng ngắn',
    );
    // Foreign words are not Vietnamese syllables and keep their spelling.
    expect(normalizeText('Ghana, ghost, nginx')).toBe('ghana, ghost, nginx');
    expect(indexTerms('hoc nghanh thu 2')).toEqual(indexTerms('học ngành thứ 2').filter((t) => !/[^\x20-\x7e]/.test(t)));
  });

  it('lowercases đ and folds it to d', () => {
    expect(tokenize('ĐẠI ĐOÀN KẾT')).toEqual(['đại', 'đoàn', 'kết']);
    expect(foldDiacritics('Đại đoàn kết')).toBe('Dai doan ket');
  });

  it('keeps numbers with inner separators as one token', () => {
    expect(tokenize('ủng hộ 2,3 tỷ đồng và 5.000 suất quà ngày 19/4/2022')).toEqual([
      'ủng',
      'hộ',
      '2,3',
      'tỷ',
      'đồng',
      'và',
      '5.000',
      'suất',
      'quà',
      'ngày',
      '19',
      '4',
      '2022',
    ]);
  });

  it('strips control characters and reads invisible separators as spaces', () => {
    expect(tokenize('Mặt\u0007 trận\u200b')).toEqual(['mặt', 'trận']);
    expect(tokenize('Mặt\u200btrận\u2060Tổ\ufeffquốc')).toEqual(['mặt', 'trận', 'tổ', 'quốc']);
    expect(indexTerms('mặt\u200btrận')).toContain('mat_tran');
  });

  it('treats HTML as text, not markup', () => {
    expect(tokenize('<b>MTTQ</b> &amp;')).toEqual(['b', 'mttq', 'b', 'amp']);
  });

  it('knows whether a text carries diacritics', () => {
    expect(hasDiacritics('mat tran')).toBe(false);
    expect(hasDiacritics('mặt trận')).toBe(true);
    expect(hasDiacritics('dong')).toBe(false);
    expect(hasDiacritics('đong')).toBe(true);
  });

  it('folds a text to its tokens without marks, as a list or joined by single spaces', () => {
    expect(foldTokens('Hòa Bình!  Đắk Lắk')).toEqual(['hoa', 'binh', 'dak', 'lak']);
    expect(foldText('  Mặt trận, Tổ quốc… 2,5 tỷ ')).toBe('mat tran to quoc 2,5 ty');
    expect(foldText('?! …')).toBe('');
    fc.assert(
      fc.property(vietnamese, (s) => {
        expect(foldText(s)).toBe(foldTokens(s).join(' '));
        expect(foldText(foldText(s))).toBe(foldText(s));
      }),
    );
  });
});
