import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { foldText, foldToken, foldTokens, hasDiacritics, normalizeText, tokenize } from './analyzer.js';

/** A province of the 2025 map, with the names a question may use for it. */
export interface Province {
  code: string;
  /** Official 2025 name, e.g. "Quảng Trị". */
  name: string;
  /** Pre-2025 provinces merged into it, e.g. ["Quảng Bình", "Quảng Trị"]. */
  former: string[];
  /** Every name it goes by, as in data/lexicon/provinces.json: official, former, and their aliases ("tphcm", "sài gòn", "Huế"). */
  names: string[];
}

/** A match of a lexicon phrase in a token list. */
export interface PhraseMatch<T> {
  start: number;
  end: number;
  value: T;
  /** The tokens as written in the question. */
  text: string;
}

/**
 * Whether a province found in a text (folded) is one: a name of several syllables is, and so is one syllable
 * written without accents ("hue") or as one of the province's names ("Huế"); "Huệ" is a person.
 */
export function isProvinceMatch(m: PhraseMatch<Province>): boolean {
  return m.end - m.start > 1 || !hasDiacritics(m.text) || m.value.names.some((n) => tokenize(n).join(' ') === m.text);
}

/** Longest-match lookup of multi-syllable phrases, compared diacritic-folded. */
class PhraseMatcher<T> {
  private readonly phrases = new Map<string, T>();
  private maxLength = 1;

  /** Add a phrase; the first value added for a phrase wins. */
  add(phrase: string, value: T): void {
    const tokens = foldTokens(phrase);
    if (tokens.length === 0) return;
    const key = tokens.join(' ');
    if (!this.phrases.has(key)) this.phrases.set(key, value);
    this.maxLength = Math.max(this.maxLength, tokens.length);
  }

  /** Non-overlapping longest matches over exact tokens (as from {@link tokenize}). */
  find(tokens: string[]): PhraseMatch<T>[] {
    const folded = tokens.map(foldToken);
    const out: PhraseMatch<T>[] = [];
    for (let i = 0; i < folded.length; ) {
      let matched = false;
      for (let n = Math.min(this.maxLength, folded.length - i); n >= 1; n--) {
        const value = this.phrases.get(folded.slice(i, i + n).join(' '));
        if (value !== undefined) {
          out.push({ start: i, end: i + n, value, text: tokens.slice(i, i + n).join(' ') });
          i += n;
          matched = true;
          break;
        }
      }
      if (!matched) i += 1;
    }
    return out;
  }

  get size(): number {
    return this.phrases.size;
  }
}

const abbreviationsFile = z.object({
  entries: z.array(z.object({ abbr: z.string().min(1), expansions: z.array(z.string().min(1)).min(1) })),
});
const provincesFile = z.object({
  provinces: z
    .array(
      z.object({
        code: z.string(),
        name: z.string().min(1),
        aliases: z.array(z.string()).default([]),
        former: z.array(z.object({ name: z.string().min(1), aliases: z.array(z.string()).default([]) })).default([]),
      }),
    )
    .length(34),
});
const stopwordsFile = z.object({
  stopwords: z.array(z.string()),
  questionWords: z.record(z.string(), z.array(z.string())),
  glueWords: z.array(z.string()).default([]),
});

const chatFile = z.object({
  shorthand: z.array(
    z.object({
      forms: z.array(z.string().min(1)).min(1),
      means: z.string(),
      afterWord: z.boolean().default(false),
      notAfter: z.array(z.string()).default([]),
      before: z.array(z.string()).default([]),
      atEnd: z.boolean().default(false),
    }),
  ),
});

/** What a chat shorthand stands for ("ko" → không, "đc" → được, "bn" → bao nhiêu after another word). */
export interface Shorthand {
  /** The words it stands for, as {@link tokenize} gives them (none: the token is dropped, "mn" = mọi người). */
  means: string[];
  /** Only after another word, not before "ơi" and not after one of {@link notAfter} ("giá bn" is bao nhiêu, "bn ơi", "cảm ơn bn" are bạn). */
  afterWord: boolean;
  notAfter: Set<string>;
  /** Before one of these it stands for {@link means} wherever it is ("cho bn tập thể": bao nhiêu, not bạn). */
  before: Set<string>;
  /** Only as the last word of a clause ("z" is "vậy" there, "gen Z" elsewhere). */
  atEnd: boolean;
}

/** The kinds of answer a question word asks for. */
export type QuestionKind = 'person' | 'quantity' | 'time' | 'place' | 'reason' | 'manner' | 'which' | 'definition';

/** Abbreviations, provinces and stop words, ready for matching. */
export interface Lexicon {
  /** Abbreviation (folded) → expansions (normalized text). */
  abbreviations: Map<string, string[]>;
  /** Expansion phrase → its abbreviation, for expanding the other way. */
  expansions: PhraseMatcher<string>;
  provinces: Province[];
  /** Any province name, alias or former name → the 2025 province. */
  provinceNames: PhraseMatcher<Province>;
  /** Folded stop words (single syllables and phrases joined by a space). */
  stopwords: Set<string>;
  /**
   * The stop words of two or more syllables ("tuy nhiên", "đối với") → the phrase as written. Matched folded, so
   * a match counts only when the question has the same accents: "vì thế" is a stop phrase, "vị thế" is not.
   */
  stopPhrases: PhraseMatcher<string>;
  questionWords: PhraseMatcher<QuestionKind>;
  /**
   * Grammatical words as written, with their accents ("của", "từ", "theo"): a pair with one of them in it
   * ("của_sao", "nguồn_từ") is grammar, not a compound. Used in accented questions only: "tu" is also "tư", "tù".
   */
  glueWords: Set<string>;
  /** Chat shorthand as typed (lowercase, whole token) → what it stands for. */
  shorthand: Map<string, Shorthand>;
}

/** A question's tokens with chat shorthand written out ("có đc ko" → có được không). */
export function expandShorthand(tokens: string[], lexicon: Lexicon): string[] {
  if (lexicon.shorthand.size === 0) return tokens;
  return tokens.flatMap((token, i) => {
    const entry = lexicon.shorthand.get(token);
    if (!entry) return [token];
    if (entry.atEnd && i !== tokens.length - 1) return [token];
    if (entry.before.has(tokens[i + 1] ?? '')) return entry.means;
    if (entry.afterWord && (i === 0 || /^(ơi|oi)$/.test(tokens[i + 1] ?? '') || entry.notAfter.has(tokens[i - 1]!))) return [token];
    return entry.means;
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`lexicon: cannot read ${file} (${(err as Error).message})`, { cause: err });
  }
}

function parse<T>(schema: z.ZodType<T>, file: string): T {
  const result = schema.safeParse(readJson(file));
  if (!result.success) throw new Error(`lexicon: ${file} is malformed: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Load the lexicon from `dir` (default: the bundled data/lexicon). */
export function loadLexicon(dir: string): Lexicon {
  const abbr = parse(abbreviationsFile, join(dir, 'abbreviations.json'));
  const prov = parse(provincesFile, join(dir, 'provinces.json'));
  const stop = parse(stopwordsFile, join(dir, 'stopwords.json'));
  // Optional: a CONTENT_DIR of an older layout has no chat.json, and then no shorthand is written out.
  const chat = existsSync(join(dir, 'chat.json')) ? parse(chatFile, join(dir, 'chat.json')) : { shorthand: [] };

  const abbreviations = new Map<string, string[]>();
  const expansions = new PhraseMatcher<string>();
  for (const { abbr: a, expansions: exps } of abbr.entries) {
    const key = foldToken(normalizeText(a).replace(/[^\p{L}\p{N}]/gu, ''));
    if (key.length < 2) continue;
    const list = abbreviations.get(key) ?? [];
    for (const e of exps) {
      const norm = normalizeText(e).trim();
      if (!list.includes(norm)) list.push(norm);
      if (tokenize(norm).length >= 2) expansions.add(norm, key);
    }
    abbreviations.set(key, list);
  }

  const provinces: Province[] = [];
  const provinceNames = new PhraseMatcher<Province>();
  for (const p of prov.provinces) {
    const names = [p.name, ...p.aliases, ...p.former.flatMap((f) => [f.name, ...f.aliases])].map((n) => n.normalize('NFC'));
    const province: Province = {
      code: p.code,
      name: p.name.normalize('NFC'),
      former: p.former.map((f) => f.name.normalize('NFC')),
      names: [...new Set(names)],
    };
    provinces.push(province);
    provinceNames.add(p.name, province);
  }
  // Second pass so that an official name always wins over an alias or former name of another province.
  for (const [i, p] of prov.provinces.entries()) {
    const province = provinces[i]!;
    for (const alias of p.aliases) provinceNames.add(alias, province);
    for (const f of p.former) {
      provinceNames.add(f.name, province);
      for (const alias of f.aliases) provinceNames.add(alias, province);
    }
  }

  const questionWords = new PhraseMatcher<QuestionKind>();
  for (const [kind, words] of Object.entries(stop.questionWords)) {
    for (const w of words) questionWords.add(w, kind as QuestionKind);
  }
  const stopwords = new Set(stop.stopwords.map(foldText).filter(Boolean));
  const stopPhrases = new PhraseMatcher<string>();
  for (const w of stop.stopwords) {
    const tokens = tokenize(w);
    if (tokens.length > 1) stopPhrases.add(w, tokens.join(' '));
  }
  const glueWords = new Set(stop.glueWords.flatMap((w) => tokenize(w)));
  const shorthand = new Map<string, Shorthand>();
  for (const { forms, means, afterWord, notAfter, before, atEnd } of chat.shorthand) {
    const words = (list: string[]) => new Set(list.flatMap((w) => tokenize(w)));
    const entry: Shorthand = { means: tokenize(means), afterWord, notAfter: words(notAfter), before: words(before), atEnd };
    for (const form of forms) shorthand.set(normalizeText(form).trim(), entry);
  }
  return { abbreviations, expansions, provinces, provinceNames, stopwords, stopPhrases, questionWords, glueWords, shorthand };
}
