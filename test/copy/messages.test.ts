import { describe, expect, it } from 'vitest';
import { formatDate, messages, privacyText, quoteTitle, staffText, ticketText } from '../../src/copy/messages.js';
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

  it('says what staff and citizens read in Vietnamese, true on every channel', () => {
    // The audit line of an erasure: no trailing colon, the kinds named in Vietnamese.
    expect(privacyText.auditAction).not.toMatch(/:$/);
    expect(
      privacyText.auditDetail('zalo:abcdef', [
        { kind: 'chat', count: 1 },
        { kind: 'unanswered', count: 1 },
        { kind: 'ticket', count: 2 },
      ]),
    ).toBe('zalo:abcdef (ngữ cảnh trò chuyện 1, câu chưa trả lời được 1, câu hỏi chuyển cán bộ 2)');
    expect(privacyText.auditDetail('zalo:abcdef', [])).toBe('zalo:abcdef');
    // Every kind the audit line or /dulieucuatoi names has a label; the two records of one unanswered question say how they differ.
    for (const kind of Object.keys(privacyText.kinds)) expect(privacyText.auditKinds[kind], kind).toBeTruthy();
    expect(privacyText.kinds.unanswered).not.toBe(privacyText.kinds.inbox);
    expect(privacyText.kinds.inbox).toContain('hộp thư cán bộ');
    // Under a minute is said so; a waiting answer's opener fits the web chat as well as Telegram and Zalo.
    expect(ticketText.stats({ open: 0, medianHours: 0.001, delivered: 1, askers: 1 })).toContain('dưới 1 phút');
    expect(ticketText.stats({ open: 0, medianHours: 0.5, delivered: 1, askers: 1 })).toContain('30 phút');
    expect(ticketText.waitedLine(12)).toBe('Cán bộ Mặt trận đã trả lời câu hỏi của bạn (mã #12):');
    expect(ticketText.report(3, 1, 2)).toContain('trang web');
  });
});
