import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { createKubernetesLeaseStore, type KubernetesLeaseStore } from '../../../pkg/leader/index.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** Admin kubeconfig of the test kube-apiserver started by global-setup. */
export function adminKubeconfig(): string {
  return inject('kubeconfig');
}

/** Outcome of a command that is allowed to fail (tests assert on it). */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file args` with `input` on stdin; never rejects on a non-zero exit. */
export function runCommand(
  file: string,
  args: readonly string[],
  { input, env }: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: root, env: env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // Not an exit code: the command could not run at all (e.g. not installed).
        if (err && typeof err.code !== 'number')
          return reject(new Error(`cannot run ${file}: ${err.message}`, { cause: err }));
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** kubectl (/usr/bin/kubectl) as the test cluster's admin; never rejects on a non-zero exit. */
export function kubectl(args: readonly string[], input?: string): Promise<CommandResult> {
  return runCommand('kubectl', ['--kubeconfig', adminKubeconfig(), ...args], { input });
}

/** kubectl that must succeed; returns stdout, or throws with kubectl's stderr. */
export async function kubectlOk(args: readonly string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Reads objects as JSON: `resource` is e.g. `cronjob/x`, or a kind list with `selector` (-l). */
export async function kubectlGet<T = Record<string, unknown>>(
  namespace: string,
  resource: string,
  selector?: string,
): Promise<T> {
  const args = ['-n', namespace, 'get', resource, ...(selector ? ['-l', selector] : []), '-o', 'json'];
  return JSON.parse(await kubectlOk(args)) as T;
}

/**
 * Creates a namespace with a unique name. Namespaces are never deleted: without the namespace
 * controller they would stay Terminating, and the whole etcd is wiped at the next run anyway.
 */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kubectlOk(['create', 'namespace', name]);
  return name;
}

/** The API server's version (e.g. v1.34.4), for `helm template --kube-version` (which never asks a server). */
export async function serverVersion(): Promise<string> {
  const v = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as {
    serverVersion: { gitVersion: string };
  };
  return v.serverVersion.gitVersion;
}

/** The helm binary built by scripts/tools.sh (cached). */
export function helmBinary(): string {
  execFileSync('bash', [path.join(root, 'scripts/tools.sh'), 'helm'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bin = execFileSync('bash', [path.join(root, 'scripts/tools.sh'), 'path'], {
    encoding: 'utf8',
  }).trim();
  return path.join(bin, 'helm');
}

/** helm against the test cluster as admin; never rejects on a non-zero exit. */
export function helm(args: readonly string[]): Promise<CommandResult> {
  return runCommand(helmBinary(), ['--kubeconfig', adminKubeconfig(), ...args]);
}

/** The admin KubeConfig (client certificate). */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig());
  return kc;
}

/** A KubeConfig for the same server that authenticates with a bearer token only (no client certificate). */
export function tokenKubeConfig(token: string): KubeConfig {
  const cluster = adminKubeConfig().getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: cluster.server, caData: cluster.caData }],
    users: [{ name: 'sa', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'sa' }],
    currentContext: 'test',
  });
  return kc;
}

/** Writes `kc` to a temporary kubeconfig file (for kubectl/helm as that user). */
export function writeKubeconfig(kc: KubeConfig): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'catcast-kube-')), 'config');
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/** The forecast job's lease store as the admin (what tests of the algorithm use). */
export function adminLeaseStore(namespace: string): Promise<KubernetesLeaseStore> {
  return createKubernetesLeaseStore({ namespace, configure: (kc) => kc.loadFromFile(adminKubeconfig()) });
}

/** The forecast job's lease store authenticated with `token` (a ServiceAccount token from TokenRequest). */
export function tokenLeaseStore(namespace: string, token: string): Promise<KubernetesLeaseStore> {
  const source = tokenKubeConfig(token);
  return createKubernetesLeaseStore({
    namespace,
    configure: (kc) => kc.loadFromString(source.exportConfig()),
  });
}
