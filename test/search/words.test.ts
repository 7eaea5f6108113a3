import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldDiacritics } from '../../src/search/analyzer.js';
import { alternation, parseWords, WORDS } from '../../src/search/words.js';
import { ROOT } from '../helpers/shared.js';

describe('word lists (data/lexicon/words.json)', () => {
  it('are loaded and checked, each list without repeats', () => {
    const lists: string[][] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) lists.push(v as string[]);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(WORDS);
    expect(lists.length).toBeGreaterThan(30);
    for (const list of lists) expect(new Set(list).size).toBe(list.length);
  });

  it('keeps the folded lists folded', () => {
    for (const list of [WORDS.greeting.phrases, WORDS.greeting.addressees, WORDS.thanks.phrases, WORDS.today.words, WORDS.moneyUnits, WORDS.subjectLeadIns]) {
      for (const w of list) expect(foldDiacritics(w)).toBe(w);
    }
  });

  it('refuses a file with a list missing or empty', () => {
    const json = JSON.parse(readFileSync(join(ROOT, 'data', 'lexicon', 'words.json'), 'utf8')) as Record<string, unknown>;
    expect(() => parseWords({ ...json, moneyUnits: [] })).toThrow();
    const { honorifics: _, ...missing } = json;
    expect(() => parseWords(missing)).toThrow();
  });

  it('makes an alternation that matches the words as written, dots included', () => {
    const re = new RegExp(`^(?:${alternation(['TP.', 'a+b'])})$`);
    expect(re.test('TP.')).toBe(true);
    expect(re.test('TPx')).toBe(false);
    expect(re.test('a+b')).toBe(true);
  });
});
