// The one contract every event-bus adapter must satisfy (CONVENTIONS.md #9). Test-only: imported by
// test files, never by production code (it imports vitest).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  BatchHandler,
  EventPublisher,
  EventSubscriber,
  IncomingMessage,
  OutgoingMessage,
} from '../events/index.js';

/** One adapter under test, fresh for each test: a new topic and a new consumer group. */
export interface BusFixture {
  readonly publisher: EventPublisher;
  readonly topic: string;
  /** A new subscriber of `topic` in the fixture's consumer group (the same group on every call). */
  subscriber(): EventSubscriber;
  /** How many messages of `topic` the group has committed. */
  committed(): Promise<number>;
  close(): Promise<void>;
}

/** Options of {@link describeBusContract}. */
export interface BusContractOptions {
  /** Upper bound of every wait in the suite. @default 30000 */
  readonly timeoutMs?: number;
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function message(key: string, seq: number, extra: Record<string, string> = {}): OutgoingMessage {
  return {
    key,
    value: Buffer.from(JSON.stringify({ key, seq })),
    headers: { ce_id: `${key}-${seq}`, 'content-type': 'application/json', ...extra },
  };
}

function seqOf(m: IncomingMessage): number {
  return (JSON.parse(m.value?.toString('utf8') ?? '{}') as { seq: number }).seq;
}

/** A running subscriber: everything it received, and a way to stop it and wait for its end. */
interface Running {
  readonly received: IncomingMessage[];
  readonly controller: AbortController;
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

function start(subscriber: EventSubscriber, handler?: BatchHandler): Running {
  const controller = new AbortController();
  const received: IncomingMessage[] = [];
  const done = subscriber.run(async (batch) => {
    if (handler) await handler(batch);
    received.push(...batch);
  }, controller.signal);
  return {
    received,
    controller,
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

function ids(ms: readonly IncomingMessage[]): Set<string> {
  return new Set(ms.map((m) => m.headers.ce_id ?? ''));
}

/** Registers the bus contract tests for one adapter. */
export function describeBusContract(
  name: string,
  factory: () => Promise<BusFixture>,
  options: BusContractOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  describe(`event bus contract: ${name}`, () => {
    let bus: BusFixture;
    const running: Running[] = [];
    const run = (handler?: BatchHandler) => {
      const r = start(bus.subscriber(), handler);
      running.push(r);
      return r;
    };

    beforeEach(async () => {
      bus = await factory();
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((r) => r.stop()));
      await bus.close();
    });

    it('delivers every published message with its key, value and headers intact', async () => {
      const sub = run();
      const sent = Array.from({ length: 40 }, (_, i) =>
        message(`m${i % 4}`, i, { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` }),
      );
      await Promise.all([
        bus.publisher.publish(bus.topic, sent.slice(0, 20)),
        bus.publisher.publish(bus.topic, sent.slice(20)),
      ]);
      await waitUntil('all 40 messages', () => ids(sub.received).size === 40, timeoutMs);
      for (const s of sent) {
        const got = sub.received.find((m) => m.headers.ce_id === s.headers.ce_id);
        expect(got, s.headers.ce_id).toBeDefined();
        expect(got?.topic).toBe(bus.topic);
        expect(got?.key).toBe(s.key);
        expect(got?.value?.equals(s.value)).toBe(true);
        expect(got?.headers).toMatchObject(s.headers);
        expect(typeof got?.offset).toBe('string');
        expect(got?.timestamp).toBeGreaterThan(0);
      }
    });

    it('delivers messages published before the subscriber started', async () => {
      const published = bus.publisher.publish(bus.topic, [message('k', 1), message('k', 2)]);
      // The embedded bus resolves publish only once handled, so do not await it before subscribing.
      const sub = run();
      await published;
      await waitUntil('both messages', () => ids(sub.received).size === 2, timeoutMs);
    });

    it('keeps the order of the messages of one key', async () => {
      const sub = run();
      const keys = ['a', 'b', 'c'];
      for (let round = 0; round < 5; round++) {
        await bus.publisher.publish(
          bus.topic,
          Array.from({ length: 30 }, (_, i) => message(keys[i % 3] ?? 'a', round * 30 + i)),
        );
      }
      await waitUntil('150 messages', () => ids(sub.received).size === 150, timeoutMs);
      for (const key of keys) {
        const seqs = sub.received.filter((m) => m.key === key).map(seqOf);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      }
    });

    it('delivers a batch again when the handler throws', async () => {
      let calls = 0;
      const sub = run(() => {
        calls++;
        return calls === 1
          ? Promise.reject(new Error('handler failure injected by the test'))
          : Promise.resolve();
      });
      await bus.publisher.publish(bus.topic, [message('k', 1), message('k', 2), message('k', 3)]);
      await waitUntil('all 3 messages after the failure', () => ids(sub.received).size === 3, timeoutMs);
      expect(calls).toBeGreaterThan(1);
      await waitUntil('3 committed', async () => (await bus.committed()) === 3, timeoutMs);
    });

    it('redelivers to the next subscriber what a stopped subscriber did not commit', async () => {
      const sent = Array.from({ length: 10 }, (_, i) => message(`k${i % 2}`, i));
      const published = bus.publisher.publish(bus.topic, sent);
      published.catch(() => undefined);
      let seen = 0;
      const first = start(bus.subscriber(), (batch) => {
        seen += batch.length;
        // Crash-like stop: abort and fail, so this batch is never committed.
        first.controller.abort();
        return Promise.reject(new Error('subscriber stopped before commit'));
      });
      running.push(first);
      await first.done;
      expect(seen).toBeGreaterThan(0);
      expect(await bus.committed()).toBe(0);

      const second = run();
      await published;
      await waitUntil(
        'all 10 messages on the second subscriber',
        () => ids(second.received).size === 10,
        timeoutMs,
      );
      expect(ids(second.received)).toEqual(ids(sent.map((s) => ({ headers: s.headers }) as IncomingMessage)));
    });

    it('commits only after the handler resolved', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered = 0;
      const sub = run(async (batch) => {
        entered += batch.length;
        await gate;
      });
      const published = bus.publisher.publish(bus.topic, [message('k', 1), message('k', 2)]);
      published.catch(() => undefined);
      await waitUntil('the handler to be called', () => entered > 0, timeoutMs);
      expect(await bus.committed()).toBe(0);
      release();
      await published;
      await waitUntil('both committed', async () => (await bus.committed()) === 2, timeoutMs);
      expect(ids(sub.received).size).toBe(2);
    });

    it('finishes and commits the batch in progress when aborted', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered = 0;
      let finished = 0;
      const sub = run(async (batch) => {
        entered += batch.length;
        await gate;
        finished += batch.length;
      });
      const published = bus.publisher.publish(bus.topic, [message('k', 1)]);
      published.catch(() => undefined);
      await waitUntil('the handler to be called', () => entered > 0, timeoutMs);
      sub.controller.abort();
      let stopped = false;
      void sub.done.then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(stopped).toBe(false);
      release();
      await sub.done;
      expect(finished).toBe(1);
      expect(await bus.committed()).toBe(1);
      await published;
    });
  });
}
