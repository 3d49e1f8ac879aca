import { describe, expect, it } from 'vitest';
import { accuracyWords, ratioWords, type AccuracyMetrics } from './accuracy.js';

describe('accuracyWords', () => {
  it.each<[AccuracyMetrics | null, string, string]>([
    [{ wape: 0.12, smape: 0.3 }, 'typically within 12%', 'good'],
    [{ wape: 0.004 }, 'typically within 1%', 'good'],
    [{ wape: 0.151 }, 'typically within 15%', 'good'],
    [{ wape: 0.2 }, 'typically within 20%', 'fair'],
    [{ wape: 0.5 }, 'typically within 50%', 'poor'],
    [{ wape: null, smape: 0.25 }, 'typically within 25%', 'fair'],
    [{ wape: null, smape: null, mape: 0.08 }, 'typically within 8%', 'good'],
    [{ wape: 1.4 }, 'a rough guess (past errors were as large as the sales)', 'poor'],
    [{ wape: Number.NaN }, 'accuracy not known yet (too little history)', 'unknown'],
    [{}, 'accuracy not known yet (too little history)', 'unknown'],
    [null, 'accuracy not known yet (too little history)', 'unknown'],
  ])('%j -> %s (%s)', (metrics, text, level) => {
    expect(accuracyWords(metrics)).toEqual({ text, level });
  });
});

describe('ratioWords', () => {
  it.each([
    [0.69, '31% less error than seasonal naive'],
    [1, 'same error as seasonal naive'],
    [1.25, '25% more error than seasonal naive'],
    [null, 'no comparison'],
  ])('%s -> %s', (ratio, words) => {
    expect(ratioWords(ratio)).toBe(words);
  });
});
