import { describe, expect, it } from 'vitest';
import { analyseDoc, analyseSentence, createProvinceFinder } from '../../src/answer/analysis.js';
import { article, lexicon } from './fixtures.js';

const provinces = createProvinceFinder(lexicon);

describe('analysis', () => {
  it('gives a sentence its folded and accented syllables, pairs inside clauses, triples and counts', () => {
    const s = analyseSentence('Năm 2024, xã Hòa An hỗ trợ 30 hộ nghèo, mỗi hộ 5.000.000 đồng.');
    expect([...s.terms]).toEqual([
      'nam',
      '2024',
      'nam_2024',
      'xa',
      'hoa',
      'xa_hoa',
      'an',
      'hoa_an',
      'ho',
      'an_ho',
      'tro',
      'ho_tro',
      '30',
      'tro_30',
      '30_ho',
      'ngheo',
      'ho_ngheo',
      'moi',
      'moi_ho',
      '5',
      'ho_5',
      '000',
      'dong',
      '000_dong',
    ]);
    expect([...s.exact]).toEqual(['năm', '2024', 'xã', 'hoà', 'an', 'hỗ', 'trợ', '30', 'hộ', 'nghèo', 'mỗi', '5', '000', 'đồng']);
    expect([...s.triples]).toEqual(['xa_hoa_an', 'hoa_an_ho', 'an_ho_tro', 'ho_tro_30', 'tro_30_ho', '30_ho_ngheo', 'moi_ho_5']);
    expect(s.numbers).toEqual(['30', '5', '000']);
    expect(s).toMatchObject({ hasPerson: false, hasPlace: true });
    expect(analyseSentence('Hội nghị diễn ra ngày 5/3 tại Hội trường.').hasDate).toBe(true);
  });

  it('gives a document the terms of its title and sentences, in the order they first occur', () => {
    const doc = article('ho-ngheo', 'Hỗ trợ hộ nghèo ở Hòa An', ['Xã Hòa An trao 30 suất quà.', 'Mỗi suất quà trị giá 500.000 đồng.']);
    const d = analyseDoc(doc, provinces.namesAnyProvince);
    const parts = [analyseSentence(doc.title), ...d.sentences];
    expect(d.sentences.map((s) => s.text)).toEqual(['Xã Hòa An trao 30 suất quà.', 'Mỗi suất quà trị giá 500.000 đồng.']);
    expect([...d.terms]).toEqual([...new Set(parts.flatMap((s) => [...s.terms]))]);
    expect([...d.exact]).toEqual([...new Set(parts.flatMap((s) => [...s.exact]))]);
  });
});
