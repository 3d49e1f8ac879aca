import type { BucketType, ModelInfo, ModelName } from './types.js';

/** Every model with its version and a one-line description, in a stable order. */
export const MODEL_CATALOG: readonly ModelInfo[] = Object.freeze([
  { name: 'naive', modelVersion: '1.5.2', description: 'Last observed value.' },
  {
    name: 'seasonal_naive',
    modelVersion: '1.5.2',
    description:
      'Value of the same bucket one season ago (naive when the series is shorter than one season); for dated weekly series the same dates one calendar year earlier (52 or 53 weeks back).',
  },
  {
    name: 'seasonal_growth',
    modelVersion: '1.4.2',
    description:
      'Same bucket one season ago times the year-over-year growth of the latest buckets (up to one season of them); from one season plus three buckets of history.',
  },
  {
    name: 'window_average',
    modelVersion: '1.5.2',
    description: 'Mean of the last w buckets, w chosen from a fixed grid by in-sample error.',
  },
  {
    name: 'drift',
    modelVersion: '1.5.2',
    description: 'Last value plus the average change since the first value.',
  },
  {
    name: 'ses',
    modelVersion: '1.5.2',
    description: 'Simple exponential smoothing, ETS(A,N,N), alpha fitted by least squares.',
  },
  {
    name: 'holt',
    modelVersion: '1.5.2',
    description: "Holt's linear method with a damped trend, ETS(A,Ad,N).",
  },
  {
    name: 'holt_winters_additive',
    modelVersion: '1.7.1',
    description:
      'Holt-Winters with damped trend and additive season, ETS(A,Ad,A); initial states fitted by least squares on short monthly-or-shorter seasons when AICc prefers them.',
  },
  {
    name: 'holt_winters_multiplicative',
    modelVersion: '1.7.1',
    description:
      'Holt-Winters with damped trend and multiplicative season, ETS(A,Ad,M); initial states fitted by least squares on short monthly-or-shorter seasons when AICc prefers them.',
  },
  {
    name: 'ets',
    modelVersion: '1.9.1',
    description:
      'AutoETS: the exponential-smoothing form (trend none/damped/linear, season none/additive/multiplicative; linear without season from 104 values, with a multiplicative one) with the lowest AICc; seasonal initial states fitted by least squares on windows of up to six seasons of up to 12 buckets when AICc prefers them.',
  },
  {
    name: 'theta',
    modelVersion: '1.7.2',
    description:
      'Theta method on the seasonally adjusted series (when the season is significant): the standard (theta = 2) or the optimised theta model (Fiorucci et al. 2016), whichever has the lower AICc on the fitting window.',
  },
  {
    name: 'croston_sba',
    modelVersion: '1.5.2',
    description: 'Croston with the Syntetos-Boylan bias correction (alpha 0.1), for intermittent demand.',
  },
  {
    name: 'tsb',
    modelVersion: '1.5.2',
    description: 'Teunter-Syntetos-Babai: smoothed demand probability times smoothed demand size.',
  },
  {
    name: 'linear_regression',
    modelVersion: '1.6.2',
    description: 'Least-squares linear trend plus seasonal dummies (ml-regression).',
  },
  {
    name: 'ensemble',
    modelVersion: '1.10.1',
    description:
      'Median of the three members with the lowest one-step error over every out-of-sample origin so far.',
  },
  {
    name: 'auto',
    modelVersion: '2.10.1',
    description:
      'Per series, the mean of the four candidates with the lowest rolling-origin one-step error over every out-of-sample origin so far (older errors discounted, half-life 39 origins), weighted by inverse error cubed.',
  },
] satisfies ModelInfo[]);

const byName = new Map<ModelName, ModelInfo>(MODEL_CATALOG.map((m) => [m.name, m]));

/** Returns the catalog entry of a model. */
export function modelInfo(name: ModelName): ModelInfo {
  const info = byName.get(name);
  if (!info) throw new RangeError(`unknown model "${name}"`);
  return info;
}

/** Tells whether a string names a model in the catalog. */
export function isModelName(name: string): name is ModelName {
  return byName.has(name as ModelName);
}

/** Season length of a bucket type: 52 for WEEK, 12 for MONTH, 7 for DAY, 1 (none) for YEAR. */
export function seasonLength(bucketType: BucketType): number {
  switch (bucketType) {
    case 'WEEK':
      return 52;
    case 'MONTH':
      return 12;
    case 'DAY':
      return 7;
    case 'YEAR':
      return 1;
  }
}

/** Default number of backtest origins: 26 for WEEK, 12 for MONTH, 28 for DAY, 3 for YEAR. */
export function defaultOrigins(bucketType: BucketType): number {
  switch (bucketType) {
    case 'WEEK':
      return 26;
    case 'MONTH':
      return 12;
    case 'DAY':
      return 28;
    case 'YEAR':
      return 3;
  }
}
