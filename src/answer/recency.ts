/**
 * Time in a question: whether it asks only for today's date or the time, and how recent an article must be to
 * answer it ("ngày mai", "tối qua").
 */
import { foldToken, hasDiacritics } from '../search/analyzer.js';

const OFFSET_MS = 7 * 3_600_000;

/** Words a question about today's date may have besides the date phrases themselves (folded). */
const TODAY_WORDS = new Set(
  'la thu ngay may bao nhieu vay z a nhi the nhe oi ban bot ad hom nay bua hnay cho minh toi em hoi voi va roi hien gio bay luc mung thang nam nao duong lich biet xin'.split(' '),
);

/**
 * Whether a folded question asks only for today's date or the time ("hôm nay là thứ mấy", "hnay ngày bao nhiêu
 * vậy", "bây giờ là mấy giờ"): the bot knows that without its articles. Not the lunar date, and not a question
 * that goes on about something else ("hôm nay ngày bao nhiêu thì hết hạn đăng ký?").
 */
export function asksToday(folded: string): boolean {
  const words = folded.split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 14) return false;
  const text = ` ${words.join(' ')} `;
  if (!/ (hom nay|bua nay|hnay|bay gio|hien gio|luc nay) /.test(text)) return false;
  // Not "hôm nay là ngày gì": that asks which occasion it is (20/11, 18/11), which the articles answer.
  if (!/ (thu may|ngay may|ngay bao nhieu|ngay nao|mung may|thang may|nam may|may gio) /.test(text)) return false;
  if (/ am lich /.test(text)) return false;
  return words.every((w) => TODAY_WORDS.has(w));
}

/** A moment on the Vietnam wall clock: weekday (0 = Sunday), "28/11/2026" and "14:05". */
export function vietnamToday(now: Date): { weekday: number; date: string; time: string } {
  const l = new Date(now.getTime() + OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return { weekday: l.getUTCDay(), date: `${p(l.getUTCDate())}/${p(l.getUTCMonth() + 1)}/${l.getUTCFullYear()}`, time: `${p(l.getUTCHours())}:${p(l.getUTCMinutes())}` };
}

/**
 * Phrases that place a question in the last or next few days, and how many days old an answer to it may be. Not
 * "bây giờ", "hiện giờ", "lúc này": they mean "currently" ("bây giờ mức lương cơ sở là bao nhiêu"), which an
 * article of last year may still answer.
 */
const NEAR_TIME: { phrases: string[][]; days: number; accentedOnly?: boolean }[] = [
  // "hnay", "hqua" arrive written out (data/lexicon/chat.json).
  { phrases: ['hôm nay', 'ngày mai', 'sáng mai', 'chiều mai', 'hôm qua', 'sáng nay', 'chiều nay', 'giờ này'].map((p) => p.split(' ')), days: 3 },
  // Unaccented these are other words: "toi nay" is also "tội này", "dem qua" "đem qua".
  { phrases: ['bữa nay', 'bữa qua', 'tối qua', 'đêm qua', 'tối nay', 'trưa nay', 'đêm nay', 'tối mai'].map((p) => p.split(' ')), days: 3, accentedOnly: true },
  { phrases: ['tuần này', 'tuần sau', 'tuần tới', 'tuần trước', 'tuần qua'].map((p) => p.split(' ')), days: 10 },
];
/** After the time phrase, the asker's own story ("hôm qua tôi bị mất thẻ …, làm lại ở đâu?"), not news. */
const NARRATOR = new Set(['tôi', 'em', 'mình', 'tớ', 'bố', 'mẹ', 'vợ', 'chồng', 'nhà', 'gia']);
const NARRATOR_FOLDED = new Set([...NARRATOR].map(foldToken));

/**
 * How many days old an article may be to answer a question about the last or next few days ("ngày mai Hà Nội có
 * mưa không", "tối qua MU đá với Liverpool tỉ số mấy"): a forecast or a score from years ago does not answer it.
 * Undefined when the question does not say when, or tells the asker's own story ("hôm qua tôi bị mất thẻ"). Takes
 * the question's normalized tokens as written (chat shorthand written out); a word typed without diacritics is
 * compared folded, one with them as written.
 */
export function recencyDays(tokens: string[]): number | undefined {
  let days: number | undefined;
  const same = (token: string, word: string, accentedOnly: boolean) =>
    token === word || (!accentedOnly && !hasDiacritics(token) && token === foldToken(word));
  for (const group of NEAR_TIME) {
    for (const phrase of group.phrases) {
      for (let i = 0; i + phrase.length <= tokens.length; i++) {
        if (!phrase.every((w, k) => same(tokens[i + k]!, w, group.accentedOnly ?? false))) continue;
        const next = tokens[i + phrase.length];
        if (next !== undefined && (NARRATOR.has(next) || (!hasDiacritics(next) && NARRATOR_FOLDED.has(next)))) continue;
        days = Math.min(days ?? Infinity, group.days);
      }
    }
  }
  return days;
}

/** Whether an article published at `publishedAt` (ISO date) is at most `days` days away from `now`. */
export function isRecent(publishedAt: string | undefined, now: Date, days: number): boolean {
  if (!publishedAt) return false;
  const at = Date.parse(publishedAt);
  return Number.isFinite(at) && Math.abs(now.getTime() - at) <= days * 86_400_000;
}
