import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFakeIngest,
  runSimulation,
  type FakeIngest,
  type FakeIngestOptions,
  type SimOrder,
  type SimulationSummary,
} from '../../pkg/simulator/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const servers: ServerType[] = [];

/** Starts the fake ingest on a real port: the simulator talks HTTP over TCP like in production. */
async function listen(options: FakeIngestOptions = {}): Promise<{ fake: FakeIngest; url: string }> {
  const fake = createFakeIngest(options);
  const server = serve({ fetch: fake.app.fetch, port: 0, hostname: '127.0.0.1' });
  servers.push(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return { fake, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/simulator/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('simulator over HTTP', () => {
  it('waits for /ready, syncs the catalog level by level, then backfills through the batch endpoint', async () => {
    let readyCalls = 0;
    const { fake, url } = await listen({
      // Not ready for the first two probes: the simulator must wait, not fail.
      intercept: (r) =>
        r.path === '/ready' && readyCalls++ < 2 ? new Response('starting', { status: 503 }) : undefined,
    });
    const s = await runSimulation({
      ingestUrl: url,
      seed: 'proto',
      days: 3,
      end: new Date('2026-03-01T00:00:00Z'),
      token: 'dev-token',
    });
    expect(readyCalls).toBe(3);
    const v1 = fake.requests.filter((r) => r.path.startsWith('/v1/'));
    const firstOrder = v1.findIndex((r) => r.path.startsWith('/v1/orders'));
    // Every catalog PUT comes before the first order, merchants before categories before products.
    const kinds = v1
      .slice(0, firstOrder)
      .map((r) => r.path.match(/\/(categories|products)\//)?.[1] ?? 'merchants');
    expect(kinds.lastIndexOf('merchants')).toBeLessThan(kinds.indexOf('categories'));
    expect(kinds.lastIndexOf('categories')).toBeLessThan(kinds.indexOf('products'));
    expect(v1.slice(firstOrder).every((r) => r.method === 'POST' && r.path === '/v1/orders/batch')).toBe(
      true,
    );
    for (const r of v1) {
      expect(r.headers.authorization).toBe('Bearer dev-token');
      expect(r.headers['content-type']).toBe('application/json');
    }
    const sent = v1.slice(firstOrder).flatMap((r) => (r.body as { orders: SimOrder[] }).orders);
    expect(sent).toHaveLength(s.ordersSent);
    expect(Object.keys(sent[0]!).sort()).toEqual([
      'currency',
      'externalOrderId',
      'items',
      'merchantId',
      'placedAt',
    ]);
    expect(s.accepted).toBe(fake.orders.size);
    expect(s).toMatchObject({ merchants: 3, rejected: 0, failed: 0 });
  });

  it('retries a 503 after the Retry-After it names, and never retries a 400', async () => {
    const arrivals: number[] = [];
    const { fake, url } = await listen({
      intercept: (r, n) => {
        if (r.path !== '/v1/orders') return undefined;
        arrivals.push(r.at);
        const id = (r.body as SimOrder).externalOrderId;
        if (id.endsWith('0000001') && n === 0)
          return new Response('{}', { status: 503, headers: { 'retry-after': '1' } });
        if (id.endsWith('0000002')) return Response.json({ title: 'Invalid request' }, { status: 400 });
        return undefined;
      },
    });
    // concurrency 1: orders go one after another, so arrival order is send order; stop after three verdicts.
    const controller = new AbortController();
    let outcomes = 0;
    const s = await runSimulation(
      {
        ingestUrl: url,
        seed: 'retry',
        days: 0,
        rate: 20,
        concurrency: 1,
        onOutcome: () => {
          if (++outcomes === 3) controller.abort();
        },
      },
      controller.signal,
    );
    const posts = fake.requests.filter((r) => r.path === '/v1/orders');
    const ids = posts.map((r) => (r.body as SimOrder).externalOrderId.slice(-7));
    expect(ids.slice(0, 3)).toEqual(['0000001', '0000001', '0000002']);
    expect(ids.filter((id) => id === '0000002')).toHaveLength(1);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(950);
    expect(s.rejected).toBe(1);
    expect(s.retries).toBe(1);
  });

  it('runs as a CLI: JSON summary on stdout, exit 0; exit 1 when orders are rejected unexpectedly', async () => {
    const { fake, url } = await listen();
    // The fault draws are seeded per run (the run tag), so the ratio is high enough that a run
    // without any invalid order cannot happen in practice (0.05 left none in one CI run).
    const ok = await runCli(
      ['--json', '--days', '2', '--rate', '0', '--end', '2026-03-01T00:00:00Z', '--invalid-ratio', '0.3'],
      {
        INGEST_URL: url,
        SIM_MERCHANTS: '2',
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout) as SimulationSummary;
    expect(summary).toMatchObject({ merchants: 2, rejected: 0, failed: 0 });
    expect(summary.accepted).toBe(fake.orders.size);
    expect(summary.expectedRejected).toBeGreaterThan(0);
    expect(ok.stderr).toMatch(/backfill .*100%/); // plain progress lines, stderr is not a TTY here

    const { url: badUrl } = await listen({
      intercept: (r) =>
        r.path === '/v1/orders/batch' ? Response.json({ title: 'no' }, { status: 422 }) : undefined,
    });
    const bad = await runCli(['--days', '1', '--rate', '0', '--progress', 'off'], { INGEST_URL: badUrl });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^simulator: 3 merchants, .* rejected/);

    const invalid = await runCli(['--rate', 'lots']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/--rate \(SIM_RATE\)/);
  });
});
