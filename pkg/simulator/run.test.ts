import { describe, expect, it } from 'vitest';
import { createFakeIngest, type FakeIngest } from './fake-ingest.js';
import {
  hasUnexpectedFailures,
  runSimulation,
  type SimulationOptions,
  type SimulationProgress,
} from './run.js';

const END = new Date('2026-02-01T00:00:00Z');

function options(fake: FakeIngest, extra: Partial<SimulationOptions> = {}): SimulationOptions {
  return {
    ingestUrl: 'http://ingest.test',
    fetch: fake.fetch,
    seed: 'run',
    days: 4,
    end: END,
    ...extra,
  };
}

describe('runSimulation', () => {
  it('syncs the catalog, backfills in batches and counts every outcome', async () => {
    const fake = createFakeIngest();
    const progress: SimulationProgress[] = [];
    const s = await runSimulation(
      options(fake, {
        batchSize: 100,
        replayRatio: 0.05,
        invalidRatio: 0.05,
        onProgress: (p) => progress.push(p),
      }),
    );
    expect(s).toMatchObject({
      merchants: 3,
      categories: 48,
      products: 180,
      rejected: 0,
      failed: 0,
      unexpectedAccepted: 0,
    });
    expect(s.accepted).toBe(fake.orders.size);
    expect(s.accepted).toBe(s.backfillOrders);
    expect(s.replayed).toBeGreaterThan(0);
    expect(s.expectedRejected).toBeGreaterThan(0);
    expect(s.ordersSent).toBe(s.accepted + s.replayed + s.expectedRejected);
    expect(hasUnexpectedFailures(s)).toBe(false);
    const batches = fake.requests.filter((r) => r.path === '/v1/orders/batch');
    for (const b of batches) expect((b.body as { orders: unknown[] }).orders.length).toBeLessThanOrEqual(100);
    expect(fake.requests[0]!.path).toBe('/ready');
    const final = progress.filter((p) => p.final).map((p) => [p.phase, p.done, p.total]);
    expect(final).toEqual([
      ['catalog', 231, 231],
      ['backfill', s.backfillOrders, s.backfillOrders],
    ]);
  });

  it('replays a second run over the same days without storing anything new', async () => {
    const fake = createFakeIngest();
    const first = await runSimulation(options(fake));
    const second = await runSimulation(options(fake));
    expect(second.accepted).toBe(0);
    expect(second.replayed).toBe(first.accepted);
    expect(fake.orders.size).toBe(first.accepted);
  });

  it('counts 4xx answers to valid orders as unexpected rejections', async () => {
    const fake = createFakeIngest({
      intercept: (r) =>
        r.path === '/v1/orders/batch' ? Response.json({ title: 'nope' }, { status: 400 }) : undefined,
    });
    const warnings: string[] = [];
    const s = await runSimulation(options(fake, { days: 1, onWarning: (w) => warnings.push(w) }));
    expect(s.rejected).toBe(s.backfillOrders);
    expect(hasUnexpectedFailures(s)).toBe(true);
    expect(warnings[0]).toMatch(/rejected with HTTP 400: nope/);
  });

  it('sends live orders through POST /v1/orders until the duration ends', async () => {
    const fake = createFakeIngest();
    const s = await runSimulation(
      options(fake, { days: 0, rate: 200, durationSeconds: 0.5, invalidRatio: 0.1 }),
    );
    const posts = fake.requests.filter((r) => r.path === '/v1/orders');
    expect(posts.length).toBe(s.liveOrders);
    expect(s.liveOrders).toBeGreaterThan(0);
    expect(s.liveOrders).toBeLessThanOrEqual(101);
    expect(s.accepted + s.expectedRejected).toBe(s.liveOrders);
    expect(s.accepted).toBe(fake.orders.size);
  });

  it('stops at the abort signal and reports what was done', async () => {
    const fake = createFakeIngest();
    const controller = new AbortController();
    const s = await runSimulation(
      options(fake, {
        days: 0,
        rate: 50,
        onOutcome: (e) => {
          if (e.phase === 'live') controller.abort();
        },
      }),
      controller.signal,
    );
    expect(s.aborted).toBe(true);
    expect(s.liveOrders).toBeGreaterThanOrEqual(1);
    expect(s.accepted).toBe(fake.orders.size);
  });

  it('fails clearly when ingest never becomes ready', async () => {
    const fake = createFakeIngest({ intercept: () => new Response('down', { status: 503 }) });
    await expect(runSimulation(options(fake, { readyTimeoutSeconds: 0.05 }))).rejects.toThrow(
      /cannot start: ingest at http:\/\/ingest.test was not ready within 50 ms: HTTP 503 down/,
    );
  });

  it.each([
    [{ batchSize: 1001 }, /batchSize must be an integer in 1\.\.1000/],
    [{ replayRatio: 2 }, /replayRatio must be a number in 0\.\.1 \(got 2\)/],
    [{ rate: -1 }, /rate must be >= 0/],
  ])('rejects %j naming the option', async (extra, message) => {
    await expect(runSimulation(options(createFakeIngest(), extra))).rejects.toThrow(message);
  });
});
