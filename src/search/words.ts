/**
 * The code's own word lists (`data/lexicon/words.json`): greetings, thanks, the names the bot is called by,
 * particles, task requests, titles and forms of address, date and place words, units of money, requests about the
 * bot itself. Read once, from the repository's data (they are part of how the code reads a question, not content a
 * deployment replaces).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const list = z.array(z.string().min(1)).min(1);
const schema = z.object({
  greeting: z.object({ phrases: list, addressees: list }),
  thanks: z.object({ leads: list, phrases: list, tails: list }),
  vocative: z.object({
    names: list,
    namesAlone: list,
    greetings: list,
    particles: list,
    callWords: list,
    calls: list,
    politeEnds: list,
    politeAfterName: list,
  }),
  task: z.object({ verbs: list, remindVerbs: list, helping: list, me: list, requestLead: list, asksWhether: list }),
  honorifics: list,
  personTitles: list,
  place: z.object({ heads: list, headNotAfter: z.record(z.string(), z.string()), notPlaces: list }),
  followUp: z.object({ leads: list, tails: list }),
  phoneWords: list,
  emailWords: list,
  webWords: list,
  dateHeads: list,
  rateWords: list,
  moneyUnits: list,
  announces: list,
  leansBack: z.object({ openers: list, reasons: list, demonstratives: list }),
  today: z.object({ words: list, now: list, asks: list, lunar: list }),
  nearTime: z.array(z.object({ phrases: list, days: z.number().positive(), accentedOnly: z.boolean().optional() })).min(1),
  relativeTime: z.object({
    units: z.record(z.string().min(1), z.string().min(1)),
    pointers: z.record(z.string().min(1), z.number().int()),
    days: z.record(z.string().min(1), z.number().int()),
    accentedOnly: list,
    notAfter: list,
  }),
  narrators: list,
  personal: z.object({ note: z.string(), accented: list, unaccented: list }),
  aboutBot: z.object({ note: z.string(), names: list, before: list, after: list, notAfter: list }),
  endParticles: z.object({ unambiguous: list, accented: list, unaccented: list, inUnitSlot: list }),
  yesNo: z.object({ accented: list, unaccented: list }),
  subjectLeadIns: list,
  botRequests: z.object({
    maxWords: z.number().int().positive(),
    commands: z.record(z.string(), list),
    leads: list,
    tails: list,
    slots: z.record(z.string(), list),
    intents: z
      .array(
        z.object({
          intent: z.enum(['subscribe', 'unsubscribe', 'settings', 'help', 'digest', 'latest', 'programs', 'staff']),
          command: z.string().min(1).optional(),
          confirm: z.boolean(),
          patterns: list,
          tails: list.optional(),
        }),
      )
      .min(1),
    confirm: z.object({ yes: list, no: list, tails: list }),
  }),
});

/** The word lists, as in the file. */
export type Words = z.infer<typeof schema>;

/** Parse and check a word list file. */
export function parseWords(json: unknown): Words {
  return schema.parse(json);
}

/** The word lists of `data/lexicon/words.json`. */
export const WORDS: Words = parseWords(JSON.parse(readFileSync(new URL('../../data/lexicon/words.json', import.meta.url), 'utf8')));

/** A regular-expression alternation of the given words, each escaped, in their order. */
export function alternation(words: readonly string[]): string {
  return words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
