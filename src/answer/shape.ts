/**
 * What a sentence has the shape of, against what the question asks: a count next to what it counts, a date, a
 * person, a place, the question's focus words, a definition of its subject.
 */
import { foldText, foldToken, foldTokens, normalizeText, pairTerm, PAIR_JOINER, tokenize } from '../search/analyzer.js';
import type { QuestionKind } from '../search/lexicon.js';
import type { QueryPlan } from '../search/query.js';
import { WORDS } from '../search/words.js';
import { sentenceWords } from './analysis.js';
import type { EngineTuning } from './tuning.js';
import type { SentenceInfo, SentenceWords } from './types.js';

const pairedFocusOf = new WeakMap<QueryPlan, Set<string>>();
/** The focus syllables that are part of a focus compound (they count only within it). */
function pairedFocus(plan: QueryPlan): Set<string> {
  let out = pairedFocusOf.get(plan);
  if (!out) {
    out = new Set<string>();
    for (const t of plan.focus) if (t.includes(PAIR_JOINER)) for (const part of t.split(PAIR_JOINER)) out.add(part);
    pairedFocusOf.set(plan, out);
  }
  return out;
}

/** Words before the day of a date or the hour of a time, as written ("ngày 2-6", "chiều 13.5", "lúc 16 giờ"; not "tới 140 nghìn"). */
const DATE_HEAD = new Set(WORDS.dateHeads);
/** Words that make "ngày", "tháng" a rate, not a date: "mỗi ngày 500 lượt khách". */
const EVERY = new Set(WORDS.rateWords);
/** Units of an amount of money, folded: "50 triệu đồng" answers "bao nhiêu tiền". */
const MONEY_UNITS = new Set(WORDS.moneyUnits);

/**
 * Whether the number at position i of a sentence is part of a date or a time of day: the day or hour after
 * "ngày", "chiều", "lúc"… ("ngày 5", "chiều 13.5"), the month joined to it ("2-6", "13/5"), an hour before "h" /
 * "giờ" and the minutes after it ("16 giờ 30", "17h30") — within the range of each, and not after "mỗi ngày"
 * ("mỗi ngày 500 lượt") nor across a comma ("ngày 5, 30 hộ dân"). A question that counts hours keeps them.
 */
function isDateOrTime(w: SentenceWords, i: number, countsHours: boolean): boolean {
  const { written, folded, gaps } = w;
  const value = /^\d+$/.test(written[i]!) ? Number(written[i]) : Number.NaN;
  if (Number.isNaN(value)) return false;
  const spaced = (k: number) => k > 0 && k < written.length && /^\s+$/.test(gaps[k]!);
  const isNumber = (k: number) => k >= 0 && /^\d+$/.test(written[k] ?? '');
  const head = (k: number) => k >= 0 && DATE_HEAD.has(written[k]!) && !EVERY.has(written[k - 1] ?? '');
  // The day or hour right after its head word.
  if (spaced(i) && head(i - 1)) return value <= (written[i - 1] === 'tháng' ? 12 : 31);
  // The month joined to the day: "2-6", "13.5", "13/5".
  if (/^[-/.]$/.test(gaps[i] ?? '') && isNumber(i - 1) && spaced(i - 1) && head(i - 2)) return value <= 12;
  if (countsHours) return false;
  // The hour before "giờ"/"h", the minutes after it.
  if (/^(h|gio)$/.test(folded[i + 1] ?? '') && value <= 24) return true;
  return /^(h|gio)$/.test(folded[i - 1] ?? '') && isNumber(i - 2) && value < 60;
}

/**
 * Whether a sentence counts what a quantity question asks about: a new number within
 * {@link EngineTuning.countWindow} words of a focus word of the question ("gần 7500 nhân khẩu" for "bao nhiêu
 * nhân khẩu", "trị giá 30 triệu đồng" for "trị giá bao nhiêu"), or of a unit of money when it asks "bao nhiêu
 * tiền". A year, a date or a time of day is no count ({@link isDateOrTime}). `unitOnly`: when the question names
 * what it counts ("bao nhiêu *hộ*", "bao nhiêu tiền"), only that counts, not the other words next to the question
 * word ("xảy ra mấy vụ" is not answered by "đã xảy ra 2 trận lũ").
 */
export function countsFocus(s: SentenceInfo, plan: QueryPlan, tuning: EngineTuning, unitOnly = false): boolean {
  const sw = sentenceWords(s);
  const words = sw.folded;
  const money = plan.focus.has('tien') || plan.unit[0] === 'tien';
  const unit = plan.unit;
  const named = unitOnly && (unit.length > 0 || money);
  // The unit the question counts, where it starts or ends at j ("178 ngàn *lần*", "7500 *nhân khẩu*").
  const isUnit = (j: number): boolean =>
    unit.length > 0 && [j, j - unit.length + 1].some((start) => start >= 0 && unit.every((u, k) => words[start + k] === u));
  // A focus compound counts as a whole ("nhân khẩu", not the "nhân" of "nhân kỷ niệm").
  const inPairs = pairedFocus(plan);
  const counted = (j: number): boolean => {
    const w = words[j]!;
    if (/\d/.test(w)) return false;
    if ((money && MONEY_UNITS.has(w)) || isUnit(j)) return true;
    if (named) return false;
    if (!inPairs.has(w)) return plan.focus.has(w);
    return (j > 0 && plan.focus.has(pairTerm(words[j - 1]!, w))) || (j + 1 < words.length && plan.focus.has(pairTerm(w, words[j + 1]!)));
  };
  const countsHours = unit.includes('gio');
  const window = tuning.countWindow;
  for (let i = 0; i < words.length; i++) {
    // A year is not a count ("năm 2024" for "bao nhiêu năm"), nor a date.
    if (!/\d/.test(words[i]!) || plan.numbers.has(words[i]!) || /^(19|20)\d\d$/.test(words[i]!) || isDateOrTime(sw, i, countsHours)) continue;
    for (let j = Math.max(0, i - window); j <= i + window && j < words.length; j++) if (j !== i && counted(j)) return true;
  }
  return false;
}

/** Whether a sentence has what the question asks about: a focus compound, or a focus syllable outside them. */
export function hasFocus(s: SentenceInfo, plan: QueryPlan): boolean {
  const inPairs = pairedFocus(plan);
  for (const t of plan.focus) if ((t.includes(PAIR_JOINER) || !inPairs.has(t)) && s.terms.has(t)) return true;
  return false;
}

/** Whether a sentence has a number the question does not ("2,3 tỷ" for "ủng hộ bao nhiêu"), nor the given ones (a quote's). */
export function hasNewNumber(s: SentenceInfo, plan: QueryPlan, said?: Set<string>): boolean {
  return s.numbers.some((x) => !plan.numbers.has(x) && !said?.has(x));
}

/**
 * Whether a sentence has what the question asks for: a new number next to what a quantity question counts
 * ({@link countsFocus}; only the unit it names, when it names one: "3 yếu tố" does not answer "bao nhiêu cán
 * bộ"), a date, a person or a place for a question about when, who or where (one of them when it asks for
 * several); for other questions, the words next to the question word ({@link QueryPlan.focus}), if any.
 */
export function hasAnswerShape(s: SentenceInfo, plan: QueryPlan, tuning: EngineTuning): boolean {
  const shapes: Partial<Record<QuestionKind, () => boolean>> = {
    quantity: () => hasNewNumber(s, plan) && countsFocus(s, plan, tuning, true),
    time: () => s.hasDate,
    person: () => s.hasPerson,
    place: () => s.hasPlace,
  };
  const asked = plan.kinds.filter((k) => shapes[k] !== undefined);
  if (asked.length === 0) return plan.focus.size === 0 || hasFocus(s, plan);
  return asked.some((k) => shapes[k]!());
}

/**
 * Whether a sentence defines one of the given names: it starts with the name, and "là" follows within
 * {@link EngineTuning.definitionWindow} words ("Mặt trận Tổ quốc Việt Nam là …", "ĐHQG là viết tắt của …"; not
 * "Chủ tịch Ủy ban nhân dân là ông …").
 */
export function definesSubject(sentence: string, names: string[], tuning: EngineTuning): boolean {
  const words = tokenize(sentence).map(foldToken);
  return names.some((name) => {
    const n = tokenize(name).map(foldToken);
    if (n.length === 0 || n.some((w, i) => words[i] !== w)) return false;
    return words.slice(n.length, n.length + tuning.definitionWindow).includes('la');
  });
}

// ---- Slot filling: does the quoted text give a value of the asked type next to what the question is about? ----

/**
 * What a question asks a value of, for slot filling: a phone number when it asks for a phone or hotline, an email
 * or web address when it asks for one (the contact slots).
 */
type Slot = 'quantity' | 'time' | 'person' | 'place' | ContactSlot;
type ContactSlot = 'phone' | 'email' | 'web';

const CONTACT_WORDS: [ContactSlot, string[]][] = [
  ['phone', WORDS.phoneWords.map((w) => ` ${foldText(w)} `)],
  ['email', WORDS.emailWords.map((w) => ` ${foldText(w)} `)],
  ['web', WORDS.webWords.map((w) => ` ${foldText(w)} `)],
];
/** An email address; a web address (a scheme, "www." or a domain of a kind citizens are given, not an email's). */
const EMAIL = /[\p{L}\d._%+-]+@[\p{L}\d-]+(?:\.[\p{L}\d-]+)+/u;
const WEB = /\bhttps?:\/\/\S+|\bwww\.\S+|(?<![@\w.-])[a-z\d-]+(?:\.[a-z\d-]+)*\.(?:vn|com|org|net|gov)\b/i;
const SLOT_DATE_HEADS = new Set(WORDS.dateHeads.map(foldToken));
const SLOT_PLACE_HEADS = WORDS.place.heads.map((h) => foldTokens(h));
const SLOT_TITLES = WORDS.personTitles.map((h) => foldTokens(h));
/** Syllables and numbers of a text with their capitals kept ("0912.345.678" and "30/6/2017" are one token). */
const SLOT_TOKEN = /[\p{L}\p{M}]+|\d+(?:[.,/-]\d+)*/gu;

/** The typed values a question asks for; empty when it asks for none (what, why, how). */
export function askedSlots(plan: QueryPlan): Slot[] {
  const text = ` ${foldText(plan.text)} `;
  // Not when the question counts something it names: "giả mạo website bị phạt bao nhiêu tiền" asks an amount.
  const contact = plan.unit.length > 0 ? [] : CONTACT_WORDS.filter(([, words]) => words.some((w) => text.includes(w))).map(([slot]) => slot);
  if (contact.length > 0) return contact;
  return plan.kinds.flatMap((k) => (k === 'quantity' || k === 'time' || k === 'person' || k === 'place' ? [k] : []));
}

/**
 * The question's anchors: the syllables next to its question word (its focus), the unit it counts, and its
 * three rarest content syllables (the entity, place or year it is about), folded.
 */
function anchorTerms(plan: QueryPlan): Set<string> {
  const out = new Set<string>();
  for (const t of plan.focus) if (!t.includes(PAIR_JOINER)) out.add(t);
  for (const t of plan.unit) out.add(t);
  for (const t of rareTerms(plan)) out.add(t);
  return out;
}

/**
 * The question's (at most) three rarest content syllables, not counting words taken for typos: what it is
 * specifically about. A word no document has counts too (no article has it: nothing answers with it).
 */
export function rareTerms(plan: QueryPlan): string[] {
  return [...plan.content]
    .filter(([t]) => !plan.fuzzy.has(t))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([t]) => t);
}

/** Positions of the values of one slot in a sentence's tokens (as written and folded). */
function slotValues(slot: Slot, written: string[], folded: string[], plan: QueryPlan): number[] {
  const out: number[] = [];
  // Email and web addresses are found on the whole text (see slotFit).
  if (slot === 'email' || slot === 'web') return out;
  const startsWith = (i: number, words: string[][]) => words.some((w) => w.every((x, k) => folded[i + k] === x));
  const capital = (i: number) => i < written.length && /^\p{Lu}/u.test(written[i]!);
  for (let i = 0; i < written.length; i++) {
    const w = written[i]!;
    const digits = /\d/.test(w);
    const after = (head: Set<string>) => i > 0 && head.has(folded[i - 1]!);
    if (slot === 'phone') {
      if (w.replace(/\D/g, '').length >= 8) out.push(i);
    } else if (slot === 'quantity') {
      if (digits && !plan.numbers.has(w) && !/^(19|20)\d\d$/.test(w) && !/\d[/-]\d/.test(w) && !after(SLOT_DATE_HEADS) && folded[i - 1] !== 'nam') out.push(i);
    } else if (slot === 'time') {
      if (digits && (after(SLOT_DATE_HEADS) || folded[i - 1] === 'nam' || /^\d{1,2}[/-]\d{1,2}/.test(w))) out.push(i);
    } else if (slot === 'person') {
      // A title before a capitalised name ("ông Nguyễn Văn A", "Chủ tịch Lê B"), or three capitalised syllables in a row.
      if (startsWith(i, SLOT_TITLES)) {
        const n = SLOT_TITLES.find((t) => t.every((x, k) => folded[i + k] === x))!.length;
        if (capital(i + n)) out.push(i + n);
      } else if (capital(i) && capital(i + 1) && capital(i + 2) && !/^\p{Lu}{2,}$/u.test(w)) out.push(i);
    } else if (startsWith(i, SLOT_PLACE_HEADS)) {
      const n = SLOT_PLACE_HEADS.find((t) => t.every((x, k) => folded[i + k] === x))!.length;
      if (capital(i + n)) out.push(i + n);
    }
  }
  return out;
}

/** Slot features of the quoted sentences: whether they hold a value of an asked type, and one near an anchor. */
export interface SlotFit {
  /** The question asks for a typed value (a number, a date, a person, a place, a phone number, an email or web address). */
  asked: boolean;
  /** What it asks for is a way to contact someone: a phone number, an email or a web address. */
  contact: boolean;
  /** A quoted sentence has a value of an asked type. */
  value: boolean;
  /** A quoted sentence has such a value within {@link EngineTuning.slotWindow} words of an anchor of the question. */
  nearAnchor: boolean;
}

/** How the quoted sentences fill the question's slot ({@link SlotFit}). */
export function slotFit(sentences: SentenceInfo[], plan: QueryPlan, tuning: EngineTuning): SlotFit {
  const slots = askedSlots(plan);
  if (slots.length === 0) return { asked: false, contact: false, value: false, nearAnchor: false };
  const contact = slots.every((slot) => slot === 'phone' || slot === 'email' || slot === 'web');
  const anchors = anchorTerms(plan);
  let value = false;
  for (const s of sentences) {
    // An email or a web address is one value of its own shape, wherever it stands in the sentence.
    if ((slots.includes('email') && EMAIL.test(s.text)) || (slots.includes('web') && WEB.test(s.text)))
      return { asked: true, contact, value: true, nearAnchor: true };
    const written = s.text.normalize('NFC').match(SLOT_TOKEN) ?? [];
    const folded = written.map((w) => foldToken(normalizeText(w)));
    const marks = folded.flatMap((f, i) => (anchors.has(f) ? [i] : []));
    for (const slot of slots) {
      const values = slotValues(slot, written, folded, plan);
      if (values.length === 0) continue;
      value = true;
      if (values.some((v) => marks.some((a) => a !== v && Math.abs(a - v) <= tuning.slotWindow))) return { asked: true, contact, value, nearAnchor: true };
    }
  }
  return { asked: true, contact, value, nearAnchor: false };
}

/** Idf-weighted share of the question's {@link rareTerms} that the given terms lack (0 when it has none). */
export function rareMissing(terms: Set<string>, plan: QueryPlan): number {
  let total = 0;
  let missing = 0;
  for (const t of rareTerms(plan)) {
    const w = plan.content.get(t) ?? 0;
    total += w;
    if (!terms.has(t)) missing += w;
  }
  return total > 0 ? missing / total : 0;
}

const PERSONAL_ACCENTED = WORDS.personal.accented.map((p) => p.split(' '));
const PERSONAL_UNACCENTED = WORDS.personal.unaccented.map((p) => p.split(' '));

/**
 * Whether the asker speaks of their own case: "tôi", "em", "nhà mình", "mẹ em"… as written (`personal` in
 * words.json), unaccented forms only where the question is written without diacritics ("toi", "nha em").
 */
export function tellsOwnCase(plan: QueryPlan): boolean {
  const tokens = tokenize(plan.text);
  const phrases = plan.accented ? PERSONAL_ACCENTED : [...PERSONAL_ACCENTED, ...PERSONAL_UNACCENTED];
  return tokens.some((_, i) => phrases.some((p) => p.every((w, k) => tokens[i + k] === w)));
}
