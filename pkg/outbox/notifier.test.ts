import { describe, expect, it } from 'vitest';
import type { Queryable } from '../db/index.js';
import { createOutboxNotifier } from './notifier.js';

function fakeDb() {
  const pending: (() => void)[] = [];
  const sent: string[] = [];
  const db = {
    query(text: string) {
      sent.push(text);
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  } as unknown as Queryable;
  const settle = async () => {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { db, sent, settle };
}

describe('createOutboxNotifier', () => {
  it('sends at once, folds pokes during a notification into one more, then goes quiet', async () => {
    const { db, sent, settle } = fakeDb();
    const poke = createOutboxNotifier(db);
    poke();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("pg_notify('catcast_outbox'");
    poke();
    poke();
    poke();
    expect(sent).toHaveLength(1);
    await settle();
    expect(sent).toHaveLength(2);
    await settle();
    expect(sent).toHaveLength(2);
    poke();
    expect(sent).toHaveLength(3);
  });

  it('keeps working after a failed notification', async () => {
    let calls = 0;
    const db = {
      query: () => (++calls === 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve()),
    } as unknown as Queryable;
    const poke = createOutboxNotifier(db);
    poke();
    await new Promise((r) => setImmediate(r));
    poke();
    expect(calls).toBe(2);
  });
});
