/** The answer engine lives in `src/answer/`; this module keeps the older import path working. */
export * from '../answer/index.js';
