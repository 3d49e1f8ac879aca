import { describe, expect, it } from 'vitest';
import { nearestRank, pgbenchLogLatency } from './pgbench-log.js';

/** A log line as pgbench -l -R writes it: client, transaction, time µs, script, epoch s, µs, lag µs. */
const line = (timeUs: number, lagUs?: number) =>
  `3 17 ${timeUs} 0 1796600391 587943${lagUs === undefined ? '' : ` ${lagUs}`}`;

describe('pgbenchLogLatency', () => {
  it('measures each transaction from its actual start, as wrk does, and reports the lag apart', () => {
    // 100 transactions: 98 of 1 ms service, one of 30 ms service, one of 2 ms that waited 40 ms to start.
    const lines = [...Array.from({ length: 98 }, () => line(1000, 0)), line(30_000, 0), line(42_000, 40_000)];
    const l = pgbenchLogLatency([lines.slice(0, 50).join('\n'), `${lines.slice(50).join('\n')}\n`]);
    expect(l.transactions).toBe(100);
    expect(l.p50Ms).toBe(1);
    // The 99th of 100 by nearest rank is the second largest service time: 2 ms, not the 42 ms total.
    expect(l.p99Ms).toBe(2);
    expect(l.lagP99Ms).toBe(0);
    expect(pgbenchLogLatency([lines.concat(line(1000, 40_000)).join('\n')]).lagP99Ms).toBe(40);
  });

  it('reads logs without a lag column (no -R) as lag 0', () => {
    expect(pgbenchLogLatency([[line(1500), line(2500)].join('\n')])).toEqual({
      transactions: 2,
      p50Ms: 1.5,
      p99Ms: 2.5,
      lagP99Ms: 0,
    });
  });

  it('refuses an empty log, a skipped or failed transaction and a line that is no record', () => {
    expect(() => pgbenchLogLatency(['', '\n'])).toThrow(/no transactions/);
    expect(() => pgbenchLogLatency(['3 17 skipped 0 1796600391 587943 900'])).toThrow(/skipped/);
    expect(() => pgbenchLogLatency(['3 17 failed 0 1796600391 587943 900'])).toThrow(/failed/);
    expect(() => pgbenchLogLatency(['tps = 998.9'])).toThrow(/not a transaction record/);
    expect(() => pgbenchLogLatency(['3 17 x1 0 1796600391 587943'])).toThrow(/bad times/);
  });
});

describe('nearestRank', () => {
  it('takes the value at rank ceil(q n)', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(v, 0.5)).toBe(5);
    expect(nearestRank(v, 0.99)).toBe(10);
    expect(nearestRank(v, 0.9)).toBe(9);
    expect(nearestRank([7], 0.99)).toBe(7);
    expect(() => nearestRank([], 0.5)).toThrow(/no values/);
  });
});
