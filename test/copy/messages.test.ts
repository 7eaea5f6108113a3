import { describe, expect, it } from 'vitest';
import { formatDate, messages, quoteTitle, staffText } from '../../src/copy/messages.js';
import { vnDateLabel } from '../../src/digest/time.js';

describe('copy', () => {
  it('shows an instant on the day it is in Vietnam, whatever zone it was written in', () => {
    expect(formatDate('2026-12-06T19:52:55Z')).toBe('07/12/2026');
    expect(formatDate('2026-12-06T16:59:59Z')).toBe('06/12/2026');
    expect(formatDate('2026-12-06T17:00:00.000Z')).toBe('07/12/2026');
    expect(formatDate('2026-12-06T23:30:00-05:00')).toBe('07/12/2026');
    expect(formatDate('2026-12-07T01:00:00+07:00')).toBe('07/12/2026');
    expect(formatDate('2026-12-07T01:00:00+0900')).toBe('06/12/2026');
    expect(vnDateLabel(new Date('2026-12-06T19:52:55Z'))).toBe('07/12/2026');
  });

  it('keeps a calendar day, and a time without a zone (Vietnam time), on the day written', () => {
    expect(formatDate('2026-12-06')).toBe('06/12/2026');
    expect(formatDate('2026-12-06T23:30:00')).toBe('06/12/2026');
    expect(formatDate(undefined)).toBeUndefined();
    expect(formatDate('06/12/2026')).toBeUndefined();
  });

  it('quotes a title only when it holds no quotation marks of its own', () => {
    expect(quoteTitle('Quỹ Vì người nghèo')).toBe('“Quỹ Vì người nghèo”');
    for (const title of ['Cuộc vận động “Vì người nghèo”', 'Phong trào "Toàn dân đoàn kết"', 'Chương trình «Mái ấm»']) expect(quoteTitle(title)).toBe(title);
    expect(messages.answer('Câu trích.', 'Cuộc vận động “Vì người nghèo”', '07/12/2026', undefined)).toBe(
      'Theo bài Cuộc vận động “Vì người nghèo” (07/12/2026):\n“Câu trích.”',
    );
    expect(messages.programAnswer('Câu trích.', 'Quỹ “Vì người nghèo”', undefined)).toBe('Theo thông tin về Quỹ “Vì người nghèo”:\n“Câu trích.”');
    expect(messages.alsoSaid('Câu khác.', 'Hội nghị', undefined)).toBe('Bài “Hội nghị” cho biết thêm:\n“Câu khác.”');
    expect(messages.searchTitle('"Vì người nghèo"', 1, 5, 7)).toBe('Kết quả cho "Vì người nghèo" (1–5 trong 7):');
    expect(staffText.removed('a1', 'Cuộc vận động “Vì người nghèo”')).toMatch(/^Đã gỡ bài Cuộc vận động “Vì người nghèo” \(a1\)/);
  });
});
