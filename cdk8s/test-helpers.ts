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

/**
 * Normalizes a list of objects for semantic comparison: nulls dropped, sorted by kind/name, and a
 * pod template's `checksum/config` that is a sha256 replaced by a marker (Helm hashes the rendered
 * ConfigMap, cdk8s its data: both change exactly when the settings do, with different digests).
 */
export function normalize(objs: readonly object[]): Record<string, unknown>[] {
  return objs
    .map((o) => maskConfigChecksum(dropNulls(o) as Record<string, unknown>))
    .sort((a, b) => objectKey(a).localeCompare(objectKey(b)));
}

/** The `checksum/config` pod-template annotation of each Deployment, by name. */
export function configChecksums(
  objs: readonly Record<string, unknown>[],
): Record<string, string | undefined> {
  return Object.fromEntries(
    objs
      .filter((o) => o.kind === 'Deployment')
      .map((o) => [objectKey(o), podAnnotations(o)?.['checksum/config']]),
  );
}

function podAnnotations(o: Record<string, unknown>): Record<string, string> | undefined {
  const spec = o.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined;
  return spec?.template?.metadata?.annotations;
}

function maskConfigChecksum(o: Record<string, unknown>): Record<string, unknown> {
  const annotations = podAnnotations(o);
  const sum = annotations?.['checksum/config'];
  if (annotations && sum !== undefined && /^[0-9a-f]{64}$/.test(sum))
    annotations['checksum/config'] = '<sha256>';
  return o;
}
