import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyZaloError, DEFAULT_ZALO_ERROR_MAP, loadZaloErrorMap, ZaloApiError } from '../../../src/channels/zalo/errors.js';
import { zaloText } from '../../../src/copy/messages.js';
import { renderZalo, splitForZalo } from '../../../src/channels/zalo/render.js';
import { dedupeKey, normaliseDate, parseUpdate, senderName, unwrapUpdates, type ZaloUpdate } from '../../../src/channels/zalo/wire.js';

const update = (message: Record<string, unknown>, eventName = 'message.text.received') => ({
  event_name: eventName,
  message: { message_id: 'm1', chat: { id: 'c1' }, text: 'x', ...message },
});
const parsed = (raw: unknown): ZaloUpdate => {
  const p = parseUpdate(raw);
  if (!p.ok) throw new Error(p.error);
  return p.update;
};

describe('zalo rendering', () => {
  it('keeps text as written (no HTML), with links on their own lines after it', () => {
    const [text] = renderZalo({
      text: 'A < B & <b>C</b>',
      links: [
        { title: 'Bài 1', url: 'https://mattran.org.vn/a-1.html' },
        { title: 'x', url: 'javascript:alert(1)' },
      ],
    });
    expect(text).toBe('A < B & <b>C</b>\n\n🔗 Bài 1\nhttps://mattran.org.vn/a-1.html');
  });

  it('numbers choices in the order the conversation core reads them, and turns feedback buttons into a 👍/👎 hint', () => {
    const [text] = renderZalo({
      text: 'Trả lời.\n\nCó phải bạn muốn hỏi:',
      buttons: [
        [
          { label: '👍 Hữu ích', data: 'fb:up:1', role: 'feedback' },
          { label: '👎 Chưa đúng', data: 'fb:down:1', role: 'feedback' },
        ],
        [{ label: 'Quỹ Vì người nghèo', data: 'opt:1' }],
        [{ label: 'Ngày hội Đại đoàn kết', data: 'opt:2' }],
      ],
    });
    expect(text).toBe(
      `Trả lời.\n\nCó phải bạn muốn hỏi:\n\n1. Quỹ Vì người nghèo\n2. Ngày hội Đại đoàn kết\n\n${zaloText.chooseByNumber}\n\n${zaloText.feedbackHint}`,
    );
    expect(text).not.toContain('Hữu ích');
  });

  it('does not list the choices twice when the text already numbers them', () => {
    const [text] = renderZalo({
      text: 'Các bài gần nhất:\n1. Bài A\n2. Bài B',
      buttons: [[{ label: 'Bài A', data: 'opt:0' }], [{ label: 'Bài B', data: 'opt:1' }]],
    });
    expect(text).toBe(`Các bài gần nhất:\n1. Bài A\n2. Bài B\n\n${zaloText.chooseByNumber}`);
  });

  it('splits long text at sentence boundaries under 2,000 UTF-16 units, never empty, losing nothing', () => {
    const sentence = 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Quảng Bình ký kết chương trình phối hợp năm 2022. ';
    const long = sentence.repeat(60);
    const chunks = renderZalo({ text: long, links: [{ title: 'Nguồn', url: 'https://mattran.org.vn/x.html' }] });
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const c of chunks) {
      expect(c.length).toBeGreaterThan(0);
      expect(c.length).toBeLessThanOrEqual(2000);
    }
    for (const c of chunks.slice(0, -1)) expect(c.endsWith('2022.')).toBe(true);
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(`${long.trim()} 🔗 Nguồn https://mattran.org.vn/x.html`);
  });

  it('never cuts an emoji in half, even inside an over-long word', () => {
    const word = `a${'😀'.repeat(1500)}`;
    const chunks = splitForZalo(word, 2000);
    expect(chunks.length).toBe(2);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(2000);
      expect(c).toMatch(/^[^\uDC00-\uDFFF][\s\S]*[^\uD800-\uDBFF]$/);
    }
    expect(chunks.join('')).toBe(word);
    expect(splitForZalo('   ')).toEqual([]);
  });
});

describe('zalo wire format', () => {
  it('accepts a flat or wrapped update, and a result that is one object or an array', () => {
    const u = update({});
    expect(unwrapUpdates(u)).toEqual([u]);
    expect(unwrapUpdates({ ok: true, result: u })).toEqual([u]);
    expect(unwrapUpdates({ ok: true, result: [u, u] })).toEqual([u, u]);
    expect(unwrapUpdates(null)).toEqual([]);
  });

  it('coerces ids to strings and reads the sender name from display_name, name or first_name', () => {
    const u = parsed(update({ message_id: 42, chat: { id: 7 }, from: { id: 7, first_name: 'Hùng' } }));
    expect(u.message.message_id).toBe('42');
    expect(u.message.chat.id).toBe('7');
    expect(u.message.from?.id).toBe('7');
    expect(senderName(u)).toBe('Hùng');
    expect(senderName(parsed(update({ from: { id: 'a', name: 'Mai', first_name: 'X' } })))).toBe('Mai');
    expect(senderName(parsed(update({ from: { id: 'a', display_name: 'Ted', name: 'Mai' } })))).toBe('Ted');
    expect(dedupeKey(u)).toBe('message.text.received:42');
  });

  it('reads dates in milliseconds or seconds', () => {
    expect(normaliseDate(1750316131602).toISOString()).toBe('2025-06-19T06:55:31.602Z');
    expect(normaliseDate(1750316131).toISOString()).toBe('2025-06-19T06:55:31.000Z');
    const now = new Date('2026-01-01T00:00:00Z');
    expect(normaliseDate(undefined, () => now)).toBe(now);
  });

  it('rejects updates without message_id, chat id, or the text of a text event', () => {
    expect(parseUpdate({ event_name: 'message.text.received', message: { chat: { id: 'c' }, text: 'x' } }).ok).toBe(false);
    expect(parseUpdate({ event_name: 'message.text.received', message: { message_id: 'm', chat: {}, text: 'x' } }).ok).toBe(false);
    expect(parseUpdate(update({ text: undefined })).ok).toBe(false);
    expect(parseUpdate(update({ text: undefined, photo_url: 'https://x' }, 'message.image.received')).ok).toBe(true);
  });
});

describe('zalo error-code mapping', () => {
  const apiError = (code: number, description = '') => new ZaloApiError('sendMessage', code, description, 200);

  it('maps nothing to blocked or chat_not_found by default, and 429 to rate_limited', () => {
    const map = loadZaloErrorMap();
    expect(map.rules.filter((r) => r.reason === 'blocked' || r.reason === 'chat_not_found')).toEqual([]);
    expect(classifyZaloError(map, apiError(429))).toEqual({ reason: 'rate_limited', retryAfterMs: 5000, mapped: true });
    expect(classifyZaloError(map, apiError(-216))).toEqual({ reason: 'failed', retryAfterMs: 5000, mapped: false });
    for (const rule of map.rules) expect(rule._source.length).toBeGreaterThan(20);
  });

  it('loads an operator file, matching by code and by description', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zalo-map-'));
    const file = join(dir, 'map.json');
    writeFileSync(
      file,
      JSON.stringify({
        defaultRetryAfterMs: 2000,
        rules: [
          { code: 400, descriptionIncludes: 'user blocked', reason: 'blocked', certainty: 'C', _source: 'observed in our logs' },
          ...(DEFAULT_ZALO_ERROR_MAP.rules ?? []),
        ],
      }),
    );
    const map = loadZaloErrorMap(file);
    expect(classifyZaloError(map, apiError(400, 'The User Blocked this bot')).reason).toBe('blocked');
    expect(classifyZaloError(map, apiError(400, 'text too long')).reason).toBe('failed');
    expect(classifyZaloError(map, apiError(429)).retryAfterMs).toBe(2000);
  });

  it('refuses an invalid mapping at load, naming the file and the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zalo-map-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ rules: [{ code: 400, reason: 'gone', certainty: 'U', _source: 'x' }] }));
    expect(() => loadZaloErrorMap(file)).toThrow(/bad\.json is invalid[\s\S]*reason/);
    writeFileSync(file, '{ not json');
    expect(() => loadZaloErrorMap(file)).toThrow(/bad\.json: cannot read it as JSON/);
  });
});
