import type { Context } from 'hono';
import { rawQuery } from './request.js';

/** Longest raw query string kept (a real one is well under 200 characters). */
const MAX_KEY_LENGTH = 512;

/**
 * Remembers validated queries by the exact raw query string, so a hot read (the same URL again and
 * again) runs its schema once instead of on every request; validation is a pure function of that
 * string. Only successes are kept — an invalid query throws from `parse` every time, with the same
 * problem naming the parameter — and at most `maxEntries` of them (oldest first out). A remembered
 * value is frozen: every request that hits it shares it.
 */
export class ValidatedQueries<T extends object> {
  readonly #entries = new Map<string, T>();
  readonly #parse: (c: Context) => T;
  readonly #max: number;

  /**
   * `parse` validates the request's query (c.req.query() or c.req.queries()) and throws (e.g. a 400
   * problem) when it is invalid; it must depend on nothing but the query string.
   */
  constructor(parse: (c: Context) => T, maxEntries = 1000) {
    if (!(maxEntries >= 1)) throw new RangeError(`maxEntries must be >= 1, got ${maxEntries}`);
    this.#parse = parse;
    this.#max = maxEntries;
  }

  /** The validated query of this request. */
  get(c: Context): T {
    const key = rawQuery(c);
    const known = this.#entries.get(key);
    if (known) return known;
    const value = Object.freeze(this.#parse(c));
    // Unknown parameters pass validation, so a long query string could make every entry large:
    // those are validated each time instead of kept.
    if (key.length > MAX_KEY_LENGTH) return value;
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, value);
    return value;
  }

  /** Number of queries held (tests). */
  get size(): number {
    return this.#entries.size;
  }
}
