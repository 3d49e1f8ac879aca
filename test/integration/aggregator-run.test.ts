// run() wired with the embedded bus (how `make dev` runs the aggregator in-process): events published
// to the bus are applied before publish resolves, poison goes to the DLQ topic, the HTTP side serves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterSink, parseAggregatorConfig, run } from '../../pkg/aggregation/index.js';
import { EmbeddedBus } from '../../pkg/bus/index.js';
import { HEADERS, type OrderCreatedV1 } from '../../pkg/events/index.js';
import { silentLogger } from '../../pkg/log/index.js';
import { Registry } from '../../pkg/metrics/index.js';
import { reconcile } from '../../pkg/reconcile/index.js';
import {
  prng,
  randomOrders,
  seedCatalog,
  storeOrders,
  type FixtureMerchant,
} from './aggregation-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/db.js';

const M: FixtureMerchant = {
  id: 'dev',
  timezone: 'Pacific/Chatham', // +12:45/+13:45: a quarter-hour offset with DST
  weekStart: 'WEDNESDAY',
  currency: 'NZD',
  categories: ['a', 'b', 'c'],
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('aggrun');
  await seedCatalog(db.pool, [M]);
});
afterAll(async () => db.drop());

const message = (e: OrderCreatedV1 | string) => ({
  key: M.id,
  value: Buffer.from(typeof e === 'string' ? e : JSON.stringify(e)),
  headers: { [HEADERS.type]: 'order.created' },
});

describe('aggregation run()', () => {
  it('consumes from the embedded bus, dead-letters poison, serves the API and stops cleanly', async () => {
    const bus = new EmbeddedBus({ sinkTopics: ['order-events.dlq'] });
    const controller = new AbortController();
    let resolvePort: (p: number) => void = () => undefined;
    const port = new Promise<number>((r) => (resolvePort = r));
    const config = parseAggregatorConfig({
      DATABASE_URL: db.url,
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'none',
    });
    const running = run(config, controller.signal, {
      pool: db.pool,
      subscriber: bus.subscriber('order-events'),
      deadLetters: deadLetterSink(bus, 'order-events.dlq'),
      logger: silentLogger(),
      registry: new Registry(),
      onListening: resolvePort,
    });
    try {
      const base = `http://127.0.0.1:${await port}`;
      const events = randomOrders([M], 400, '2026-04-01T00:00:00Z', '2026-04-10T00:00:00Z', prng(9));
      await storeOrders(db.pool, events);
      // publish resolves once the consumer committed: no waiting needed afterwards.
      await bus.publish('order-events', [...events.slice(0, 250).map(message), message('garbage')]);
      await bus.publish('order-events', events.slice(200).map(message));
      expect(await reconcile(db.pool)).toMatchObject({ drift: [], inFlightOrders: 0 });
      const dlq = bus.stored('order-events.dlq');
      expect(dlq).toHaveLength(1);
      expect(dlq[0]!.headers[HEADERS.dlqReason]).toMatch(/not valid JSON/);

      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ checks: { database: { ok: true } } });
      const top = await fetch(
        `${base}/api/top-categories?merchantId=dev&bucketType=MONTH&bucketStart=2026-04-01`,
      );
      expect(top.status).toBe(200);
      expect(((await top.json()) as { categoryCount: number }).categoryCount).toBe(3);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/catcast_events_applied_total(\{[^}]*\})? 400/);
      expect(metrics).toMatch(/catcast_events_duplicate_total(\{[^}]*\})? 50/);
    } finally {
      controller.abort();
      await running;
      await bus.close();
    }
  });

  it('runs as a consumer and a separate read-only API that learns of applies from notifications', async () => {
    const bus = new EmbeddedBus({ sinkTopics: ['order-events.dlq'] });
    const controller = new AbortController();
    const ports: Array<Promise<number>> = [];
    const start = (role: string, deps: Parameters<typeof run>[2]) => {
      let resolvePort: (p: number) => void = () => undefined;
      ports.push(new Promise<number>((r) => (resolvePort = r)));
      const config = parseAggregatorConfig({
        DATABASE_URL: db.url,
        PORT: '0',
        HOST: '127.0.0.1',
        // The consumer starts with no AUTH_* at all (as deployed: it gets no auth Secret).
        ...(role === 'consumer' ? {} : { AUTH_MODE: 'none' }),
        AGGREGATOR_ROLE: role,
        // Long enough that only a notification can make the API show the new totals in time.
        AGGREGATION_API_CACHE_EXACT_MS: '120000',
      });
      return run(config, controller.signal, {
        ...deps,
        pool: db.pool,
        logger: silentLogger(),
        registry: new Registry(),
        onListening: resolvePort,
      });
    };
    const running = [
      start('consumer', {
        subscriber: bus.subscriber('order-events'),
        deadLetters: deadLetterSink(bus, 'order-events.dlq'),
      }),
      // The API role: no subscriber, no Kafka; it hears of the consumer's applies via LISTEN.
      start('api', {}),
    ];
    try {
      const [consumerBase, apiBase] = (await Promise.all(ports)).map((p) => `http://127.0.0.1:${p}`);
      const path = '/api/top-categories?merchantId=dev&bucketType=YEAR&bucketStart=2025-01-01';
      expect((await fetch(`${consumerBase}${path}`)).status).toBe(404);
      expect((await fetch(`${consumerBase}/ready`)).status).toBe(200);
      const total = async () => {
        const res = await fetch(`${apiBase}${path}`);
        expect(res.status).toBe(200);
        return BigInt(((await res.json()) as { periodTotalMinor: string }).periodTotalMinor);
      };
      const before = await total();
      const events = randomOrders([M], 50, '2025-03-01T00:00:00Z', '2025-03-05T00:00:00Z', prng(11));
      await storeOrders(db.pool, events);
      await bus.publish('order-events', events.map(message));
      const deadline = Date.now() + 20_000;
      while ((await total()) === before) {
        if (Date.now() > deadline) throw new Error('the API role still serves the totals before the apply');
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await reconcile(db.pool)).toMatchObject({ drift: [] });
    } finally {
      controller.abort();
      await Promise.all(running);
      await bus.close();
    }
  });

  it('fails fast on a subscriber without a dead-letter sink', async () => {
    const bus = new EmbeddedBus();
    await expect(
      run(
        parseAggregatorConfig({ DATABASE_URL: db.url, PORT: '0', AUTH_MODE: 'none' }),
        new AbortController().signal,
        {
          pool: db.pool,
          subscriber: bus.subscriber('x'),
          logger: silentLogger(),
          registry: new Registry(),
        },
      ),
    ).rejects.toThrow(/dead-letter/);
    await bus.close();
  });
});
