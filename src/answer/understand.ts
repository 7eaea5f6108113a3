/**
 * Stage 1, understand: what a message is (a greeting, thanks, a task the bot does not do, a question about today's
 * date, a question for the articles) and, for a question, its plan (terms, question kinds, provinces, years,
 * focus), how recent an answer must be, the names it writes with capitals and the abbreviation it asks about.
 */
import { cleanText, clauses, foldToken, tokenize } from '../search/analyzer.js';
import type { ArticleIndex } from '../search/article-index.js';
import { expandShorthand, type Lexicon } from '../search/lexicon.js';
import { MAX_QUERY_CHARS, planQuery, type QueryPlan } from '../search/query.js';
import { alternation, WORDS } from '../search/words.js';
import { questionNames } from './names.js';
import { asksToday, recencyDays } from './recency.js';
import type { EngineTuning } from './tuning.js';

// "hi" is read as "hy" (one spelling of i/y: see the analyzer).
const GREETING = new RegExp(`^(${alternation(WORDS.greeting.phrases)})( (${alternation(WORDS.greeting.addressees)}))*$`);
const THANKS = new RegExp(`^((${alternation(WORDS.thanks.leads)})\\s)?(${alternation(WORDS.thanks.phrases)})( (${alternation(WORDS.thanks.tails)}))*$`);
const V = WORDS.vocative;
/** Words a citizen calls the bot by; cut from the question when used to address it ("… vậy bot", "ad ơi, …"). */
const CALLED = `(?:${alternation(V.names)})`;
/** Sentence-final particles that put a following "bot" in the vocative ("… vậy bot", "… nhé ad"). */
const PARTICLE = `(?:${alternation(V.particles)})`;
const CALL_WORD = `(?:${alternation(V.callWords)})`;
const POLITE_END = `(?:\\s+(?:${alternation(V.politeEnds)}))?[\\s.!?…]*$`;
const VOCATIVE_HEAD = new RegExp(`^\\s*(?:(?:${alternation(V.greetings)})\\s+)?${CALLED}\\s+${CALL_WORD}(?=[\\s,.:;!?…-]|$)[\\s,.:;!?…-]*`, 'iu');
const VOCATIVE_TAIL = [
  // "… vậy bot", "… nhé ad ơi"
  new RegExp(`(\\s${PARTICLE})\\s+${CALLED}(?:\\s+${CALL_WORD})?${POLITE_END}`, 'iu'),
  // "… bot ơi", "… ad ơi ạ"
  new RegExp(`()[\\s,]+${CALLED}\\s+(?:${alternation(V.calls)})${POLITE_END}`, 'iu'),
  // "…, ad?", "… ad ạ" (not "bot": "hình thức BT, BOT" is a list)
  new RegExp(`(),\\s*(?:${alternation(V.namesAlone)})[\\s.!?…]*$`, 'iu'),
  new RegExp(`()\\s+(?:${alternation(V.namesAlone)})\\s+(?:${alternation(V.politeAfterName)})[\\s.!?…]*$`, 'iu'),
];

/** Verbs of a task the bot does not do, as written or without accents ("tính" but not "tỉnh"). */
const TASK_VERBS = new Set(WORDS.task.verbs);
/** Verbs of a reminder, a task when "tôi" follows them ("nhắc tôi …"). */
const REMIND = new Set(WORDS.task.remindVerbs);
const HELPING = new Set(WORDS.task.helping);
/** The asker, as the one the task is for ("viết giúp *tôi*", "hát cho *mình* nghe"). */
const ME = new Set(WORDS.task.me);
/** Words that may come before the verb of a request addressed to the bot ("bạn hãy …", "bot làm ơn …"). */
const REQUEST_LEAD = new Set(WORDS.task.requestLead);
/** A clause that ends like this asks whether something can be done ("… viết giúp bố mẹ đơn được không"). */
const ASKS_WHETHER = new RegExp(`(?:^|\\s)(?:${alternation(WORDS.task.asksWhether)})$`, 'u');

/**
 * Whether a clause of the message asks the bot to do a task rather than to find something: a verb such as
 * "viết", "tính", "dịch", "hát", "nhắc" at the start of a clause (after "bạn hãy", "làm ơn", "giúp tôi"…),
 * followed by "giúp tôi"/"dùm mình", "cho tôi", or for "nhắc" by "tôi" ("viết giúp tôi một bài thơ", "hát cho
 * tôi nghe", "nhắc tôi 6 giờ sáng mai"). Not a task: the asker as subject ("Em tính cho em trai đi…", "Mình
 * tính giúp bà con…"), help for someone else ("viết giúp bố mẹ đơn"), "tỉnh giúp đỡ …", a clause that asks
 * whether ("… được không"), "kể", "gửi", "tìm" (they ask for information).
 */
export function asksTask(text: string): boolean {
  return clauses(text).some((clause) => {
    if (ASKS_WHETHER.test(clause.join(' '))) return false;
    let i = 0;
    for (;;) {
      if (REQUEST_LEAD.has(clause[i] ?? '')) i += 1;
      else if (HELPING.has(clause[i] ?? '') && ME.has(clause[i + 1] ?? '')) i += 2;
      else break;
    }
    const verb = clause[i];
    if (verb === undefined || !TASK_VERBS.has(verb)) return false;
    const [next = '', after = ''] = clause.slice(i + 1, i + 3);
    if (HELPING.has(next) || next === 'cho') return ME.has(after);
    return REMIND.has(verb) && ME.has(next);
  });
}

const ABOUT = WORDS.aboutBot;
const phrasesOf = (words: string[]) => words.map((w) => w.split(' '));
const BOT_NAMES = phrasesOf(ABOUT.names);
const BOT_BEFORE = phrasesOf(ABOUT.before);
const BOT_AFTER = phrasesOf(ABOUT.after);
const BOT_NOT_AFTER = phrasesOf(ABOUT.notAfter);

/**
 * Whether a question (its vocatives cut) is about the bot itself rather than something the articles tell: it names
 * the bot ("bot", "chatbot", "trợ lý ảo") as what it talks about — "*bot có* lưu tin nhắn không", "dữ liệu *của
 * bot*", "*bot này* do ai làm" (`aboutBot` in words.json). Not "BOT" in capitals nor "trạm BOT", "phí BOT": toll
 * roads built under BOT contracts are news.
 */
export function asksAboutBot(text: string): boolean {
  const written = text.normalize('NFC').match(/[\p{L}\p{M}\d]+/gu) ?? [];
  const words = written.map((w) => w.toLowerCase());
  const at = (i: number, phrase: string[]) => phrase.every((w, k) => words[i + k] === w);
  const endsAt = (i: number, phrase: string[]) => i - phrase.length >= 0 && at(i - phrase.length, phrase);
  for (let i = 0; i < words.length; i++) {
    for (const name of BOT_NAMES) {
      if (!at(i, name) || written[i] === written[i]!.toUpperCase()) continue;
      if (BOT_NOT_AFTER.some((p) => endsAt(i, p) || (p.length === 1 && written[i - 1] === p[0]))) continue;
      if (BOT_BEFORE.some((p) => endsAt(i, p)) || BOT_AFTER.some((p) => at(i + name.length, p))) return true;
    }
  }
  return false;
}

/**
 * The question without the words that address the bot: "hôm nay ngày bao nhiêu vậy bot" must not be read as a
 * question about BOT toll roads. "phí BOT", "đối với BOT", "hình thức BT, BOT" are left alone.
 */
export function stripVocatives(text: string): string {
  let out = text.normalize('NFC').replace(VOCATIVE_HEAD, '');
  for (const tail of VOCATIVE_TAIL) out = out.replace(tail, '$1');
  return out.trim();
}

/** What a message is, as far as the answer pipeline is concerned. */
export type Understanding =
  | { kind: 'greeting' | 'thanks' | 'empty' | 'too_long' | 'task' | 'today' }
  | {
      kind: 'question';
      /** The question, cleaned, without the words that address the bot. */
      text: string;
      plan: QueryPlan;
      /** How many days old an answer may be ("ngày mai", "tối qua"); undefined when the question does not say when. */
      recencyDays?: number;
      /** The names the question writes with capitals, as folded pairs ({@link questionNames}). */
      names: string[];
      /** The abbreviation a definition question asks about, when the lexicon knows it ("UBND là gì?"). */
      abbreviation?: { subject: string; written: string; expansions: string[] };
      /** The question is about the bot itself ({@link asksAboutBot}): only a curated answer may answer it. */
      aboutBot?: boolean;
    };

/** What the understand stage needs besides the message. */
export interface UnderstandContext {
  index: ArticleIndex;
  lexicon: Lexicon;
  tuning: EngineTuning;
}

/** The plan of a question as received: cleaned, without the words that address the bot. */
export function planQuestion(question: string, ctx: UnderstandContext): QueryPlan {
  return planQuery(stripVocatives(cleanText(question)), ctx.index, ctx.lexicon, ctx.tuning.plan);
}

/** Read one message. */
export function understand(question: string, ctx: UnderstandContext): Understanding {
  const { index, lexicon, tuning } = ctx;
  const cleaned = cleanText(question);
  const text = stripVocatives(cleaned);
  // Only calling the bot ("bot ơi"): a greeting.
  if (text === '' && tokenize(cleaned).length > 0) return { kind: 'greeting' };
  if (text === '' || tokenize(text).length === 0) return { kind: 'empty' };
  if (text.length > MAX_QUERY_CHARS) return { kind: 'too_long' };
  const folded = tokenize(text).map(foldToken).join(' ');
  if (GREETING.test(folded)) return { kind: 'greeting' };
  if (THANKS.test(folded)) return { kind: 'thanks' };
  if (asksTask(text)) return { kind: 'task' };
  if (asksToday(folded)) return { kind: 'today' };
  const plan = planQuery(text, index, lexicon, tuning.plan);
  const names = tuning.nameMissing > 0 ? questionNames(plan.text, lexicon, index, tuning) : [];
  const out: Understanding = { kind: 'question', text, plan, names };
  const days = recencyDays(expandShorthand(tokenize(text), lexicon));
  if (days !== undefined) out.recencyDays = days;
  if (asksAboutBot(text)) out.aboutBot = true;
  const subject = plan.subject;
  const expansions = subject !== undefined ? lexicon.abbreviations.get(subject) : undefined;
  if (subject !== undefined && expansions) {
    const written = (tokenize(text).find((t) => foldToken(t) === subject) ?? subject).toUpperCase();
    out.abbreviation = { subject, written, expansions };
  }
  return out;
}
