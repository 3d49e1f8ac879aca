/** Axis labels that do not run into each other (pure: tested without a browser). */

/** A label as an SVG text draws it: x and its text-anchor. */
export interface AxisLabel {
  readonly x: number;
  readonly text: string;
  readonly anchor: 'start' | 'middle' | 'end';
}

/**
 * Width of a label's text in px, an upper estimate for the charts' 11 px sans-serif digits and
 * letters (about 0.6 em a character), so that labels judged apart never touch.
 */
export const LABEL_CHAR_PX = 6.6;
/** Least free space between two labels, px. */
export const LABEL_GAP_PX = 6;

function extent(l: AxisLabel): [number, number] {
  const w = l.text.length * LABEL_CHAR_PX;
  const left = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - w : l.x - w / 2;
  return [left, left + w];
}

/**
 * The labels to draw, given in order of importance: each is kept unless it would overlap (within
 * LABEL_GAP_PX) one kept before it. Returned in the order given.
 */
export function fitAxisLabels(byImportance: readonly AxisLabel[]): AxisLabel[] {
  const kept: { label: AxisLabel; span: [number, number] }[] = [];
  for (const label of byImportance) {
    const [a, b] = extent(label);
    if (kept.every(({ span: [c, d] }) => b + LABEL_GAP_PX <= c || d + LABEL_GAP_PX <= a))
      kept.push({ label, span: [a, b] });
  }
  return kept.map((k) => k.label);
}
