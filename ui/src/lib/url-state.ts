/**
 * Every view is a URL: the merchant, timeframe, period, model, category and tab live in the query
 * string, so a view can be bookmarked and shared. Parsing is forgiving (a bad value falls back to
 * its default) because URLs are typed and pasted by people.
 */
import { isDate, TIMEFRAMES, type Timeframe } from './period.js';

/** Tabs of the page. */
export type View = 'summary' | 'compare';

/** The state that a URL encodes. Absent optional fields mean "the default" (e.g. the current period). */
export interface ViewState {
  readonly merchant?: string | undefined;
  readonly tf: Timeframe;
  /** Bucket start (YYYY-MM-DD); undefined means the current period. */
  readonly period?: string | undefined;
  /** Model used for the forecast ranking. */
  readonly model: string;
  /** Category of the model comparison. */
  readonly category?: string | undefined;
  readonly view: View;
  /** True when the top-categories table is grouped by parent category. */
  readonly group: boolean;
}

/** The state of a URL without parameters. */
export const DEFAULT_STATE: ViewState = { tf: 'week', model: 'auto', view: 'summary', group: false };

const ID = /^[A-Za-z0-9._:-]{1,64}$/;
const MODEL = /^[a-z0-9_]{1,40}$/;

function id(value: string | null): string | undefined {
  return value !== null && ID.test(value) ? value : undefined;
}

/** Reads the view state from a query string (with or without the leading "?"). */
export function parseViewState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const tf = q.get('tf');
  const period = q.get('period');
  const model = q.get('model');
  return {
    merchant: id(q.get('merchant')),
    tf: TIMEFRAMES.includes(tf as Timeframe) ? (tf as Timeframe) : DEFAULT_STATE.tf,
    period: period !== null && isDate(period) ? period : undefined,
    model: model !== null && MODEL.test(model) ? model : DEFAULT_STATE.model,
    category: id(q.get('category')),
    view: q.get('view') === 'compare' ? 'compare' : 'summary',
    group: q.get('group') === '1',
  };
}

/** Writes the view state as a query string ("?..." or "" when everything is default), keys in a fixed order. */
export function formatViewState(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.merchant) q.set('merchant', state.merchant);
  if (state.view !== DEFAULT_STATE.view) q.set('view', state.view);
  if (state.tf !== DEFAULT_STATE.tf) q.set('tf', state.tf);
  if (state.period) q.set('period', state.period);
  if (state.model !== DEFAULT_STATE.model) q.set('model', state.model);
  if (state.category) q.set('category', state.category);
  if (state.group) q.set('group', '1');
  const text = q.toString();
  return text ? `?${text}` : '';
}

/**
 * Splits a one-time `token` parameter off a query string: the page keeps the token in sessionStorage
 * and removes it from the address bar, so it is not bookmarked, shared or sent as a referrer.
 */
export function takeToken(search: string): { token: string | undefined; search: string } {
  const q = new URLSearchParams(search);
  const token = q.get('token') ?? undefined;
  q.delete('token');
  const rest = q.toString();
  return { token: token || undefined, search: rest ? `?${rest}` : '' };
}
