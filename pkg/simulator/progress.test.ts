import { describe, expect, it } from 'vitest';
import { createProgressPrinter, formatDuration, formatProgress } from './progress.js';
import type { SimulationCounters, SimulationProgress } from './run.js';

const counters: SimulationCounters = {
  ordersSent: 500,
  accepted: 480,
  replayed: 10,
  rejected: 0,
  expectedRejected: 10,
  unexpectedAccepted: 0,
  failed: 0,
  retries: 0,
};
const backfill: SimulationProgress = {
  phase: 'backfill',
  done: 500,
  total: 2000,
  elapsedMs: 10_000,
  final: false,
  counters,
};

describe('progress', () => {
  it.each([
    [0, '0:00'],
    [59.6, '1:00'],
    [3725, '1:02:05'],
    [Infinity, '--:--'],
  ])('formats %s s as %s', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });

  it('shows a bar, the rate and an ETA from the rate so far', () => {
    expect(formatProgress(backfill, 8)).toMatch(
      /^backfill \[##------\] 25% 500\/2,000 orders 50\/s ETA 0:30 \| ok 480/,
    );
  });

  it('redraws the bar in place on a TTY and keeps finished phases', () => {
    let out = '';
    let t = 0;
    const printer = createProgressPrinter({
      stream: { write: (s: string) => (out += s) },
      mode: 'bar',
      now: () => t,
    });
    printer.update(backfill);
    t = 50;
    printer.update({ ...backfill, done: 600 }); // throttled
    printer.update({ ...backfill, done: 2000, final: true });
    expect(out.split('\r\u001b[2K').length - 1).toBe(2);
    expect(out).not.toContain('600/');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('writes plain lines at most every interval when not on a TTY', () => {
    const lines: string[] = [];
    let t = 0;
    const printer = createProgressPrinter({
      stream: { write: (s: string) => lines.push(s) },
      mode: 'plain',
      now: () => t,
    });
    printer.update(backfill);
    t = 1000;
    printer.update(backfill);
    t = 6000;
    printer.update(backfill);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => !l.includes('\r'))).toBe(true);
  });
});
