import { describe, expect, it } from 'vitest';
import { parseVietnameseDate, toVietnamIso } from '../../src/ingest/dates.js';

const now = () => new Date('2024-12-05T03:00:00Z'); // 10:00 on 5 Dec 2024, Vietnam time

describe('parseVietnameseDate', () => {
  it.each([
    ['19/04/2022 08:30', '2022-04-19T08:30:00+07:00'],
    ['08:30 19/04/2022', '2022-04-19T08:30:00+07:00'],
    ['08:30, 19/04/2022', '2022-04-19T08:30:00+07:00'],
    ['Thứ ba, 19/4/2022', '2022-04-19T00:00:00+07:00'],
    ['Thứ Ba, 19/04/2022, 08:30 (GMT+7)', '2022-04-19T08:30:00+07:00'],
    ['19/4/2022', '2022-04-19T00:00:00+07:00'],
    ['19-04-2022 8h30', '2022-04-19T08:30:00+07:00'],
    ['ngày 19 tháng 4 năm 2022', '2022-04-19T00:00:00+07:00'],
    ['2022-04-19', '2022-04-19T00:00:00+07:00'],
    ['2022-04-19T08:30:00+07:00', '2022-04-19T08:30:00+07:00'],
    ['2022-04-19T01:30:00Z', '2022-04-19T08:30:00+07:00'],
    ['2022-04-18T20:30:00-05:00', '2022-04-19T08:30:00+07:00'],
    ['Tue, 19 Apr 2022 01:30:00 GMT', '2022-04-19T08:30:00+07:00'],
    ['Tue, 19 Apr 2022 08:30:00 +0700', '2022-04-19T08:30:00+07:00'],
  ])('reads %s', (text, iso) => {
    expect(parseVietnameseDate(text, now)).toBe(iso);
  });

  it('reads NFD input like NFC', () => {
    expect(parseVietnameseDate('Thứ ba, 19/4/2022'.normalize('NFD'), now)).toBe('2022-04-19T00:00:00+07:00');
  });

  it.each([
    ['5 phút trước', '2024-12-05T09:55:00+07:00'],
    ['2 giờ trước', '2024-12-05T08:00:00+07:00'],
    ['3 ngày trước', '2024-12-02T10:00:00+07:00'],
    ['hôm nay', '2024-12-05T10:00:00+07:00'],
    ['Hôm nay 07:15', '2024-12-05T07:15:00+07:00'],
    ['hôm qua 21:00', '2024-12-04T21:00:00+07:00'],
    ['vừa xong', '2024-12-05T10:00:00+07:00'],
  ])('reads the list time %s relative to the injected clock', (text, iso) => {
    expect(parseVietnameseDate(text, now)).toBe(iso);
  });

  it.each(['', 'không có ngày', '31/02/2022', '32/01/2022 08:30', '19/13/2022'])('gives undefined for %j', (text) => {
    expect(parseVietnameseDate(text, now)).toBeUndefined();
  });

  it('formats a moment in Vietnam time', () => {
    expect(toVietnamIso(Date.UTC(2024, 11, 31, 20, 0, 0))).toBe('2025-01-01T03:00:00+07:00');
  });
});
