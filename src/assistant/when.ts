import { foldToken } from '../search/analyzer.js';
import { vietnamToday } from '../answer/recency.js';

export { asksToday, isRecent, recencyDays, vietnamToday } from '../answer/recency.js';

const OFFSET_MS = 7 * 3_600_000;

/**
 * A send time typed by staff, in Vietnam time: "08:00 25/12", "8h 25/12/2026", "25/12 8:00", "mai 7h",
 * "ngày mai 7h30", "hôm nay 15:30", "15h", "7 giờ tối mai". Without a date: today, or tomorrow when that
 * hour has passed; a day and month without a year: the next one to come. Undefined when unreadable or past.
 */
export function parseWhen(text: string, now: Date): Date | undefined {
  const folded = text
    .toLowerCase()
    .normalize('NFC')
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}:/]/gu, ''))
    .map((w) => (/\p{L}/u.test(w) ? foldToken(w) : w))
    .join(' ');
  const date = /(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?/.exec(folded);
  const rest = date ? folded.replace(date[0], ' ') : folded;
  const time = /(\d{1,2})\s*(?:(?::|h|g|gio)\s*(\d{2})?)(?!\d)/.exec(rest) ?? /\b(\d{1,2})\b(?=\s*(?:sang|chieu|toi|trua))/.exec(rest);
  if (!time) return undefined;
  let hour = Number(time[1]);
  const minute = time[2] ? Number(time[2]) : 0;
  if (/\b(chieu|toi)\b/.test(rest) && hour < 12) hour += 12;
  if (hour > 23 || minute > 59) return undefined;
  const local = new Date(now.getTime() + OFFSET_MS); // Vietnam wall clock read through the UTC getters
  let year = local.getUTCFullYear();
  let month = local.getUTCMonth() + 1;
  let day = local.getUTCDate();
  const at = () => new Date(Date.UTC(year, month - 1, day, hour, minute) - OFFSET_MS);
  if (date) {
    day = Number(date[1]);
    month = Number(date[2]);
    if (date[3]) year = Number(date[3]);
    if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
    if (!date[3] && at() <= now) year += 1;
    const result = at();
    // 31/02 rolls over in Date.UTC: refuse it rather than send on another day.
    if (new Date(result.getTime() + OFFSET_MS).getUTCDate() !== day) return undefined;
    return result > now ? result : undefined;
  }
  if (/\b(ngay mai|mai)\b/.test(rest)) {
    const tomorrow = new Date(Date.UTC(year, month - 1, day + 1));
    [year, month, day] = [tomorrow.getUTCFullYear(), tomorrow.getUTCMonth() + 1, tomorrow.getUTCDate()];
    return at();
  }
  let result = at();
  if (result <= now && !/\bhom nay\b/.test(rest)) result = new Date(result.getTime() + 86_400_000);
  return result > now ? result : undefined;
}

/** "08:00 ngày 25/12/2026" for a confirmation message. */
export function formatWhen(at: Date): string {
  const { time, date } = vietnamToday(at);
  return `${time} ngày ${date}`;
}
