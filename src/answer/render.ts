/** The one place where a reply becomes text: the copy module's phrases filled with the reply's data. */
import { formatDate, messages } from '../copy/messages.js';
import type { SearchDoc } from '../content/types.js';
import { MAX_QUERY_CHARS } from '../search/query.js';
import type { Reply } from './compose.js';
import { vietnamToday } from './recency.js';
import type { Answer, AnswerSource } from './types.js';

/** The reply quoting sentences of one document: an article with its title and date, a program with its name. */
function quoteReply(doc: SearchDoc, quote: string[], title: string, url: string | undefined): string {
  return doc.type === 'program'
    ? messages.programAnswer(quote.join(' '), title, url)
    : messages.answer(quote.join(' '), title, formatDate(doc.publishedAt), url);
}

/** The entry number of a curated doc id (`faq:12` → 12). */
function faqNumber(id: string): number {
  return Number(id.slice(id.indexOf(':') + 1));
}

/** A cited title with its date: "Title (05/03/2017)". */
function dated(s: AnswerSource): string {
  return s.publishedAt ? `${s.title} (${formatDate(s.publishedAt)})` : s.title;
}

/** Render a reply. */
export function renderReply(reply: Reply): Answer {
  switch (reply.kind) {
    case 'greeting':
      return { text: messages.greeting, sources: [], confidence: 1, kind: 'greeting' };
    case 'thanks':
      return { text: messages.thanks, sources: [], confidence: 1, kind: 'thanks' };
    case 'empty':
      return { text: messages.empty, sources: [], confidence: 0, kind: 'empty' };
    case 'too_long':
      return { text: messages.tooLong(MAX_QUERY_CHARS), sources: [], confidence: 0, kind: 'too_long' };
    case 'task':
      return { text: messages.cannotDo, sources: [], confidence: 0, kind: 'no_answer' };
    case 'about_bot':
      return { text: messages.aboutBot, sources: [], confidence: 0, kind: 'no_answer' };
    case 'today': {
      const today = vietnamToday(reply.at);
      return { text: messages.today(today.weekday, today.date, today.time), sources: [], confidence: 1, kind: 'today' };
    }
    case 'no_answer':
      return { text: messages.noAnswer(reply.sources.map(dated)), sources: reply.sources, confidence: reply.confidence, kind: 'no_answer' };
    case 'no_recent': {
      const titles = reply.sources.map(dated);
      const text = reply.year === undefined ? messages.noRecentNews(titles) : messages.noInfoForYear(reply.year, titles);
      return { text, sources: reply.sources, confidence: reply.confidence, kind: 'no_answer' };
    }
    case 'abbreviation': {
      const line = messages.abbreviation(reply.written, reply.expansions);
      // No article is cited for what the lexicon says.
      return { text: line, body: line, sources: [], confidence: 1, kind: 'answer' };
    }
    case 'curated': {
      const text = messages.curatedAnswer(reply.doc.body, formatDate(reply.doc.publishedAt) ?? '');
      return { text, body: text, sources: reply.sources, confidence: reply.confidence, kind: 'answer', faq: faqNumber(reply.doc.id) };
    }
    case 'answer': {
      const { main, also } = reply;
      const render = (url: string | undefined) => {
        const quoted = quoteReply(main.doc, main.quote, main.title, url);
        return also ? `${quoted}\n\n${messages.alsoSaid(also.quote.join(' '), also.source.title, formatDate(also.source.publishedAt))}` : quoted;
      };
      const lead = reply.abbreviation ? `${messages.abbreviation(reply.abbreviation.written, reply.abbreviation.expansions)}\n\n` : '';
      const answer: Answer = {
        text: lead + render(main.doc.url),
        body: lead + render(undefined),
        sources: reply.sources,
        confidence: reply.confidence,
        kind: 'answer',
        quote: main.quote,
      };
      if (also) answer.also = { id: also.source.id, quote: also.quote };
      return answer;
    }
  }
}
