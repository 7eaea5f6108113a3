/**
 * Dates as Vietnamese news sites write them, turned into ISO 8601 in Vietnam time ("…+07:00").
 *
 * @remarks
 * Vietnam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact for every date a
 * news site shows. Day comes before month ("19/4/2022"); a US-style reading is never tried.
 */

const VN_OFFSET_MS = 7 * 3600 * 1000;

/** The calendar parts of a moment in Vietnam time. */
interface VnParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Format a moment as ISO 8601 with the Vietnam offset: `2022-04-19T08:30:00+07:00`. */
export function toVietnamIso(ms: number): string {
  const d = new Date(ms + VN_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+07:00`;
}

/** Milliseconds of Vietnam-time wall-clock parts, or undefined when they are not a real date and time. */
function fromParts(p: VnParts): number | undefined {
  if (p.year < 1900 || p.year > 2200 || p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return undefined;
  const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  // Date.UTC rolls 31/02 over into March: a date that does not round-trip is not a date.
  if (new Date(ms).getUTCDate() !== p.day) return undefined;
  return ms - VN_OFFSET_MS;
}

const DMY = /(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})/;
const TIME = /(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})(?:\s*:\s*(\d{2}))?/i;
const WORDY = /ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})/i;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const RELATIVE = /(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng)\s*trước/i;
const UNIT_MS: Record<string, number> = {
  giây: 1000,
  phút: 60_000,
  giờ: 3_600_000,
  tiếng: 3_600_000,
  ngày: 86_400_000,
  tuần: 7 * 86_400_000,
  tháng: 30 * 86_400_000,
};

/** The time of day in `text` outside the date itself, if any. */
function timeOfDay(text: string): { hour: number; minute: number; second: number } | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  return { hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0) };
}

/**
 * Parse a Vietnamese or ISO date: `19/04/2022 08:30`, `08:30 19/04/2022`, `Thứ ba, 19/4/2022`, `19/4/2022`,
 * `ngày 19 tháng 4 năm 2022`, ISO 8601 (an offset is honoured, none means Vietnam time), RFC 822 (feeds),
 * and list times relative to `now`: "5 phút trước", "2 giờ trước", "hôm nay 08:30", "hôm qua".
 * Returns ISO 8601 with +07:00, or undefined when nothing date-like is found.
 *
 * @remarks
 * "hôm nay" without a time gives `now` rather than midnight: an item listed as "today" is newer than the
 * last digest far more often than it is older, and a digest window must not miss it.
 */
export function parseVietnameseDate(raw: string, now: () => Date = () => new Date()): string | undefined {
  const text = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    const parts = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0) };
    const local = fromParts(parts);
    if (local === undefined) return undefined;
    if (!zone) return toVietnamIso(local);
    if (/^z$/i.test(zone)) return toVietnamIso(local + VN_OFFSET_MS);
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMs = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
    return toVietnamIso(local + VN_OFFSET_MS - offsetMs);
  }
  const lower = text.toLowerCase();
  const dmy = DMY.exec(text) ?? WORDY.exec(text);
  if (dmy) {
    const rest = `${text.slice(0, dmy.index)} ${text.slice(dmy.index + dmy[0].length)}`;
    const t = timeOfDay(rest) ?? { hour: 0, minute: 0, second: 0 };
    const ms = fromParts({ year: Number(dmy[3]), month: Number(dmy[2]), day: Number(dmy[1]), ...t });
    return ms === undefined ? undefined : toVietnamIso(ms);
  }
  const nowMs = now().getTime();
  if (/vừa xong|vừa mới|mới đây/.test(lower)) return toVietnamIso(nowMs);
  const rel = RELATIVE.exec(lower);
  if (rel) return toVietnamIso(nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]!);
  const dayShift = /hôm nay/.test(lower) ? 0 : /hôm qua/.test(lower) ? 1 : /hôm kia/.test(lower) ? 2 : undefined;
  if (dayShift !== undefined) {
    const today = new Date(nowMs + VN_OFFSET_MS);
    const t = timeOfDay(lower);
    if (!t && dayShift === 0) return toVietnamIso(nowMs);
    const ms = fromParts({
      year: today.getUTCFullYear(),
      month: today.getUTCMonth() + 1,
      day: today.getUTCDate(),
      ...(t ?? { hour: 0, minute: 0, second: 0 }),
    });
    return ms === undefined ? undefined : toVietnamIso(ms - dayShift * 86_400_000);
  }
  // RFC 822 / RFC 1123 in feeds ("Tue, 19 Apr 2022 08:30:00 +0700"): the JavaScript parser reads them exactly.
  if (/^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}/i.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return toVietnamIso(ms);
  }
  return undefined;
}
