import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts/k8s/cluster.sh');

declare module 'vitest' {
  export interface ProvidedContext {
    /** `scripts/k8s/cluster.sh env` as a map: KUBECONFIG, CATCAST_CLUSTER_DATABASE_URL, ... */
    clusterEnv: Record<string, string>;
  }
}

/** Parses `export NAME=value` lines. */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1]!] = m[2]!;
  return env;
}

/**
 * Starts the single-node cluster (scripts/k8s/cluster.sh up: tools, image, containerd, kubelet, ...)
 * and stops it after the run. A component that cannot start fails the run; nothing is skipped.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  try {
    await run('bash', [script, 'up'], {
      env: { ...process.env, CLUSTER_FRESH: '1' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60 * 60_000,
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    await run('bash', [script, 'down']).catch(() => undefined);
    throw new Error(`cannot start the cluster with scripts/k8s/cluster.sh up:\n${e.stderr ?? e.message}`, {
      cause: err,
    });
  }
  console.log(`[cluster] up in ${Math.round((Date.now() - started) / 1000)} s`);
  const { stdout } = await run('bash', [script, 'env']);
  project.provide('clusterEnv', parseEnv(stdout));
  return async () => {
    if (process.env.CATCAST_KEEP_CLUSTER === '1') return;
    await run('bash', [script, 'down'], { maxBuffer: 16 * 1024 * 1024 });
  };
}
