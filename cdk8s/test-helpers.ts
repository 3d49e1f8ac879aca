import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Kubernetes version passed to helm (the chart requires >= 1.27; helm built from source defaults to 1.20). */
export const KUBE_VERSION = '1.31.0';

/** Builds (once, cached) and returns the helm binary from scripts/tools.sh. */
export function helmBinary(): string {
  execFileSync('bash', [join(root, 'scripts', 'tools.sh'), 'helm'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const bin = execFileSync('bash', [join(root, 'scripts', 'tools.sh'), 'path'], { encoding: 'utf8' }).trim();
  return join(bin, 'helm');
}

/** Result of one helm invocation. */
export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with args; never throws on a non-zero exit (tests assert on it). */
export function runHelm(helm: string, args: string[]): HelmResult {
  try {
    const stdout = execFileSync(helm, args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Writes a values overlay to a temp file and returns its path. */
export function valuesFile(values: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'catcast-values-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
}

/** Renders the chart and parses every document. */
export function helmTemplate(helm: string, release: string, overlay: unknown): Record<string, unknown>[] {
  const res = runHelm(helm, [
    'template',
    release,
    join(root, 'charts', 'catcast'),
    '--kube-version',
    KUBE_VERSION,
    '-f',
    valuesFile(overlay),
  ]);
  if (res.status !== 0) throw new Error(`helm template failed: ${res.stderr}`);
  return parseAllDocuments(res.stdout)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);
}

/** Drops null/undefined fields recursively (Helm renders an absent optional field as null). */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null && x !== undefined)
        .map(([k, x]) => [k, dropNulls(x)]),
    );
  }
  return v;
}

/** Sort key of an object: kind/name. */
export function objectKey(o: Record<string, unknown>): string {
  const md = o.metadata as { name?: string } | undefined;
  return `${String(o.kind)}/${md?.name ?? ''}`;
}

/** Normalizes a list of objects for semantic comparison: nulls dropped, sorted by kind/name. */
export function normalize(objs: readonly object[]): Record<string, unknown>[] {
  return objs
    .map((o) => dropNulls(o) as Record<string, unknown>)
    .sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
}
