// RBAC of the forecast job against a real kube-apiserver: the ServiceAccount, Role and RoleBinding
// exactly as the chart renders them, a token minted for that ServiceAccount (TokenRequest), and the
// job's KubernetesLeaseStore / binary using it: allowed on its shard leases, refused everywhere else.
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  KubernetesLeaseStoreError,
  LeaderElector,
  type KubernetesLeaseStore,
  type LeaseRecord,
} from '../../pkg/leader/index.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import {
  adminLeaseStore,
  createNamespace,
  helm,
  kubectlOk,
  runCommand,
  serverVersion,
  tokenKubeConfig,
  tokenLeaseStore,
  writeKubeconfig,
} from './support/kube.js';

const RELEASE = 'catcast';
const SA = `${RELEASE}-forecast-job`;
const SHARDS = 2; // the Role names catcast-forecast-shard-0 and -1

let ns: string;
let otherNs: string;
let token: string;
let store: KubernetesLeaseStore;

const record = (holder: string): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: new Date(),
  renewTime: new Date(),
  leaseTransitions: 0,
});

/** The HTTP status a call was refused with (undefined when it succeeded). */
async function refusal(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    if (err instanceof KubernetesLeaseStoreError) return err.status;
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code; // the client's ApiException
    throw err;
  }
}

beforeAll(async () => {
  ns = await createNamespace('rbac');
  otherNs = await createNamespace('rbac-other');
  const rendered = await helm([
    'template',
    RELEASE,
    'charts/catcast',
    '--namespace',
    ns,
    '--kube-version',
    await serverVersion(),
    '--set',
    `forecastJob.shardCount=${SHARDS}`,
  ]);
  if (rendered.code !== 0) throw new Error(`helm template failed: ${rendered.stderr}`);
  const rbac = parseAllDocuments(rendered.stdout)
    .map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } } | null)
    .filter((o) => o && ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind ?? ''));
  expect(rbac.map((o) => `${o!.kind}/${o!.metadata!.name}`).sort()).toEqual([
    `Role/${SA}`,
    `RoleBinding/${SA}`,
    `ServiceAccount/${SA}`,
  ]);
  await kubectlOk(['-n', ns, 'apply', '-f', '-'], rbac.map((o) => JSON.stringify(o)).join('\n'));
  token = (await kubectlOk(['-n', ns, 'create', 'token', SA, '--duration', '1h'])).trim();
  store = await tokenLeaseStore(ns, token);
});

describe("the forecast job's ServiceAccount token (Role from the chart)", () => {
  it('campaigns, renews and releases its shard lease', async () => {
    const elector = new LeaderElector({
      store,
      name: 'catcast-forecast-shard-1',
      identity: 'pod-1',
      leaseDurationMs: 3000,
      renewDeadlineMs: 2000,
      retryPeriodMs: 300,
    });
    const renewedTo = await elector.run(async ({ lease }) => {
      // Stay until a renewal (a replace under the Role's resourceNames rule) went through.
      const first = lease.version;
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        const now = await store.get('catcast-forecast-shard-1');
        if (now && now.version !== first) return now;
      }
    }, AbortSignal.timeout(20_000));
    expect(renewedTo).toMatchObject({ holderIdentity: 'pod-1' });
    expect(await store.get('catcast-forecast-shard-1')).toMatchObject({ holderIdentity: '' }); // released
  });

  it('gets, creates and updates each shard lease the chart names', async () => {
    for (let shard = 0; shard < SHARDS; shard++) {
      const name = `catcast-forecast-shard-${shard}`;
      const current = (await store.get(name)) ?? (await store.create(name, record('a')));
      const updated = await store.update(name, record('b'), current.version);
      expect(updated.holderIdentity).toBe('b');
      // Released again, as the elector does, so the binary below need not wait the lease out.
      const released = await store.update(name, { ...record(''), leaseDurationSeconds: 1 }, updated.version);
      expect(released.holderIdentity).toBe('');
    }
  });

  it("is refused (403) on another shard's lease, even one it could create", async () => {
    const admin = await adminLeaseStore(ns);
    const foreign = await admin.create(`catcast-forecast-shard-${SHARDS}`, record('admin'));
    expect(
      await refusal(store.update(`catcast-forecast-shard-${SHARDS}`, record('x'), foreign.version)),
    ).toBe(403);
    const other = await admin.create('some-other-lease', record('admin'));
    expect(await refusal(store.update('some-other-lease', record('x'), other.version))).toBe(403);
    // RBAC cannot restrict create by name (the name does not exist yet), so a new lease can be made;
    // the Role still refuses to renew it, so leadership on it cannot be kept.
    const made = await store.create('made-by-job', record('x'));
    expect(await refusal(store.update('made-by-job', record('x'), made.version))).toBe(403);
  });

  it('is refused (403) in another namespace', async () => {
    const elsewhere = await tokenLeaseStore(otherNs, token);
    expect(await refusal(elsewhere.get('catcast-forecast-shard-0'))).toBe(403);
    expect(await refusal(elsewhere.create('catcast-forecast-shard-0', record('x')))).toBe(403);
  });

  it('is refused (403) on every other resource', async () => {
    const kc = tokenKubeConfig(token);
    const core = kc.makeApiClient(CoreV1Api);
    const leases = kc.makeApiClient(CoordinationV1Api);
    expect(await refusal(core.listNamespacedSecret({ namespace: ns }))).toBe(403);
    expect(await refusal(core.listNamespacedConfigMap({ namespace: ns }))).toBe(403);
    expect(await refusal(core.listNamespacedPod({ namespace: ns }))).toBe(403);
    expect(await refusal(core.readNamespacedServiceAccount({ name: SA, namespace: ns }))).toBe(403);
    expect(await refusal(core.listNamespace())).toBe(403);
    expect(await refusal(leases.listLeaseForAllNamespaces())).toBe(403);
    expect(
      await refusal(leases.deleteNamespacedLease({ name: 'catcast-forecast-shard-0', namespace: ns })),
    ).toBe(403);
  });

  it('is rejected (401) with a bad token', async () => {
    const forged = `${token.slice(0, -8)}AAAAAAAA`; // same claims, broken signature
    for (const bad of ['not-a-token', forged]) {
      expect(await refusal((await tokenLeaseStore(ns, bad)).get('catcast-forecast-shard-0'))).toBe(401);
    }
  });
});

describe('cmd/forecast-job with LEASE_STORE=kubernetes and the ServiceAccount token', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('k8srbac');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs its shard under the Lease and exits 0', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      KUBECONFIG: writeKubeconfig(tokenKubeConfig(token)),
      LEASE_STORE: 'kubernetes',
      LEASE_NAMESPACE: ns,
      SHARD_COUNT: String(SHARDS),
      JOB_COMPLETION_INDEX: '0',
      POD_NAME: 'forecast-job-0-abcde',
      FORECAST_THREADS: '1',
      LOG_LEVEL: 'info',
    };
    const r = await runCommand(process.execPath, ['--import', 'tsx', 'cmd/forecast-job/main.ts'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`"leaseStore":"kubernetes leases in namespace ${ns}"`);
    expect(r.stdout).toMatch(/"msg":"forecast run succeeded"/);
    const admin = await adminLeaseStore(ns);
    expect(await admin.get('catcast-forecast-shard-0')).toMatchObject({ holderIdentity: '' });
  });
});
