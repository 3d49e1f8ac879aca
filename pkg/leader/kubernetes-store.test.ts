import type { V1Lease } from '@kubernetes/client-node';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KubernetesLeaseStore,
  KubernetesLeaseStoreError,
  LeaseConflictError,
  podNamespace,
  type LeaseApi,
  type LeaseRecord,
} from './index.js';

/** Shaped like the client's ApiException: a numeric `code` and the server's Status as a string body. */
function apiError(code: number, message: string): Error & { code: number; body: string } {
  return Object.assign(new Error(`HTTP-Code: ${code}`), {
    code,
    body: JSON.stringify({ kind: 'Status', status: 'Failure', message, code }),
  });
}

/** A fake LeaseApi that records the bodies it was sent (as JSON, like the wire) and answers from `reply`. */
function fakeApi(reply: (op: string, body?: V1Lease) => V1Lease) {
  const sent: { op: string; json: string }[] = [];
  const call = (op: string, body?: V1Lease) => {
    if (body) sent.push({ op, json: JSON.stringify(body) });
    return Promise.resolve().then(() => reply(op, body));
  };
  const api = {
    readNamespacedLease: () => call('read'),
    createNamespacedLease: ({ body }: { body: V1Lease }) => call('create', body),
    replaceNamespacedLease: ({ body }: { body: V1Lease }) => call('replace', body),
  } as unknown as LeaseApi;
  return { api, sent };
}

const record: LeaseRecord = {
  holderIdentity: 'pod-a',
  leaseDurationSeconds: 15,
  acquireTime: new Date('2026-03-01T10:00:00.123Z'),
  renewTime: new Date('2026-03-01T10:00:05.456Z'),
  leaseTransitions: 2,
};

const served = (rv: string, extra: Partial<V1Lease['metadata']> = {}): V1Lease => ({
  metadata: { name: 'shard-0', namespace: 'ns', resourceVersion: rv, ...extra },
  // What the 1.x client hands back: MicroTime fields stay strings.
  spec: {
    holderIdentity: 'pod-a',
    leaseDurationSeconds: 15,
    acquireTime: '2026-03-01T10:00:00.123000Z' as never,
    renewTime: '2026-03-01T10:00:05.456000Z' as never,
    leaseTransitions: 2,
  },
});

describe('KubernetesLeaseStore', () => {
  it('maps a 404 on read to null', async () => {
    const { api } = fakeApi(() => {
      throw apiError(404, 'leases.coordination.k8s.io "shard-0" not found');
    });
    await expect(new KubernetesLeaseStore({ api, namespace: 'ns' }).get('shard-0')).resolves.toBeNull();
  });

  it.each([
    ['create', 409, LeaseConflictError],
    ['update', 409, LeaseConflictError],
    ['update', 404, LeaseConflictError],
    ['get', 403, KubernetesLeaseStoreError],
    ['create', 401, KubernetesLeaseStoreError],
    ['update', 500, KubernetesLeaseStoreError],
  ] as const)('maps %s answered with HTTP %i to %o', async (op, code, type) => {
    const { api } = fakeApi(() => {
      throw apiError(code, 'refused by the server');
    });
    const store = new KubernetesLeaseStore({ api, namespace: 'ns' });
    const call =
      op === 'get'
        ? store.get('shard-0')
        : op === 'create'
          ? store.create('shard-0', record)
          : store.update('shard-0', record, '7');
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(type);
    if (err instanceof KubernetesLeaseStoreError) {
      expect(err.status).toBe(code);
      expect(err.message).toContain('ns/shard-0');
      expect(err.message).toContain('refused by the server');
    }
  });

  it('sends times with microseconds (MicroTime) and reads the server strings back as Dates', async () => {
    const { api, sent } = fakeApi(() => served('11'));
    const stored = await new KubernetesLeaseStore({ api, namespace: 'ns' }).create('shard-0', record);
    const spec = (JSON.parse(sent[0]!.json) as V1Lease).spec!;
    expect(spec.acquireTime).toBe('2026-03-01T10:00:00.123000Z');
    expect(spec.renewTime).toBe('2026-03-01T10:00:05.456000Z');
    expect(stored).toEqual({ ...record, version: '11' });
  });

  it('replaces with the resourceVersion it was given and keeps labels it saw on the lease', async () => {
    const { api, sent } = fakeApi((op) =>
      op === 'read' ? served('20', { labels: { team: 'x' } }) : served('21'),
    );
    const store = new KubernetesLeaseStore({ api, namespace: 'ns' });
    const current = await store.get('shard-0');
    const updated = await store.update('shard-0', record, current!.version);
    const meta = (JSON.parse(sent[0]!.json) as V1Lease).metadata!;
    expect(meta).toMatchObject({ name: 'shard-0', resourceVersion: '20', labels: { team: 'x' } });
    expect(updated.version).toBe('21');
  });

  it('sends a released lease (no holder) as an empty holderIdentity', async () => {
    const { api, sent } = fakeApi(() => served('5'));
    await new KubernetesLeaseStore({ api, namespace: 'ns' }).update(
      'shard-0',
      { ...record, holderIdentity: '', leaseDurationSeconds: 1 },
      '4',
    );
    expect((JSON.parse(sent[0]!.json) as V1Lease).spec).toMatchObject({
      holderIdentity: '',
      leaseDurationSeconds: 1,
    });
  });
});

describe('podNamespace', () => {
  it.each([
    ['catcast\n', 'catcast'],
    ['', undefined],
  ])('reads %j from the service-account file as %j', (content, expected) => {
    const file = join(mkdtempSync(join(tmpdir(), 'catcast-ns-')), 'namespace');
    writeFileSync(file, content);
    expect(podNamespace(file)).toBe(expected);
  });

  it('is undefined outside a pod', () => {
    expect(podNamespace('/nonexistent/namespace')).toBeUndefined();
  });
});
