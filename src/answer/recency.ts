/**
 * Time in a question: whether it asks only for today's date or the time, and how recent an article must be to
 * answer it ("ngày mai", "tối qua").
 */
import { foldToken, hasDiacritics } from '../search/analyzer.js';
import { alternation, WORDS } from '../search/words.js';

const OFFSET_MS = 7 * 3_600_000;

const TODAY = WORDS.today;
/** Words a question about today's date may have besides the date phrases themselves (folded). */
const TODAY_WORDS = new Set(TODAY.words);
/** " hôm nay ", " bây giờ "…, " thứ mấy ", " ngày bao nhiêu "…, " âm lịch " (folded, padded with spaces). */
const NOW = new RegExp(` (${alternation(TODAY.now)}) `);
const ASKS_DATE = new RegExp(` (${alternation(TODAY.asks)}) `);
const LUNAR = new RegExp(` (${alternation(TODAY.lunar)}) `);

/**
 * Whether a folded question asks only for today's date or the time ("hôm nay là thứ mấy", "hnay ngày bao nhiêu
 * vậy", "bây giờ là mấy giờ"): the bot knows that without its articles. Not the lunar date, and not a question
 * that goes on about something else ("hôm nay ngày bao nhiêu thì hết hạn đăng ký?").
 */
export function asksToday(folded: string): boolean {
  const words = folded.split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 14) return false;
  const text = ` ${words.join(' ')} `;
  if (!NOW.test(text)) return false;
  // Not "hôm nay là ngày gì": that asks which occasion it is (20/11, 18/11), which the articles answer.
  if (!ASKS_DATE.test(text)) return false;
  if (LUNAR.test(text)) return false;
  return words.every((w) => TODAY_WORDS.has(w));
}

/** A moment on the Vietnam wall clock: weekday (0 = Sunday), "28/11/2026" and "14:05". */
export function vietnamToday(now: Date): { weekday: number; date: string; time: string } {
  const l = new Date(now.getTime() + OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    weekday: l.getUTCDay(),
    date: `${p(l.getUTCDate())}/${p(l.getUTCMonth() + 1)}/${l.getUTCFullYear()}`,
    time: `${p(l.getUTCHours())}:${p(l.getUTCMinutes())}`,
  };
}

/**
 * Phrases that place a question in the last or next few days, and how many days old an answer to it may be. Not
 * "bây giờ", "hiện giờ", "lúc này": they mean "currently" ("bây giờ mức lương cơ sở là bao nhiêu"), which an
 * article of last year may still answer.
 */
const NEAR_TIME = WORDS.nearTime.map((g) => ({ ...g, phrases: g.phrases.map((p) => p.split(' ')) }));
/**
 * After the time phrase, the asker's own story ("hôm qua tôi bị mất thẻ …, làm lại ở đâu?", "hôm nay gia đình
 * tôi …"), not news. Each a phrase of one or more words; unaccented, "gia" alone would be "giá" as well.
 */
const NARRATORS = WORDS.narrators.map((p) => p.split(' '));

/**
 * How many days old an article may be to answer a question about the last or next few days ("ngày mai Hà Nội có
 * mưa không", "tối qua MU đá với Liverpool tỉ số mấy"): a forecast or a score from years ago does not answer it.
 * Undefined when the question does not say when, or tells the asker's own story ("hôm qua tôi bị mất thẻ"). Takes
 * the question's normalized tokens as written (chat shorthand written out); a word typed without diacritics is
 * compared folded, one with them as written.
 */
export function recencyDays(tokens: string[]): number | undefined {
  let days: number | undefined;
  const same = (token: string, word: string, accentedOnly: boolean) => token === word || (!accentedOnly && !hasDiacritics(token) && token === foldToken(word));
  for (const group of NEAR_TIME) {
    for (const phrase of group.phrases) {
      for (let i = 0; i + phrase.length <= tokens.length; i++) {
        if (!phrase.every((w, k) => same(tokens[i + k]!, w, group.accentedOnly ?? false))) continue;
        const at = i + phrase.length;
        if (NARRATORS.some((n) => n.every((w, k) => tokens[at + k] !== undefined && same(tokens[at + k]!, w, false)))) continue;
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

/**
 * Whether an article is of the time a question asks about: published within `days` of `now` when the question
 * says how recent ("ngày mai", "tuần này", "năm nay"), and of one of the years it dates ("năm 2026": published
 * that year or naming it, `terms` being the article's folded terms). An undated article is not ruled out by a year
 * that has begun, but is by years still to come: it must name one of them. `named`: every year the question
 * writes, dated or not ("Luật Đất đai 2024", "mùa giải 2025–2026"); a dated article published more than a year
 * before one of them, that does not name it, cannot speak of it. True when the question gives no time.
 */
export function fitsTime(
  asked: { days: number | undefined; years: number[]; named?: number[] },
  doc: { publishedAt?: string | undefined },
  terms: ReadonlySet<string>,
  now: Date,
): boolean {
  if (asked.days !== undefined && !isRecent(doc.publishedAt, now, asked.days)) return false;
  if (writtenBefore(asked.named ?? [], doc.publishedAt, terms)) return false;
  if (asked.years.length === 0 || asked.years.some((y) => terms.has(String(y)))) return true;
  // Nothing yet written reports a year to come ("năm 2028 lương cơ sở tăng bao nhiêu"): only a plan or a target
  // that names it speaks of it, whenever it was published.
  const thisYear = Number(vietnamToday(now).date.slice(-4));
  if (asked.years.every((y) => y > thisYear)) return false;
  // An article without a date is of unknown time, not of another year: only a dated one can be ruled out by the
  // year asked. Recency ("ngày mai", "hôm qua") is different: there the answer's freshness is what is asked.
  if (!doc.publishedAt) return true;
  return asked.years.some((y) => doc.publishedAt?.startsWith(String(y)));
}

/**
 * Whether an article was published before one of the given years without naming it: more than a year before, since
 * what a year names is often announced the year before (an article of November 2016 on "APEC 2017", a plan for next year).
 * An undated article is never ruled out here.
 */
function writtenBefore(years: number[], publishedAt: string | undefined, terms: ReadonlySet<string>): boolean {
  const published = publishedAt ? Number(publishedAt.slice(0, 4)) : Number.NaN;
  if (!Number.isFinite(published)) return false;
  return years.some((y) => y > published + 1 && !terms.has(String(y)));
}
