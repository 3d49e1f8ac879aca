import { execFile, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor as poll } from '../integration/support/wait.js';

const exec = promisify(execFile);
export const root = path.resolve(import.meta.dirname, '../..');

/** Runs a command with the cluster's KUBECONFIG; rejects with its stderr on a non-zero exit. */
export async function sh(
  env: Record<string, string>,
  cmd: string,
  args: readonly string[],
  timeoutMs = 600_000,
): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, {
      cwd: root,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
    });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, {
      cause: err,
    });
  }
}

/** The integration tests' waitFor with the cluster's defaults: pods start slower than processes. */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 120_000, intervalMs = 1000 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  return poll(what, check, { timeoutMs, intervalMs });
}

/** One HTTP request on a fresh connection (no keep-alive): every request is routed by kube-proxy anew. */
export function request(
  url: string,
  {
    method = 'GET',
    body,
    timeoutMs = 10_000,
    headers = {},
  }: { method?: string; body?: unknown; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      {
        method,
        agent: false,
        timeout: timeoutMs,
        headers: {
          ...headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Result of one simulator run (its --json summary line). */
export interface SimulatorSummary {
  accepted: number;
  replayed: number;
  rejected: number;
  expectedRejected: number;
  failed: number;
  merchants: number;
}

/** Runs cmd/simulator against `ingestUrl` with `args`; resolves with its summary. */
export function simulate(ingestUrl: string, args: readonly string[]): Promise<SimulatorSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'cmd/simulator/main.ts',
        '--ingest-url',
        ingestUrl,
        '--json',
        '--progress',
        'off',
        ...args,
      ],
      { cwd: root, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`simulator exited ${code}: ${stderr.slice(-4000)}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as SimulatorSummary);
      } catch (err) {
        reject(
          new Error(`simulator printed no summary: ${stdout.slice(-2000)} ${stderr.slice(-2000)}`, {
            cause: err,
          }),
        );
      }
    });
  });
}
