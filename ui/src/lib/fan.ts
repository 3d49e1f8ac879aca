/** Geometry of the forecast fan (pure: tested without a browser). */
import type { CategoryPath } from '../api/types.js';

/** A round axis maximum at or above v. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const f = v / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/** One step as numbers. */
export interface FanStep {
  readonly bucketStart: string;
  readonly point: number;
  readonly lo80: number;
  readonly hi80: number;
  readonly lo95: number;
  readonly hi95: number;
}

/** The fan's steps as numbers, from the API's decimal strings. */
export function fanSteps(path: CategoryPath): FanStep[] {
  return path.steps.map((s) => ({
    bucketStart: s.bucketStart,
    point: Number(s.forecast),
    lo80: Number(s.lo80),
    hi80: Number(s.hi80),
    lo95: Number(s.lo95),
    hi95: Number(s.hi95),
  }));
}

/**
 * SVG path data of the fan, in chart coordinates: the 95% and 80% bands and the point line, each
 * starting at the last complete history point (so the fan opens from the line).
 */
export function fanGeometry(
  anchor: { x: number; y: number } | undefined,
  steps: readonly FanStep[],
  x: (j: number) => number,
  y: (v: number) => number,
): { band95: string; band80: string; line: string } {
  const pt = (px: number, py: number) => `${px.toFixed(1)},${py.toFixed(1)}`;
  const band = (lo: (s: FanStep) => number, hi: (s: FanStep) => number) => {
    if (steps.length === 0) return '';
    const upper = steps.map((s, j) => pt(x(j), y(hi(s))));
    const lower = steps.map((s, j) => pt(x(j), y(lo(s)))).reverse();
    const start = anchor ? [pt(anchor.x, anchor.y)] : [];
    return `M${[...start, ...upper, ...lower].join('L')}Z`;
  };
  const line = [...(anchor ? [pt(anchor.x, anchor.y)] : []), ...steps.map((s, j) => pt(x(j), y(s.point)))];
  return {
    band95: band(
      (s) => s.lo95,
      (s) => s.hi95,
    ),
    band80: band(
      (s) => s.lo80,
      (s) => s.hi80,
    ),
    line: line.length > 1 ? `M${line.join('L')}` : '',
  };
}
