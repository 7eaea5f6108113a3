/**
 * The answer pipeline: understand → retrieve → rerank → select → decide → compose, rendered in one place. What
 * the rest of the app uses; tests reach each stage through its own file.
 */
export { createAnswerEngine, type AnswerEngine, type Explained } from './engine.js';
export { DEFAULT_TUNING, type TuningOverrides } from './tuning.js';
export type { Answer, AnswerSource } from './types.js';
export { asksTask, stripVocatives } from './understand.js';
export { questionNames } from './names.js';
export { PLACE } from './analysis.js';
export { LEANS_BACK } from './select.js';
export type { Decision, DecisionFeatures } from './decide.js';
export { loadDecisionModel, type DecisionModel } from './decision-model.js';
