import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboard } from './dashboard.js';
import { METRICS } from './metrics.js';
import { alertRules } from './monitoring.js';

const pkgDir = path.resolve(import.meta.dirname, '../pkg');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [readFileSync(path.join(dir, e.name), 'utf8')]
        : [],
  );
}

// The alerts and the dashboard are only as good as the names they query: each must be registered
// by some binary (prom-client `name: '...'`), so a rename on either side fails here.
describe('the metric names of the alerts and the dashboard', () => {
  const code = sources(pkgDir).join('\n');

  it.each(Object.entries(METRICS))('%s (%s) is registered in pkg/', (_, name) => {
    expect(code).toContain(`name: '${name}'`);
  });

  it('are the only catcast_ names the alerts and the dashboard use', () => {
    const exprs = [
      ...alertRules('r', {
        ingest5xxRatio: 0.05,
        readApi5xxRatio: 0.05,
        outboxOldestAgeSeconds: 300,
        consumerLagThreshold: 1000,
        freshnessSeconds: 300,
        forecastPeriodSeconds: 3600,
      }).map((r) => r.expr),
      JSON.stringify(dashboard()),
    ].join('\n');
    const used = new Set(
      [...exprs.matchAll(/catcast_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')),
    );
    const known = new Set<string>(Object.values(METRICS));
    expect([...used].filter((n) => !known.has(n))).toEqual([]);
  });
});
