import { describe, expect, it } from 'vitest';
import type { EvalQuery } from '../../src/eval/evaluate.js';
import { createDecisionProbe, featureRows } from '../../src/eval/features.js';
import { features } from '../answer/fixtures.js';

const queries: EvalQuery[] = [
  { id: 'in', query: 'Quỹ xã Hưng Lợi có bao nhiêu tiền?', relevant: ['quy-hung-loi'], answers: ['120 triệu đồng'] },
  { id: 'elsewhere', query: 'Xã Hưng Lợi lắp bao nhiêu bóng đèn?', relevant: ['den-hung-loi'], answers: ['60 bóng đèn'] },
  { id: 'absent', query: 'Xã Hưng Lợi trồng bao nhiêu cây xanh?', relevant: ['cay-hung-loi'], answers: ['500 cây'] },
  { id: 'none', query: 'Giá vàng hôm nay bao nhiêu?', relevant: [], answers: [] },
];

/** Replies as an engine with only `quy-hung-loi` in its corpus might give; each reports a decision to the probe. */
function rowsOf(removed: boolean) {
  const probe = createDecisionProbe();
  const replies: Record<string, string> = {
    in: 'Quỹ có 120 triệu đồng.',
    elsewhere: 'Một bài khác: xã lắp 60 bóng đèn.',
    absent: 'Xã trồng cây dọc đường quê.',
    none: 'Giá vàng không có trong bài nào.',
  };
  return featureRows(
    'made-up',
    queries,
    (_text, query) => {
      probe.onDecision(features({}), { answer: true, confidence: 0.5, reason: 'confident' });
      return { ranked: [], text: replies[query.id]!, noAnswer: false, confidence: 0.5 };
    },
    probe,
    removed,
    (id) => id === 'quy-hung-loi',
  );
}

describe('feature rows', () => {
  it('label a question answerable only when the corpus asked holds a relevant document or the reply found the answer', () => {
    const rows = rowsOf(false).filter((r) => !r.unaccented);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect([byId.in!.answerable, byId.in!.label]).toEqual([true, 1]);
    // Its article is not in the corpus, but another holds the answer: answerable, and answered.
    expect([byId.elsewhere!.answerable, byId.elsewhere!.label]).toEqual([true, 1]);
    // Nothing in the corpus holds it: the reply given is a wrong one, whatever the set says of the full corpus.
    expect([byId.absent!.answerable, byId.absent!.label]).toEqual([false, 0]);
    expect([byId.none!.answerable, byId.none!.label]).toEqual([false, 0]);
    expect(rows.every((r) => r.set === 'made-up' && r.confidence === 0.5 && r.features !== null)).toBe(true);
  });

  it('ask each question as written and folded, and mark every row of an answer-removed run unanswerable', () => {
    const rows = rowsOf(true);
    expect(rows.map((r) => r.unaccented)).toEqual([false, false, false, false, true, true, true, true]);
    expect(rows[4]!.query).toBe(queries[0]!.query);
    expect(rows.every((r) => r.set === 'made-up+removed' && !r.answerable && r.label === 0)).toBe(true);
  });
});
