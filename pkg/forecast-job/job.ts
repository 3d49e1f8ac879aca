import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { BucketType } from '../buckets/index.js';
import type { Pool } from '../db/index.js';
import {
  defaultHorizon,
  type ForecastPath,
  type ForecastPool,
  type ForecastRequest,
  type ModelName,
} from '../forecast-engine/index.js';
import { FencedError, LeaderElector, type LeaseStore } from '../leader/index.js';
import type { Logger } from '../log/index.js';
import { annotateActiveSpan, failSpan, startScope, withSpan, type SpanScope } from '../telemetry/index.js';
import {
  coherentPaths,
  planPaths,
  rollupStart,
  toStoredPath,
  type PathNode,
  type StoredPathStep,
} from './paths.js';
import {
  DEFAULT_LOOKBACK,
  loadCategoryParents,
  listShardMerchants,
  loadMerchantSeries,
  setInputHash,
  type MerchantSeries,
} from './series.js';
import { applyRetention, latestSet, toStored, touchSet, writeSet } from './store.js';

/** Settings of one job run. */
export interface ForecastJobOptions {
  readonly shardIndex: number;
  readonly shardCount: number;
  readonly bucketTypes: readonly BucketType[];
  readonly models: readonly ModelName[];
  readonly merchantBatch: number;
  readonly keepSets: number;
  readonly leaseNamePrefix: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  /** Give up campaigning after this long. */
  readonly leaseWaitMs: number;
  readonly identity?: string;
  readonly lookback?: Partial<Record<BucketType, number>>;
  /** Models whose multi-horizon paths are written with each set. @default DEFAULT_PATH_MODELS */
  readonly pathModels?: readonly ModelName[];
  /** Steps of the paths per bucket type (0: none). @default defaultHorizon of the engine */
  readonly horizons?: Partial<Record<BucketType, number>>;
}

/** Models whose paths the job writes unless told otherwise: the served model and the baseline it must beat. */
export const DEFAULT_PATH_MODELS: readonly ModelName[] = ['auto', 'seasonal_naive'];

/** Collaborators of the job. */
export interface ForecastJobDeps {
  readonly pool: Pool;
  readonly leaseStore: LeaseStore;
  readonly forecaster: Pick<ForecastPool, 'forecastMany'>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Observes leadership changes (metrics). */
  readonly onLeadership?: (leading: boolean) => void;
}

/** What one run did. */
export interface ForecastJobSummary {
  readonly status: 'succeeded' | 'failed' | 'fenced' | 'not_leader' | 'aborted';
  readonly runId: string | null;
  readonly shardIndex: number;
  readonly merchants: number;
  readonly series: number;
  readonly setsWritten: number;
  readonly setsUnchanged: number;
  readonly failures: number;
  readonly seconds: number;
}

/**
 * Runs the forecast precompute for one merchant shard: campaigns for the shard's lease, then forecasts
 * every merchant x bucket type of the shard with every configured model and writes each as a fenced,
 * all-or-nothing set; unchanged inputs write nothing. Stops writing as soon as the lease is lost.
 */
export async function runForecastJob(
  options: ForecastJobOptions,
  deps: ForecastJobDeps,
  signal: AbortSignal,
): Promise<ForecastJobSummary> {
  // One span per run (its merchants are children), with the shard and lease it ran under.
  return withSpan(
    'forecast run',
    {
      'catcast.shard.index': options.shardIndex,
      'catcast.shard.count': options.shardCount,
      'catcast.lease.name': `${options.leaseNamePrefix}${options.shardIndex}`,
      'catcast.lease.store': deps.leaseStore.description,
    },
    async (span) => {
      const summary = await runShard(options, deps, signal);
      span.setAttributes({
        'catcast.run.status': summary.status,
        'catcast.run.merchants': summary.merchants,
        'catcast.run.series': summary.series,
        'catcast.run.sets_written': summary.setsWritten,
        'catcast.run.sets_unchanged': summary.setsUnchanged,
        'catcast.run.failures': summary.failures,
      });
      if (summary.status === 'failed' || summary.status === 'fenced')
        failSpan(span, `forecast run ${summary.status}`);
      return summary;
    },
  );
}

async function runShard(
  options: ForecastJobOptions,
  deps: ForecastJobDeps,
  signal: AbortSignal,
): Promise<ForecastJobSummary> {
  const started = performance.now();
  const now = deps.now ?? (() => new Date());
  const leaseName = `${options.leaseNamePrefix}${options.shardIndex}`;
  const identity = options.identity ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
  const log = deps.logger.child({
    shard: options.shardIndex,
    shardCount: options.shardCount,
    lease: leaseName,
    identity,
  });
  const elector = new LeaderElector({
    store: deps.leaseStore,
    name: leaseName,
    identity,
    leaseDurationMs: options.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs,
    logger: log,
    onChange: (leading) => deps.onLeadership?.(leading),
  });
  const campaign = AbortSignal.any([signal, AbortSignal.timeout(options.leaseWaitMs)]);
  const base = {
    shardIndex: options.shardIndex,
    merchants: 0,
    series: 0,
    setsWritten: 0,
    setsUnchanged: 0,
    failures: 0,
  };
  const summary = await elector.run(async ({ signal: leading, fencingToken }) => {
    const runId = randomUUID();
    const generatedAt = now();
    const counts = { ...base };
    const leaseSeconds = Math.max(1, Math.ceil(options.leaseDurationMs / 1000));
    await deps.pool.query(
      `INSERT INTO forecasting.forecast_runs
         (run_id, shard_index, shard_count, lease_holder, fencing_token, lease_duration_seconds)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [runId, options.shardIndex, options.shardCount, identity, fencingToken, leaseSeconds],
    );
    // While it leads, the run stamps a heartbeat three times per lease duration: forecast-api reports
    // a shard whose unfinished run stopped beating as leaderless, whichever store holds the lease.
    const heartbeat = setInterval(() => {
      if (leading.aborted) return;
      deps.pool
        .query(
          `UPDATE forecasting.forecast_runs SET heartbeat_at = now() WHERE run_id = $1 AND finished_at IS NULL`,
          [runId],
        )
        .catch((err: unknown) => log.warn({ err }, 'could not record the run heartbeat'));
    }, options.leaseDurationMs / 3);
    heartbeat.unref();
    log.info({ runId, fencingToken, leaseStore: deps.leaseStore.description }, 'forecast run started');
    annotateActiveSpan({
      'catcast.run.id': runId,
      'catcast.lease.identity': identity,
      'catcast.lease.fencing_token': fencingToken,
    });
    const fence = { shardKey: `shard-${options.shardIndex}-of-${options.shardCount}`, token: fencingToken };
    let status: ForecastJobSummary['status'] = 'succeeded';
    let error: string | null = null;
    let openSpans: SpanScope[] = [];
    try {
      const merchants = await listShardMerchants(deps.pool, options.shardIndex, options.shardCount);
      counts.merchants = merchants.length;
      for (let i = 0; i < merchants.length; i += options.merchantBatch) {
        if (leading.aborted || signal.aborted) {
          status = leading.aborted ? 'fenced' : 'aborted';
          break;
        }
        const group = merchants.slice(i, i + options.merchantBatch);
        // A span per merchant: its loads and writes run inside it; the shared model fit does not.
        const merchantSpans = new Map<string, SpanScope>(
          group.map((m) => [
            m.id,
            startScope('forecast merchant', {
              'catcast.merchant.id': m.id,
              'catcast.shard.index': options.shardIndex,
              'catcast.run.id': runId,
            }),
          ]),
        );
        openSpans = [...merchantSpans.values()];
        const inputs: MerchantSeries[] = [];
        for (const m of group)
          for (const bt of options.bucketTypes)
            inputs.push(
              await merchantSpans
                .get(m.id)!
                .run(() =>
                  loadMerchantSeries(
                    deps.pool,
                    m,
                    bt,
                    options.lookback?.[bt] ?? DEFAULT_LOOKBACK[bt],
                    generatedAt,
                  ),
                ),
            );
        const pathModels = options.pathModels ?? DEFAULT_PATH_MODELS;
        const parentsByMerchant = new Map<string, ReadonlyMap<string, string | null>>();
        for (const m of group)
          parentsByMerchant.set(
            m.id,
            await merchantSpans.get(m.id)!.run(() => loadCategoryParents(deps.pool, m.id)),
          );
        // Per set: the hierarchy to forecast paths for (none when its horizon is 0).
        const plans = inputs.map((ms) => {
          const horizon = options.horizons?.[ms.bucketType] ?? defaultHorizon(ms.bucketType);
          const on = horizon > 0 && pathModels.length > 0;
          return {
            horizon: on ? horizon : 0,
            nodes: on
              ? planPaths(ms.series, parentsByMerchant.get(ms.merchant.id)!)
              : new Map<string, PathNode>(),
          };
        });
        const requests: ForecastRequest[] = inputs.flatMap((ms, setIndex) => {
          const { horizon, nodes } = plans[setIndex]!;
          const path = horizon > 0 ? { path: { models: pathModels, horizon } } : {};
          return [
            ...ms.series.map((s) => ({
              key: `${setIndex}\u0000${s.categoryId}`,
              series: { bucketType: ms.bucketType, values: s.values, start: s.firstBucketStart },
              models: options.models,
              ...path,
            })),
            // A category with children also gets its whole subtree forecast (path only), to reconcile.
            ...[...nodes.values()]
              .filter((n) => n.children.length > 0)
              .map((n) => ({
                key: `${setIndex}\u0000${n.categoryId}\u0000subtree`,
                series: {
                  bucketType: ms.bucketType,
                  values: n.rollup,
                  start: rollupStart(n, ms.series, ms.bucketType),
                },
                models: [],
                ...path,
              })),
          ];
        });
        counts.series += inputs.reduce((a, ms) => a + ms.series.length, 0);
        const replies = await deps.forecaster.forecastMany(requests);
        const bySet = new Map<number, typeof replies>();
        for (const r of replies) {
          const setIndex = Number(r.key.split('\u0000')[0]);
          let list = bySet.get(setIndex);
          if (!list) bySet.set(setIndex, (list = []));
          list.push(r);
        }
        for (const [setIndex, ms] of inputs.entries()) {
          if (leading.aborted) {
            status = 'fenced';
            break;
          }
          const replies = bySet.get(setIndex) ?? [];
          if (replies.length === 0) continue; // no sales yet: nothing to forecast
          const failed = replies.filter((r) => !r.results);
          for (const f of failed)
            log.warn({ merchant: ms.merchant.id, key: f.key, error: f.error }, 'series failed');
          counts.failures += failed.length;
          const rows = replies.flatMap((r) => {
            const [, categoryId, kind] = r.key.split('\u0000');
            return r.results && kind === undefined ? r.results.map((res) => toStored(categoryId!, res)) : [];
          });
          const { horizon, nodes } = plans[setIndex]!;
          const paths = setPaths(replies, nodes, pathModels, ms.targetBucketStart);
          const hash = setInputHash(ms.targetBucketStart, ms.lookback, [
            ...rows.map((r) => `${r.categoryId}:${r.inputHash}`),
            ...pathHashes(paths),
          ]);
          const merchantSpan = merchantSpans.get(ms.merchant.id)!;
          try {
            const previous = await merchantSpan.run(() =>
              latestSet(deps.pool, ms.merchant.id, ms.bucketType),
            );
            if (previous && previous.inputHash === hash) {
              await merchantSpan.run(() => touchSet(deps.pool, previous, generatedAt, fence));
              merchantSpan.set({ [`catcast.forecast.${ms.bucketType}`]: 'unchanged' });
              counts.setsUnchanged++;
            } else {
              await merchantSpan.run(() =>
                writeSet(
                  deps.pool,
                  {
                    merchantId: ms.merchant.id,
                    bucketType: ms.bucketType,
                    generatedAt,
                    runId,
                    targetBucketStart: ms.targetBucketStart,
                    lastBucketStart: ms.lastBucketStart,
                    lookback: ms.lookback,
                    inputHash: hash,
                    checkedAt: generatedAt,
                    rows,
                    horizon,
                    paths,
                  },
                  fence,
                ),
              );
              merchantSpan.set({ [`catcast.forecast.${ms.bucketType}`]: 'written' });
              counts.setsWritten++;
            }
          } catch (err) {
            if (err instanceof FencedError) throw err;
            merchantSpan.set({ [`catcast.forecast.${ms.bucketType}`]: 'failed' });
            counts.failures++;
            log.error(
              { err, merchant: ms.merchant.id, bucketType: ms.bucketType },
              'could not write forecast set',
            );
          }
        }
        for (const span of merchantSpans.values()) span.end();
        openSpans = [];
        log.info(
          {
            done: Math.min(i + options.merchantBatch, merchants.length),
            of: merchants.length,
            series: counts.series,
          },
          'progress',
        );
      }
      if (status === 'succeeded') await applyRetention(deps.pool, options.keepSets);
      if (status === 'succeeded' && counts.failures > 0) status = 'failed';
    } catch (err) {
      for (const span of openSpans) span.end(err);
      status = err instanceof FencedError ? 'fenced' : 'failed';
      error = err instanceof Error ? err.message : String(err);
      log.error({ err }, status === 'fenced' ? 'fenced out by a newer leader' : 'forecast run failed');
    }
    clearInterval(heartbeat);
    await deps.pool
      .query(
        `UPDATE forecasting.forecast_runs SET finished_at = now(), heartbeat_at = now(), status = $2, merchants = $3, series = $4,
                sets_written = $5, sets_unchanged = $6, failures = $7, error = $8 WHERE run_id = $1`,
        [
          runId,
          status === 'aborted' ? 'failed' : status,
          counts.merchants,
          counts.series,
          counts.setsWritten,
          counts.setsUnchanged,
          counts.failures,
          error,
        ],
      )
      .catch((err: unknown) => log.error({ err }, 'could not record the run outcome'));
    return { ...counts, status, runId };
  }, campaign);
  const seconds = (performance.now() - started) / 1000;
  const result: ForecastJobSummary = summary
    ? { ...summary, seconds }
    : { ...base, status: signal.aborted ? 'aborted' : 'not_leader', runId: null, seconds };
  log.info(result, `forecast run ${result.status}`);
  return result;
}

/** The set's coherent paths, as stored steps, from the replies of its own-series and subtree requests. */
function setPaths(
  replies: readonly { key: string; paths?: ForecastPath[] | null }[],
  nodes: Parameters<typeof coherentPaths>[0],
  pathModels: readonly ModelName[],
  targetBucketStart: string,
): StoredPathStep[] {
  if (nodes.size === 0) return [];
  const out: StoredPathStep[] = [];
  pathModels.forEach((_model, mi) => {
    const own = new Map<string, ForecastPath>();
    const subtree = new Map<string, ForecastPath>();
    for (const r of replies) {
      const p = r.paths?.[mi];
      if (!p) continue;
      const [, categoryId, kind] = r.key.split('\u0000');
      (kind === 'subtree' ? subtree : own).set(categoryId!, p);
    }
    const coherent = coherentPaths(nodes, own, subtree);
    for (const [categoryId, p] of [...coherent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      out.push(...toStoredPath(categoryId, p, targetBucketStart));
  });
  return out;
}

/** One hash line per stored path (category, model): the set is rewritten when any path's input changes. */
function pathHashes(paths: readonly StoredPathStep[]): string[] {
  return paths.filter((p) => p.step === 1).map((p) => `path:${p.categoryId}:${p.model}:${p.inputHash}`);
}
