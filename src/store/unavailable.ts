/**
 * A store call refused because the store is unavailable (its circuit breaker is open), or cut short when the
 * store went away during the call. Callers that can do without the store go on without it; the breaker logs
 * the outage, so callers need not.
 *
 * @remarks
 * Its stack is only its first line: the error reports a state, not a place in the code, and a caller that
 * logs it anyway adds one short line, not a trace. The failure that opened the breaker is its `cause`.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(options?: { cause: unknown }) {
    super('store unavailable', options);
    this.stack = `${this.name}: ${this.message}`;
  }
}
