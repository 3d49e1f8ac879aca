import type { SeriesInput } from '../index.js';

/** Fixed test series of several shapes (seasonal weekly, intermittent, short, monthly, dated), built without randomness. */
export function fixtureSeries(): SeriesInput[] {
  const wobble = (t: number): number => ((t * 7919) % 101) - 50;
  return [
    {
      bucketType: 'WEEK',
      values: Array.from(
        { length: 156 },
        (_, t) => 5000 + 10 * t + 1500 * Math.sin((2 * Math.PI * t) / 52) + 20 * wobble(t),
      ),
    },
    {
      bucketType: 'WEEK',
      values: Array.from({ length: 120 }, (_, t) => (t % 5 === 0 ? 300 + wobble(t) : 0)),
    },
    { bucketType: 'WEEK', values: Array.from({ length: 30 }, (_, t) => 800 + 3 * wobble(t)) },
    {
      bucketType: 'MONTH',
      values: Array.from(
        { length: 48 },
        (_, t) => 9000 * (1 + 0.3 * Math.cos((2 * Math.PI * t) / 12)) + 40 * wobble(t),
      ),
    },
    { bucketType: 'YEAR', values: [100, 120, 130, 150] },
    // Dated: the calendar paths (holidays and the year-back seasonal baselines for WEEK, trading
    // days for MONTH) in the cross-process reproducibility check.
    {
      bucketType: 'WEEK',
      start: '2022-01-03',
      values: Array.from(
        { length: 160 },
        (_, t) => 5000 + 10 * t + 1500 * Math.sin((2 * Math.PI * t) / 52) + 20 * wobble(t),
      ),
    },
    // Six years and more: calendar positions for the seasonal models (MIN_POSITION_WEEKS).
    {
      bucketType: 'WEEK',
      start: '2019-01-07',
      values: Array.from(
        { length: 320 },
        (_, t) => 4000 + 5 * t + 1200 * Math.cos((2 * Math.PI * t) / 52.18) + 25 * wobble(t),
      ),
    },
    {
      bucketType: 'MONTH',
      start: '2020-01-01',
      values: Array.from({ length: 50 }, (_, t) => {
        const days = new Date(Date.UTC(2020, t + 1, 0)).getUTCDate();
        return days * 300 * (1 + 0.3 * Math.cos((2 * Math.PI * t) / 12)) + 40 * wobble(t);
      }),
    },
  ];
}
