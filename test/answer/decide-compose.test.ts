import { describe, expect, it } from 'vitest';
import { messages } from '../../src/copy/messages.js';
import { analyseDoc, createProvinceFinder } from '../../src/answer/analysis.js';
import { composeAnswer, composeFrom, composeNoAnswer, onTopic, sourcesOf } from '../../src/answer/compose.js';
import { decide, decisionFeatures } from '../../src/answer/decide.js';
import { renderReply } from '../../src/answer/render.js';
import { rerank } from '../../src/answer/rerank.js';
import { retrieve } from '../../src/answer/retrieve.js';
import { selectSentences } from '../../src/answer/select.js';
import { resolveTuning } from '../../src/answer/tuning.js';
import { planQuestion } from '../../src/answer/understand.js';
import type { SearchDoc } from '../../src/content/types.js';
import { article, features, indexOf, lexicon, tuning } from './fixtures.js';

describe('decide', () => {
  it('answers when the mix of coverage and best sentence reaches the threshold, and says why', () => {
    expect(decide(features({}), tuning)).toEqual({ answer: true, confidence: 0.6, reason: 'confident' });
    const low = decide(features({ coverage: 0.3, sentence: 0.3 }), tuning);
    expect(low).toEqual({ answer: false, confidence: 0.3, reason: 'low_confidence' });
    expect(decide(features({ found: false }), tuning)).toEqual({ answer: false, confidence: 0, reason: 'nothing_found' });
    expect(decide(features({ coverage: 2, sentence: 2 }), tuning).confidence).toBe(1);
  });

  it('answers only from the threshold up', () => {
    expect(decide(features({}), resolveTuning({ minConfidence: 0.7 })).answer).toBe(false);
  });

  it('does not answer a question for a phone number, an email or a web address with a quote that gives none', () => {
    expect(decide(features({ slotAsked: true, contactAsked: true, valueInQuote: false }), tuning)).toEqual({
      answer: false,
      confidence: 0.6,
      reason: 'no_contact',
    });
    expect(decide(features({ slotAsked: true, contactAsked: true, valueInQuote: true }), tuning).answer).toBe(true);
  });

  it('gathers the features of a question’s results: coverage, focus, margin, shape, agreement, rarity', () => {
    const provinces = createProvinceFinder(lexicon);
    const analyse = (doc: SearchDoc) => analyseDoc(doc, provinces.namesAnyProvince);
    const index = indexOf([
      article('den', 'Thắp sáng đường quê', ['Đoàn thanh niên xã Hưng Lợi lắp 60 bóng đèn năng lượng mặt trời trên đường quê.']),
      article('den-2', 'Đường quê sáng đèn', ['Nhiều tuyến đường quê đã được lắp đèn chiếu sáng.']),
    ]);
    const ctx = { index, lexicon, tuning };
    const plan = planQuestion('Đoàn thanh niên xã Hưng Lợi lắp bao nhiêu bóng đèn?', ctx);
    const ranked = rerank(plan, [], retrieve(plan, index, tuning, 5)!, { analyse, provinces, tuning }, 5);
    const f = decisionFeatures(plan, ranked, selectSentences(ranked[0]!.info, plan, tuning), tuning);
    expect(f.found).toBe(true);
    expect(f.coverage).toBe(ranked[0]!.coverage);
    expect(f.margin).toBeCloseTo((ranked[0]!.score - ranked[1]!.score) / ranked[0]!.score, 10);
    expect(f.shapeFound).toBe(true);
    expect(f.focusInQuote).toBe(1);
    expect(f.kinds).toContain('quantity');
    expect(f.termRarity).toBeGreaterThan(0);
    // Every word pair of the question is in the article; its title ("Thắp sáng đường quê") has none of its words.
    expect(f.pairsInDocument).toBe(1);
    expect(f.pairsInQuote).toBe(1);
    expect(f.titleCoverage).toBe(0);
    const road = planQuestion('Đường quê xã Hưng Lợi được lắp bao nhiêu bóng đèn?', ctx);
    const onRoad = rerank(road, [], retrieve(road, index, tuning, 5)!, { analyse, provinces, tuning }, 5);
    const titled = decisionFeatures(road, onRoad, selectSentences(onRoad[0]!.info, road, tuning), tuning);
    expect(titled.titleCoverage).toBeGreaterThan(0);
    expect(titled.titleCoverage).toBeLessThan(1);
    expect(f.personal).toBe(false);
    expect(f.contactAsked).toBe(false);
    expect(decisionFeatures(plan, [], [], tuning).found).toBe(false);
    const own = planQuestion('Nhà em ở xã Hưng Lợi có được lắp bóng đèn không?', ctx);
    expect(decisionFeatures(own, [], [], tuning).personal).toBe(true);
  });
});

describe('compose and render', () => {
  const doc = article('den', 'Thắp sáng đường quê', ['Đoàn thanh niên lắp 60 bóng đèn.'], { url: 'https://example.org/den', publishedAt: '2025-03-02' });
  const other = article('den-2', 'Đường quê sáng đèn', ['Mỗi bóng đèn giá 2 triệu đồng.'], { publishedAt: '2025-04-01' });
  const provinces = createProvinceFinder(lexicon);
  const ranked = [doc, other].map((d, i) => ({
    doc: d,
    score: 1 - i / 10,
    bm25: 1,
    coverage: 1,
    best: [],
    info: analyseDoc(d, provinces.namesAnyProvince),
    offPlace: false,
    features: {
      bm25: 1,
      coverage: 1,
      sentence: 1,
      rankedSentence: 1,
      countFound: false,
      distinct: 0,
      exactness: 1,
      placed: true,
      dated: true,
      named: true,
      reranked: true,
    },
  }));

  it('composes data, and renders the quote, the title, the date, the link and what a second article adds', () => {
    const sources = sourcesOf(ranked);
    expect(sources.map((s) => [s.id, s.score])).toEqual([
      ['den', 1],
      ['den-2', 0.9],
    ]);
    const reply = composeAnswer(ranked, sources, ['Đoàn thanh niên lắp 60 bóng đèn.'], 0.612345, { rank: 1, quote: ['Mỗi bóng đèn giá 2 triệu đồng.'] });
    expect(reply).toMatchObject({ kind: 'answer', confidence: 0.6123, main: { title: 'Thắp sáng đường quê' }, also: { source: { id: 'den-2' } } });
    const answer = renderReply(reply);
    expect(answer.text).toBe(
      `${messages.answer('Đoàn thanh niên lắp 60 bóng đèn.', 'Thắp sáng đường quê', '02/03/2025', 'https://example.org/den')}\n\n${messages.alsoSaid('Mỗi bóng đèn giá 2 triệu đồng.', 'Đường quê sáng đèn', '01/04/2025')}`,
    );
    expect(answer.body).not.toContain('https://example.org/den');
    expect(answer.also).toEqual({ id: 'den-2', quote: ['Mỗi bóng đèn giá 2 triệu đồng.'] });
  });

  it('names as closest only the results with enough of the question’s words to be on its topic', () => {
    const offTopic = ranked.map((r, i) => ({ ...r, coverage: i === 0 ? 0.6 : 0.1 }));
    expect(onTopic(offTopic, tuning).map((r) => r.doc.id)).toEqual(['den']);
    expect(onTopic(offTopic, resolveTuning({ closestMinCoverage: 0.05 })).map((r) => r.doc.id)).toEqual(['den', 'den-2']);
    expect(onTopic(offTopic, resolveTuning({ closestMinCoverage: 0.9 }))).toEqual([]);
    // Nothing on the topic: the reply says so plainly and names no article.
    const none = renderReply(composeNoAnswer(sourcesOf([]), 0.01, tuning));
    expect(none).toMatchObject({ text: messages.noAnswer([]), sources: [], kind: 'no_answer' });
  });

  it('renders the replies that need no article, and the closest titles when it does not answer', () => {
    expect(renderReply({ kind: 'greeting' })).toEqual({ text: messages.greeting, sources: [], confidence: 1, kind: 'greeting' });
    expect(renderReply({ kind: 'task' }).kind).toBe('no_answer');
    const none = renderReply(composeNoAnswer(sourcesOf(ranked), 0.2, resolveTuning({ closestTitles: 1 })));
    expect(none).toEqual({
      text: messages.noAnswer(['Thắp sáng đường quê (02/03/2025)']),
      sources: [sourcesOf(ranked)[0]],
      confidence: 0.2,
      kind: 'no_answer',
    });
    const abbr = renderReply({ kind: 'abbreviation', written: 'ĐTN', expansions: ['đoàn thanh niên'] });
    expect(abbr).toMatchObject({ text: messages.abbreviation('ĐTN', ['đoàn thanh niên']), sources: [], kind: 'answer' });
    expect(renderReply(composeFrom(other, ['Mỗi bóng đèn giá 2 triệu đồng.'])).sources).toEqual([
      { id: 'den-2', title: 'Đường quê sáng đèn', url: undefined, publishedAt: '2025-04-01', score: 1 },
    ]);
  });
});
