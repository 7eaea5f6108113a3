/** The answer pipeline: understand → retrieve → rerank → select → decide → compose, rendered in one place. */
export { createAnswerEngine, type AnswerEngine, type AnswerEngineOptions } from './engine.js';
export { DEFAULT_TUNING, resolveTuning, type EngineTuning, type TuningOverrides } from './tuning.js';
export type { Answer, AnswerSource, RankedResult, RankFeatures } from './types.js';
export { asksTask, stripVocatives, understand, type Understanding } from './understand.js';
export { questionNames } from './names.js';
export { PLACE } from './analysis.js';
export { LEANS_BACK } from './select.js';
export { decide, decisionFeatures, type Decision, type DecisionFeatures } from './decide.js';
export { renderReply } from './render.js';
export { featureVector, loadDecisionModel, parseDecisionModel, predict, type DecisionModel } from './decision-model.js';
