import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { waitFor } from './support/wait.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Starts cmd/ingest as a real process; collects its output and exit code. */
function startIngest(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'cmd/ingest/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '', exit: undefined as number | null | undefined };
  child.stdout!.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out.stderr += d.toString()));
  child.on('exit', (code) => (out.exit = code));
  return { child, out };
}

let db: TestDatabase;
const started: ChildProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase('ingbin');
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  await db.drop();
});

describe('cmd/ingest', () => {
  it('serves over HTTP, becomes ready, accepts an order, and exits 0 promptly on SIGTERM', async () => {
    const { child, out } = startIngest({
      DATABASE_URL: db.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_SECONDS: '5',
      AUTH_MODE: 'none',
    });
    started.push(child);
    const port = await waitFor(
      'the listening log line',
      () => {
        if (out.exit !== undefined) throw new Error(`exited early with ${out.exit}: ${out.stderr}`);
        const m = /"port":(\d+)[^\n]*"msg":"listening"|"msg":"listening"[^\n]*"port":(\d+)/.exec(out.stdout);
        return m ? Number(m[1] ?? m[2]) : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const base = `http://127.0.0.1:${port}`;
    const json = (method: string, p: string, body?: unknown) =>
      fetch(base + p, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const ready = await waitFor('/ready', async () =>
      (await fetch(`${base}/ready`)).status === 200 ? true : undefined,
    );
    expect(ready).toBe(true);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await json('PUT', '/v1/merchants/bin-m', { name: 'Bin', currency: 'EUR' })).status).toBe(201);
    expect((await json('PUT', '/v1/merchants/bin-m/categories/c', { name: 'C' })).status).toBe(201);
    expect((await json('PUT', '/v1/merchants/bin-m/products/p', { name: 'P', categoryId: 'c' })).status).toBe(
      201,
    );
    const created = await json('POST', '/v1/orders', {
      merchantId: 'bin-m',
      externalOrderId: 'o-1',
      currency: 'EUR',
      items: [{ productId: 'p', quantity: 3, unitPrice: '2.50' }],
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/orders\/[0-9a-f-]{36}$/);
    const fetched = await fetch(base + location);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ externalOrderId: 'o-1', total: '7.50' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /catcast_ingest_orders_accepted_total\{endpoint="single",outcome="created",service="ingest"\} 1/,
    );

    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    await waitFor('the process to exit', () => out.exit !== undefined, { timeoutMs: 10_000 });
    expect(out.exit).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(out.stdout).toMatch(/"msg":"ingest stopped"/);
  });

  it('exits 2 (as every binary, pkg/process) naming the variable when the configuration is invalid', async () => {
    const { child, out } = startIngest({ PORT: 'eighty', INGEST_BODY_LIMIT_BYTES: '-5' });
    started.push(child);
    await waitFor('the process to exit', () => out.exit !== undefined, { timeoutMs: 60_000 });
    expect(out.exit).toBe(2);
    expect(out.stderr).toMatch(/DATABASE_URL/);
    expect(out.stderr).toMatch(/PORT/);
    expect(out.stderr).toMatch(/INGEST_BODY_LIMIT_BYTES/);
    expect(out.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });
});
