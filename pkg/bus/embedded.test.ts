import { describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../events/index.js';
import { describeBusContract } from './contract.js';
import { EmbeddedBus, EmbeddedBusTimeoutError } from './embedded.js';

describeBusContract('embedded', () => {
  const bus = new EmbeddedBus({ maxBatchSize: 7, initialBackoffMs: 5, maxBackoffMs: 20 });
  const topic = 'order-events';
  return Promise.resolve({
    publisher: bus,
    topic,
    subscriber: () => bus.subscriber(topic),
    committed: () => Promise.resolve(bus.committedCount(topic)),
    close: () => bus.close(),
  });
});

const msg = (i: number): OutgoingMessage => ({ key: 'k', value: Buffer.from(String(i)), headers: {} });

describe('EmbeddedBus', () => {
  it('rejects a publish nobody handles within the timeout and withdraws its messages', async () => {
    const bus = new EmbeddedBus({ publishTimeoutMs: 30 });
    await expect(bus.publish('t', [msg(1)])).rejects.toBeInstanceOf(EmbeddedBusTimeoutError);
    expect(bus.pendingCount('t')).toBe(0);
  });

  it('makes publish wait for room when the queue is full (backpressure)', async () => {
    const bus = new EmbeddedBus({ maxQueued: 2, publishTimeoutMs: 5_000 });
    const first = bus.publish('t', [msg(1), msg(2)]);
    let secondQueued = false;
    const second = bus.publish('t', [msg(3)]).then(() => (secondQueued = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(bus.pendingCount('t')).toBe(2);
    expect(secondQueued).toBe(false);
    const controller = new AbortController();
    const seen: string[] = [];
    const done = bus.subscriber('t').run((batch) => {
      seen.push(...batch.map((m) => m.value?.toString() ?? ''));
      return Promise.resolve();
    }, controller.signal);
    await Promise.all([first, second]);
    expect(seen).toEqual(['1', '2', '3']);
    controller.abort();
    await done;
  });

  it('stores sink-topic messages without a subscriber, bounded', async () => {
    const bus = new EmbeddedBus({ sinkTopics: ['dlq'], maxQueued: 3 });
    await bus.publish('dlq', [msg(1), msg(2)]);
    await bus.publish('dlq', [msg(3), msg(4)]);
    expect(bus.stored('dlq').map((m) => m.value?.toString())).toEqual(['2', '3', '4']);
  });

  it('lets only one subscriber consume at a time; the next takes over when it stops', async () => {
    const bus = new EmbeddedBus();
    const a = new AbortController();
    const b = new AbortController();
    const got: string[] = [];
    const runA = bus.subscriber('t').run((batch) => {
      got.push(...batch.map(() => 'a'));
      return Promise.resolve();
    }, a.signal);
    const runB = bus.subscriber('t').run((batch) => {
      got.push(...batch.map(() => 'b'));
      return Promise.resolve();
    }, b.signal);
    await bus.publish('t', [msg(1)]);
    a.abort();
    await runA;
    await bus.publish('t', [msg(2)]);
    b.abort();
    await runB;
    expect(got).toEqual(['a', 'b']);
  });

  it('rejects pending publishes on close', async () => {
    const bus = new EmbeddedBus();
    const p = bus.publish('t', [msg(1)]);
    await bus.close();
    await expect(p).rejects.toThrow(/closed/);
  });
});
