import { describe, expect, it } from 'vitest';
import { fitAxisLabels, LABEL_CHAR_PX, LABEL_GAP_PX, type AxisLabel } from './axis.js';

describe('fitAxisLabels', () => {
  const forecastStart: AxisLabel = { x: 300, text: '6 Dec', anchor: 'middle' };
  const historyStart: AxisLabel = { x: 60, text: '14 Dec', anchor: 'start' };

  it('keeps every label where they stand apart (the desktop fan)', () => {
    const end: AxisLabel = { x: 600, text: '28 Feb', anchor: 'end' };
    expect(fitAxisLabels([forecastStart, historyStart, end])).toEqual([forecastStart, historyStart, end]);
  });

  it('drops the less important of two labels that would overlap (the 375 px fan: "6 De28 Feb")', () => {
    // The forecast zone is ~50 px wide on a phone: "28 Feb" ends where "6 Dec" is centred + 50.
    const end: AxisLabel = { x: 350, text: '28 Feb', anchor: 'end' };
    expect(fitAxisLabels([forecastStart, historyStart, end])).toEqual([forecastStart, historyStart]);
  });

  it('measures by anchor: a label ending at x occupies the text width to its left', () => {
    const w = 5 * LABEL_CHAR_PX;
    const a: AxisLabel = { x: 100, text: 'abcde', anchor: 'start' }; // [100, 100 + w]
    const touching: AxisLabel = { x: 100 + 2 * w + LABEL_GAP_PX, text: 'fghij', anchor: 'end' };
    const tooClose: AxisLabel = { ...touching, x: touching.x - 1 };
    expect(fitAxisLabels([a, touching])).toHaveLength(2);
    expect(fitAxisLabels([a, tooClose])).toEqual([a]);
    const centred: AxisLabel = { x: 100 + w + LABEL_GAP_PX + w / 2 - 1, text: 'fghij', anchor: 'middle' };
    expect(fitAxisLabels([a, centred])).toEqual([a]);
    expect(fitAxisLabels([a, { ...centred, x: centred.x + 1 }])).toHaveLength(2);
  });
});
