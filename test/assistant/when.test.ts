import { describe, expect, it } from 'vitest';
import { asksToday, formatWhen, isRecent, parseWhen, recencyDays, vietnamToday } from '../../src/assistant/when.js';
import { foldText, tokenize } from '../../src/search/analyzer.js';

const now = new Date('2026-11-27T10:00:00+07:00');
const vn = (d: Date | undefined) => (d ? formatWhen(d) : undefined);

describe('parseWhen (Vietnam time)', () => {
  it('reads a time and a date in the usual orders', () => {
    expect(vn(parseWhen('08:00 25/12', now))).toBe('08:00 ngày 25/12/2026');
    expect(vn(parseWhen('25/12 8h', now))).toBe('08:00 ngày 25/12/2026');
    expect(vn(parseWhen('8h30 25/12/2027', now))).toBe('08:30 ngày 25/12/2027');
    expect(vn(parseWhen('7 giờ tối 1/1', now))).toBe('19:00 ngày 01/01/2027');
  });

  it('reads tomorrow and today, and rolls a past hour to the next day', () => {
    expect(vn(parseWhen('mai 7h', now))).toBe('07:00 ngày 28/11/2026');
    expect(vn(parseWhen('ngày mai 7h30', now))).toBe('07:30 ngày 28/11/2026');
    expect(vn(parseWhen('hôm nay 15:30', now))).toBe('15:30 ngày 27/11/2026');
    expect(vn(parseWhen('15h', now))).toBe('15:00 ngày 27/11/2026');
    expect(vn(parseWhen('9h', now))).toBe('09:00 ngày 28/11/2026');
    expect(vn(parseWhen('mai 7 giờ sáng', now))).toBe('07:00 ngày 28/11/2026');
  });

  it('refuses what it cannot read or what is past', () => {
    expect(parseWhen('sớm nhất có thể', now)).toBeUndefined();
    expect(parseWhen('25h', now)).toBeUndefined();
    expect(parseWhen('8h 31/02', now)).toBeUndefined();
    expect(parseWhen('hôm nay 9h', now)).toBeUndefined();
    expect(parseWhen('8h 20/11/2026', now)).toBeUndefined();
  });
});

describe('asksToday', () => {
  it('recognises questions about today’s date or the time, typed either way', () => {
    for (const q of [
      'hôm nay là thứ mấy, ngày bao nhiêu',
      'hnay ngay bao nhieu vay',
      'hnay ngày mấy z',
      'Hôm nay mùng mấy?',
      'bây giờ là mấy giờ rồi',
      'cho mình hỏi hôm nay thứ mấy',
    ])
      expect(asksToday(foldText(q)), q).toBe(true);
  });

  it('leaves questions that go on about something else, the lunar date, and dates of events to the search', () => {
    for (const q of [
      'hôm nay là ngày gì vậy ad',
      'hôm nay ngày bao nhiêu thì hết hạn đăng ký?',
      'hôm nay ngày bao nhiêu âm lịch',
      'Ngày hội Đại đoàn kết năm nay tổ chức ngày nào',
      'hôm nay có tin gì mới',
      'thứ mấy họp tổ dân phố',
    ])
      expect(asksToday(foldText(q)), q).toBe(false);
  });

  it('reads the day in Vietnam time', () => {
    expect(vietnamToday(new Date('2026-11-28T05:00:00Z'))).toEqual({ weekday: 6, date: '28/11/2026', time: '12:00' });
    // 18:30 UTC on Saturday is 01:30 on Sunday in Vietnam.
    expect(vietnamToday(new Date('2026-11-28T18:30:00Z'))).toEqual({ weekday: 0, date: '29/11/2026', time: '01:30' });
  });
});

describe('questions about the last or next few days', () => {
  it('knows how fresh an answer must be, with or without diacritics', () => {
    expect(recencyDays(tokenize('Ngày mai Hà Nội có mưa không?'))).toBe(3);
    expect(recencyDays(tokenize('tối qua MU đá với Liverpool tỉ số mấy'))).toBe(3);
    expect(recencyDays(tokenize('hom nay ha noi co mua khong ban'))).toBe(3);
    expect(recencyDays(tokenize('giờ này đường Nguyễn Trãi có kẹt xe không'))).toBe(3);
    expect(recencyDays(tokenize('tuần này Mặt trận quận có họp không'))).toBe(10);
    // Partly accented: each word is read as typed.
    expect(recencyDays(tokenize('hom nay Hà Nội có mưa không'))).toBe(3);
  });

  it('leaves questions that do not say when, and words that are something else without diacritics', () => {
    for (const q of [
      'Quỹ Vì người nghèo năm 2023 vận động được bao nhiêu',
      'toi nay bi phat bao nhieu nam',
      'Chủ tịch MTTQ hiện nay là ai',
      'Ngày hội Đại đoàn kết tổ chức ngày nào',
      // "currently", and the asker's own story
      'Bây giờ mức lương cơ sở là bao nhiêu?',
      'bay gio muc luong co so la bao nhieu',
      'Hôm qua tôi bị mất thẻ căn cước, làm lại ở đâu?',
      'Tuần trước em mất thẻ căn cước, bao lâu thì cấp lại?',
    ])
      expect(recencyDays(tokenize(q)), q).toBeUndefined();
  });

  it('compares a publication date with the clock, and an undated article is never recent', () => {
    const at = new Date('2026-11-28T10:00:00+07:00');
    expect(isRecent('2026-11-27', at, 3)).toBe(true);
    expect(isRecent('2017-06-15', at, 3)).toBe(false);
    expect(isRecent(undefined, at, 3)).toBe(false);
    expect(isRecent('not a date', at, 3)).toBe(false);
  });
});
