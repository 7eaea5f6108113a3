/**
 * Requests about the bot itself ("tôi muốn nhận bản tin hằng ngày", "bot làm được gì", "hủy nhận tin", "ad ơi cho
 * mình gặp cán bộ"): which command they ask for. The phrases are data (`botRequests` in data/lexicon/words.json);
 * this module compiles them into a small grammar per intent, read over the folded words of a message.
 *
 * @remarks
 * A message is a request only when the whole of it reads as one: polite leads ("cho mình", "làm sao để"), one
 * pattern of an intent, then tails ("với", "được không", "ad ơi"). A word outside the grammar ("đăng ký *thường
 * trú* ở đâu", "hủy *hợp đồng lao động*", "*Mặt trận* làm được gì *cho người nghèo*") leaves the message to the
 * articles. Precision is the point: a question taken for a request gets a menu instead of an answer.
 */
import { foldTokens } from '../search/analyzer.js';
import { WORDS, type Words } from '../search/words.js';

/** A request grammar, as in words.json. */
export type Grammar = Words['botRequests'];

/** What a request asks for. */
export type RequestIntent = Grammar['intents'][number]['intent'];

/** A message read as a request to the bot. */
export interface BotRequest {
  intent: RequestIntent;
  /** The command it leads to; none for a request to talk to staff. */
  command?: string;
  /** The command changes the user's settings (subscribes, unsubscribes): ask before running it. */
  confirm: boolean;
}

/** Folded words of a text. */
function foldedWords(text: string): string[] {
  return foldTokens(text);
}

/** A compiled phrase or pattern, matched over folded words. */
type Node = { word: string } | { seq: Node[] } | { alt: Node[] } | { opt: Node } | { many: Node; atLeastOne: boolean };

/** Compiles phrases and patterns of the grammar into nodes; a slot is compiled once and shared. */
function createCompiler(grammar: Grammar) {
  const slots = new Map<string, Node>();
  const compiling = new Set<string>();

  function slot(name: string): Node {
    const done = slots.get(name);
    if (done) return done;
    const phrases = grammar.slots[name];
    if (!phrases) throw new Error(`words.json botRequests: unknown slot {${name}}`);
    if (compiling.has(name)) throw new Error(`words.json botRequests: slot {${name}} names itself`);
    compiling.add(name);
    const node = alternatives(phrases);
    compiling.delete(name);
    slots.set(name, node);
    return node;
  }

  /** One part of a phrase or pattern: `{slot}` or a word, optionally followed by ?, * or +. */
  function part(raw: string): Node {
    const m = /^(?:\{(\w+)\}|([^{}?*+]+))([?*+]?)$/u.exec(raw);
    if (!m) throw new Error(`words.json botRequests: cannot read "${raw}"`);
    const words = m[2] === undefined ? [] : foldedWords(m[2]);
    if (m[1] === undefined && words.length === 0) throw new Error(`words.json botRequests: "${raw}" has no word`);
    const body: Node = m[1] !== undefined ? slot(m[1]) : words.length === 1 ? { word: words[0]! } : { seq: words.map((word) => ({ word })) };
    if (m[3] === '?') return { opt: body };
    return m[3] ? { many: body, atLeastOne: m[3] === '+' } : body;
  }

  function phrase(text: string): Node {
    return { seq: text.split(/\s+/).filter(Boolean).map(part) };
  }

  function alternatives(phrases: readonly string[]): Node {
    return { alt: phrases.map(phrase) };
  }
  return { phrase, alternatives };
}

/** The words a node can start with, and whether it can match no word at all (to skip it early). */
const starts = new WeakMap<Node, { first: Set<string>; empty: boolean }>();
function startOf(node: Node): { first: Set<string>; empty: boolean } {
  const known = starts.get(node);
  if (known) return known;
  let out: { first: Set<string>; empty: boolean };
  if ('word' in node) out = { first: new Set([node.word]), empty: false };
  else if ('alt' in node) {
    const parts = node.alt.map(startOf);
    out = { first: new Set(parts.flatMap((p) => [...p.first])), empty: parts.some((p) => p.empty) };
  } else if ('seq' in node) {
    out = { first: new Set(), empty: true };
    for (const item of node.seq) {
      const p = startOf(item);
      for (const w of p.first) out.first.add(w);
      if (!p.empty) {
        out.empty = false;
        break;
      }
    }
  } else {
    const inner = startOf('opt' in node ? node.opt : node.many);
    out = { first: inner.first, empty: 'opt' in node || !node.atLeastOne || inner.empty };
  }
  starts.set(node, out);
  return out;
}

/** The options of an alternation that may start with a word (those starting with it, and those that may be empty). */
const byFirstWord = new WeakMap<Node, Map<string, Node[]>>();
function optionsAt(node: { alt: Node[] }, word: string | undefined): Node[] {
  let index = byFirstWord.get(node);
  if (!index) {
    index = new Map();
    const empty = node.alt.filter((n) => startOf(n).empty);
    index.set('', empty);
    for (const option of node.alt) for (const w of startOf(option).first) index.set(w, [...(index.get(w) ?? empty), option]);
    byFirstWord.set(node, index);
  }
  return (word !== undefined ? index.get(word) : undefined) ?? index.get('')!;
}

/**
 * Where a node can end when it starts at `from`, each once. Memoised per node and start, so a message is read in
 * time linear in the grammar for each start position, whatever the overlaps between phrases.
 */
function ends(node: Node, words: readonly string[], from: number, memo: Map<Node, Map<number, number[]>>): number[] {
  let byStart = memo.get(node);
  const known = byStart?.get(from);
  if (known) return known;
  const start = startOf(node);
  let out: number[];
  if (!start.empty && !start.first.has(words[from] ?? '')) out = [];
  else if ('word' in node) out = words[from] === node.word ? [from + 1] : [];
  else if ('alt' in node) out = [...new Set(optionsAt(node, words[from]).flatMap((n) => ends(n, words, from, memo)))];
  else if ('opt' in node) out = [...new Set([from, ...ends(node.opt, words, from, memo)])];
  else if ('seq' in node) {
    out = [from];
    for (const item of node.seq) {
      out = [...new Set(out.flatMap((at) => ends(item, words, at, memo)))];
      if (out.length === 0) break;
    }
  } else {
    const reached = new Set<number>(node.atLeastOne ? [] : [from]);
    const queue = [from];
    for (let at = queue.pop(); at !== undefined; at = queue.pop()) {
      for (const end of ends(node.many, words, at, memo)) {
        if (end > at && !reached.has(end)) {
          reached.add(end);
          queue.push(end);
        }
      }
    }
    out = [...reached];
  }
  if (!byStart) {
    byStart = new Map();
    memo.set(node, byStart);
  }
  byStart.set(from, out);
  return out;
}

/** Whether the node reads all of the words. */
function matchesAll(node: Node, words: readonly string[]): boolean {
  return ends(node, words, 0, new Map()).includes(words.length);
}

interface CompiledIntent {
  request: BotRequest;
  /** The whole message: leads, one of the patterns, tails. */
  pattern: Node;
}

/** Reads messages with one request grammar. */
export interface RequestReader {
  /** The command a message names in its own words ("đăng ký", "huy dang ky", "Cài đặt"), run as if typed with a slash. */
  commandInWords(text: string): string | undefined;
  /** The request a message makes of the bot, or undefined when it is a question for the articles. */
  readRequest(text: string): BotRequest | undefined;
  /** A typed answer to "are you sure?": "có", "ok ạ", "dạ vâng" → yes; "không", "thôi khỏi" → no. */
  readConfirmation(text: string): 'yes' | 'no' | undefined;
  /** Every intent of the grammar, with its command and whether it asks first. */
  readonly intents: readonly BotRequest[];
}

/** Compile a request grammar (`botRequests` of words.json); throws on an unknown slot, a slot that names itself, or an unreadable part. */
export function createRequestReader(grammar: Grammar): RequestReader {
  const { phrase, alternatives } = createCompiler(grammar);
  const leads: Node = { many: alternatives(grammar.leads), atLeastOne: false };
  const intents: CompiledIntent[] = grammar.intents.map((intent) => {
    const tails: Node = { many: alternatives([...grammar.tails, ...(intent.tails ?? [])]), atLeastOne: false };
    const request: BotRequest = { intent: intent.intent, confirm: intent.confirm };
    if (intent.command) request.command = intent.command;
    const led: Node = { seq: [leads, { alt: intent.patterns.filter((p) => !p.startsWith('^')).map(phrase) }] };
    const bare = intent.patterns.filter((p) => p.startsWith('^')).map((p) => phrase(p.slice(1)));
    return { request, pattern: { seq: [{ alt: [led, ...bare] }, tails] } };
  });
  const commands = new Map<string, string>();
  for (const [command, phrases] of Object.entries(grammar.commands)) for (const p of phrases) commands.set(foldedWords(p).join(' '), command);
  const politeTails: Node = { many: alternatives(grammar.confirm.tails), atLeastOne: false };
  // "dạ vâng", "thôi không": answers are often doubled.
  const yes: Node = { seq: [{ many: alternatives(grammar.confirm.yes), atLeastOne: true }, politeTails] };
  const no: Node = { seq: [{ many: alternatives(grammar.confirm.no), atLeastOne: true }, politeTails] };

  /** The folded words of a message, or undefined when it has none or is too long to be a request. */
  function readable(text: string): string[] | undefined {
    const words = foldedWords(text);
    return words.length > 0 && words.length <= grammar.maxWords ? words : undefined;
  }

  return {
    commandInWords(text) {
      const words = readable(text);
      return words === undefined ? undefined : commands.get(words.join(' '));
    },
    readRequest(text) {
      const words = readable(text);
      const hit = words === undefined ? undefined : intents.find((intent) => matchesAll(intent.pattern, words));
      return hit ? { ...hit.request } : undefined;
    },
    readConfirmation(text) {
      const words = readable(text);
      if (words === undefined) return undefined;
      if (matchesAll(yes, words)) return 'yes';
      return matchesAll(no, words) ? 'no' : undefined;
    },
    intents: intents.map((i) => i.request),
  };
}

const reader = createRequestReader(WORDS.botRequests);

/** {@link RequestReader.commandInWords} with the grammar of data/lexicon/words.json. */
export const commandInWords = (text: string): string | undefined => reader.commandInWords(text);
/** {@link RequestReader.readRequest} with the grammar of data/lexicon/words.json. */
export const readRequest = (text: string): BotRequest | undefined => reader.readRequest(text);
/** {@link RequestReader.readConfirmation} with the grammar of data/lexicon/words.json. */
export const readConfirmation = (text: string): 'yes' | 'no' | undefined => reader.readConfirmation(text);
/** The intents of data/lexicon/words.json. */
export const REQUEST_INTENTS: readonly BotRequest[] = reader.intents;
