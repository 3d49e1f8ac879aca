/**
 * Re-renders the generated table of BENCHMARKS.md from the committed results, bench/results/latest.json
 * (written by `make bench` together with the table), keeping the hand-written text around it. Used by
 * `make generate`, so a change to the renderer (bench/lib/report.ts) reaches the document without a
 * 30-minute benchmark run; `--check` fails when the committed table is not that rendering.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderMarkdown, spliceMarkdown, type BenchReport } from '../bench/lib/report.js';

const root = path.resolve(import.meta.dirname, '..');
const target = path.join(root, 'BENCHMARKS.md');
const results = path.join(root, 'bench/results/latest.json');

/** BENCHMARKS.md as it should read: CURRENT with its generated block rendered from REPORT. */
export function render(current: string, report: BenchReport): string {
  return spliceMarkdown(current, renderMarkdown(report));
}

function main(): void {
  const report = JSON.parse(readFileSync(results, 'utf8')) as BenchReport;
  const current = readFileSync(target, 'utf8');
  const text = render(current, report);
  if (process.argv.includes('--check')) {
    if (text !== current) {
      process.stderr.write('BENCHMARKS.md is out of date: run npx tsx scripts/gen-benchmarks.ts\n');
      process.exitCode = 1;
    }
  } else if (text !== current) {
    writeFileSync(target, text);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
