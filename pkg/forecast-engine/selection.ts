/**
 * How `auto` scores its candidates at a selection origin: the mean absolute one-step error over the
 * origins [from, t) it has, with older errors discounted (#18 item 2). Pure functions of the series
 * and one candidate's predictions; the engine (engine.ts) ranks and weights candidates by them.
 */

/**
 * Half-life, in origins, of an error's weight in `auto`'s score: an error made 39 origins before t
 * counts half as much as the newest. Measured on the benchmark (bench/forecast/README.md, "Selection
 * that does not cost"): plain means (no discount) keep choosing the candidate that fitted the
 * series before a level shift or before the calendar drifted; 13 and 26 closed more of those gaps
 * but cost the real weekly store series up to 3%; 39 and 52 cost no family more than 1%.
 */
export const AUTO_HALF_LIFE = 39;

/** 0.5^(1 / halfLife) of the last half-life asked for (selectors ask with one constant). */
let lastHalfLife = NaN;
let lastDecay = 1;
function decayOf(halfLife: number): number {
  lastDecay = Number.isFinite(halfLife) ? 0.5 ** (1 / halfLife) : 1;
  lastHalfLife = halfLife;
  return lastDecay;
}

/**
 * Discounted mean absolute error of `pred` against `y` over the origins [from, t): weights
 * 0.5^((t - 1 - u) / halfLife) for the error at u, so only errors before t count (the forecast at t
 * is chosen before y[t] is known). NaN when the window is empty or a prediction in it is missing.
 * With an infinite half-life it is the plain mean.
 */
export function discountedMae(
  y: Float64Array,
  pred: Float64Array,
  from: number,
  t: number,
  halfLife: number,
): number {
  if (t <= from) return NaN;
  const decay = halfLife === lastHalfLife ? lastDecay : decayOf(halfLife);
  let sum = 0;
  let weight = 0;
  let g = 1;
  for (let u = t - 1; u >= from; u--) {
    const p = pred[u] as number;
    if (Number.isNaN(p)) return NaN;
    sum += g * Math.abs((y[u] as number) - p);
    weight += g;
    g *= decay;
  }
  return sum / weight;
}
