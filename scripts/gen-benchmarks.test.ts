import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../bench/lib/report.js';
import { render } from './gen-benchmarks.js';

const root = path.resolve(import.meta.dirname, '..');

describe('BENCHMARKS.md', () => {
  it('has the generated table rendered from bench/results/latest.json, the hand-written text kept', () => {
    const committed = readFileSync(path.join(root, 'BENCHMARKS.md'), 'utf8');
    const report = JSON.parse(
      readFileSync(path.join(root, 'bench/results/latest.json'), 'utf8'),
    ) as BenchReport;
    expect(committed, 'run: npx tsx scripts/gen-benchmarks.ts').toBe(render(committed, report));
  });

  it('changes the table when the results change', () => {
    const committed = readFileSync(path.join(root, 'BENCHMARKS.md'), 'utf8');
    const report = JSON.parse(
      readFileSync(path.join(root, 'bench/results/latest.json'), 'utf8'),
    ) as BenchReport;
    const other = { ...report, generatedAt: '2001-02-03T04:05:06.000Z', commit: 'abcdef0' };
    expect(render(committed, other)).not.toBe(committed);
  });
});
