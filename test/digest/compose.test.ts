import { describe, expect, it } from 'vitest';
import type { SearchDoc } from '../../src/content/types.js';
import { digestCandidates, renderDigest, selectForSubscriber } from '../../src/digest/compose.js';
import { parseVnTime, vnClock } from '../../src/digest/time.js';
import { topicsOf } from '../../src/digest/topics.js';

const doc = (id: string, title: string, publishedAt: string | undefined, extra: Partial<SearchDoc> = {}): SearchDoc => ({
  id,
  type: 'article',
  title,
  summary: `Tóm tắt của bài ${id}. ${'Nội dung chi tiết về hoạt động của Mặt trận các cấp. '.repeat(4)}`,
  body: 'Thân bài.',
  url: `https://mattran.org.vn/bai-${id}.html`,
  publishedAt,
  source: 'test',
  ...extra,
});

const until = Date.parse('2026-11-27T07:00:00+07:00');
const docs: SearchDoc[] = [
  doc('1', 'Trao nhà Đại đoàn kết cho hộ nghèo', '2026-11-27T06:00:00', { province: 'Quảng Trị' }),
  doc('2', 'Giám sát việc thực hiện chính sách bảo hiểm y tế', '2026-11-26T20:00:00', { province: 'Gia Lai' }),
  doc('3', 'Hội nghị Ủy ban MTTQ Việt Nam tỉnh lần thứ 5', '2026-11-26T09:00:00'),
  doc('4', 'Bài cũ', '2026-11-20T09:00:00'),
  doc('5', 'Bài chưa có ngày', undefined),
  doc('6', 'Bài đăng sau giờ gửi', '2026-11-27T08:00:00'),
  doc('7', 'Thông báo lịch tiếp công dân', '2026-11-26T10:00:00', { kind: 'announcement' }),
];

describe('digest composition', () => {
  it('reads Vietnam times and derives topics', () => {
    expect(parseVnTime('2026-11-27')).toBe(Date.parse('2026-11-26T17:00:00Z'));
    expect(vnClock(new Date('2026-11-27T00:30:00Z'))).toEqual({ day: '2026-11-27', hour: 7 });
    expect(topicsOf(docs[0]!)).toContain('an-sinh');
    expect(topicsOf(docs[1]!)).toEqual(['giam-sat']);
    expect(topicsOf(docs[2]!)).toEqual(['mat-tran']);
    expect(topicsOf(docs[6]!)).toContain('thong-bao');
  });

  it('keeps dated items of the window, newest first', () => {
    const c = digestCandidates(docs, until - 24 * 3_600_000, until);
    expect(c.map((x) => x.id)).toEqual(['1', '2', '7', '3']);
  });

  it('filters by topics and provinces; nationwide items reach province subscribers, other provinces do not', () => {
    const c = digestCandidates(docs, until - 24 * 3_600_000, until);
    expect(selectForSubscriber(c, { topics: ['giam-sat'], provinces: [] }, 0).map((x) => x.id)).toEqual(['2']);
    expect(selectForSubscriber(c, { topics: [], provinces: ['Quảng Trị'] }, 0).map((x) => x.id)).toEqual(['1', '7', '3']);
    expect(selectForSubscriber(c, { topics: [], provinces: [] }, parseVnTime('2026-11-26T12:00:00')).map((x) => x.id)).toEqual(['1', '2']);
  });

  it('groups by topic in catalogue order with title, date, one-line summary and link', () => {
    const c = digestCandidates(docs, until - 24 * 3_600_000, until);
    const [message, ...rest] = renderDigest(c, { topics: [], provinces: [] }, new Date(until), 4096);
    expect(rest).toEqual([]);
    const text = message!.text;
    expect(text).toMatch(/^📰 Bản tin Mặt trận Tổ quốc ngày 27\/11\/2026/);
    expect(text.indexOf('■ Hoạt động Mặt trận')).toBeLessThan(text.indexOf('■ An sinh xã hội'));
    expect(text.indexOf('■ An sinh xã hội')).toBeLessThan(text.indexOf('■ Giám sát'));
    expect(text).toContain('• Trao nhà Đại đoàn kết cho hộ nghèo (27/11/2026)');
    expect(text).toContain('https://mattran.org.vn/bai-1.html');
    for (const line of text.split('\n').filter((l) => l.startsWith('   ') && !l.includes('http'))) expect(line.length).toBeLessThanOrEqual(165);
  });

  it('dates an item stamped in UTC on its Vietnam day', () => {
    const stamped = doc('z', 'Ngày hội Đại đoàn kết ở khu dân cư Tân Lập', '2026-12-06T19:52:55Z');
    const at = Date.parse('2026-12-07T07:00:00+07:00');
    const [message] = renderDigest(digestCandidates([stamped], at - 24 * 3_600_000, at), { topics: [], provinces: [] }, new Date(at), 4096);
    expect(message!.text).toContain('• Ngày hội Đại đoàn kết ở khu dân cư Tân Lập (07/12/2026)');
  });

  it('sends nothing when nothing is new, shows at most 10 items with a pointer, and splits under the limit', () => {
    expect(renderDigest([], { topics: [], provinces: [] }, new Date(until), 2000)).toEqual([]);
    const many = Array.from({ length: 25 }, (_, i) =>
      doc(`m${i}`, `Tin số ${i} về hoạt động Mặt trận cơ sở`, `2026-11-27T0${i % 6}:${String(i).padStart(2, '0')}:00`),
    );
    const c = digestCandidates(many, until - 24 * 3_600_000, until);
    const parts = renderDigest(c, { topics: [], provinces: [] }, new Date(until), 1000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(1000);
    const all = parts.map((p) => p.text).join('\n');
    expect(all.match(/^• /gm)).toHaveLength(10);
    expect(all).toContain('Còn 15 tin khác');
  });
});
