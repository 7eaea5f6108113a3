import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanInvisible, cleanText, countChars, normalizeMessage, sliceChars } from '../../src/text/normalize.js';

describe('text normalization', () => {
  it('reads invisible separators and Unicode spaces as spaces instead of gluing the words', () => {
    for (const sep of ['\u200b', '\u200c', '\u2060', '\ufeff', '\u00a0', '\u202f', '\u3000', '\u2028', '\u2029', '\u180e'])
      expect(cleanText(`Mặt${sep}trận`), JSON.stringify(sep)).toBe('Mặt trận');
    expect(cleanText('Quỹ\u200b\u200bVì  người\u00a0\u200bnghèo')).toBe('Quỹ Vì người nghèo');
  });

  it('removes control, bidi and format characters and lone surrogates', () => {
    expect(cleanInvisible('a\u0000b\u0007c\u202ed\u2066e\u00adf\u200eg\ud800h\udfffi')).toBe('abcdefghi');
  });

  it('keeps tabs and line breaks, and a zero-width joiner only inside an emoji sequence', () => {
    expect(normalizeMessage('  /thongbao Dòng 1\n\tDòng 2\u200b ')).toBe('/thongbao Dòng 1\n\tDòng 2');
    expect(cleanInvisible('👩‍💻 🏳️‍🌈 🧑🏽‍🌾')).toBe('👩‍💻 🏳️‍🌈 🧑🏽‍🌾');
    expect(cleanInvisible('a\u200db 👩\u200dx')).toBe('a b 👩 x');
  });

  it('gives back text with nothing to clean as it is, and cleans every character it would clean in other text', () => {
    // A leading "\r" makes the text one to clean, so the second call takes the full path for the same character.
    for (let code = 0; code <= 0x10ffff; code += code < 0x10000 ? 1 : 97) {
      const text = `a${String.fromCodePoint(code)}b`;
      expect(cleanInvisible(text), code.toString(16)).toBe(cleanInvisible(`\r${text}`).slice(1));
    }
  });

  it('writes every line break as \\n', () => {
    expect(normalizeMessage('Dòng 1\r\nDòng 2\rDòng 3')).toBe('Dòng 1\nDòng 2\nDòng 3');
  });

  it('composes to NFC', () => {
    expect(normalizeMessage('Ho\u0300a Bi\u0300nh'.normalize('NFD'))).toBe('Hòa Bình');
  });

  it('counts and cuts characters, not UTF-16 units', () => {
    expect(countChars('😀a')).toBe(2);
    expect(countChars('Việt'.normalize('NFD'))).toBe(6);
    expect(countChars(normalizeMessage('Việt'.normalize('NFD')))).toBe(4);
    expect(sliceChars('😀😀😀', 2)).toBe('😀😀');
    expect(sliceChars('abc', 5)).toBe('abc');
  });

  it('leaves no invisible separators, controls or lone surrogates, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const once = cleanText(s);
        expect(cleanText(once)).toBe(once);
        expect(once).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u2060\ufeff\u2028\u2029\p{Cs}]|\s\s|^\s|\s$/u);
        expect(countChars(sliceChars(once, 10))).toBeLessThanOrEqual(10);
      }),
    );
  });
});
