/**
 * pgbench's per-transaction log (`-l`), read back into the latency percentiles of a fixed-rate run,
 * so the read mix can set catcast's p50/p99 at a rate beside PostgreSQL's own for the same SQL at the
 * same rate (issue 17).
 *
 * A line is `client_id transaction_no time script_no time_epoch time_us [schedule_lag]`, times in µs.
 * With `-R`, `time` runs from the transaction's scheduled start, so it holds the schedule lag (how late
 * pgbench's own client started it). wrk times a request from the moment it is written, so the
 * like-for-like figure is `time - schedule_lag`; the lag is reported beside it, as how busy the
 * machine was (pgbench could not keep its own schedule).
 */

/** Latency of the transactions of one fixed-rate pgbench run, ms. */
export interface PgbenchLatency {
  readonly transactions: number;
  /** From each transaction's actual start (as wrk measures), ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** 99th percentile of the schedule lag, ms (0 without `-R`). */
  readonly lagP99Ms: number;
}

/** The q-quantile of sorted values by nearest rank (q in (0, 1]). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('nearestRank: no values');
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * Percentiles of every transaction in `logs` (the text of one or more `-l` files). Throws on a line
 * that is not a transaction record, on a failed or skipped transaction, and on an empty log: a
 * reference that silently dropped transactions would flatter PostgreSQL.
 */
export function pgbenchLogLatency(logs: readonly string[]): PgbenchLatency {
  const service: number[] = [];
  const lag: number[] = [];
  for (const text of logs)
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const f = line.trim().split(/\s+/);
      if (f.length < 6) throw new Error(`pgbench log: not a transaction record: '${line}'`);
      if (f[2] === 'skipped' || f[2] === 'failed' || f[2] === 'serialization' || f[2] === 'deadlock')
        throw new Error(`pgbench log: transaction ${f[2]}: '${line}'`);
      const time = Number(f[2]);
      const l = f.length >= 7 ? Number(f[6]) : 0;
      if (!Number.isFinite(time) || !Number.isFinite(l) || time < 0 || l < 0)
        throw new Error(`pgbench log: bad times in '${line}'`);
      service.push(Math.max(0, time - l) / 1000);
      lag.push(l / 1000);
    }
  if (service.length === 0) throw new Error('pgbench log: no transactions');
  service.sort((a, b) => a - b);
  lag.sort((a, b) => a - b);
  const ms = (v: number) => Math.round(v * 1000) / 1000;
  return {
    transactions: service.length,
    p50Ms: ms(nearestRank(service, 0.5)),
    p99Ms: ms(nearestRank(service, 0.99)),
    lagP99Ms: ms(nearestRank(lag, 0.99)),
  };
}
