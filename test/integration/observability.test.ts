// Issue 7 verified against the real thing: ingest, relay and aggregator as child processes started
// through the telemetry preload, real Postgres and Kafka, and a real Jaeger v2 receiving OTLP.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/db.js';
import { getTrace, startJaeger, tag, type Jaeger, type JaegerSpan } from './support/jaeger.js';
import { sample, startService, type Service } from './support/service.js';
import { waitFor } from './support/wait.js';

const suffix = randomBytes(4).toString('hex');
const TOPIC = `obs-${suffix}`;
const GROUP = `obs-${suffix}`;
const MERCHANT = 'obs-shop';

let db: TestDatabase;
let jaeger: Jaeger;
let ingest: Service;
let relay: Service;
let aggregator: Service;

function env(service: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: inject('kafkaBrokers'),
    KAFKA_TOPIC: TOPIC,
    KAFKA_DLQ_TOPIC: `${TOPIC}.dlq`,
    KAFKA_CONSUMER_GROUP: GROUP,
    KAFKA_TOPIC_PARTITIONS: '2',
    AUTH_MODE: 'none',
    OTEL_SERVICE_NAME: `catcast-${service}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
    // Export quickly so the test does not wait for the default 5 s batch delay.
    OTEL_BSP_SCHEDULE_DELAY: '200',
    AGGREGATION_LAG_REFRESH_SECONDS: '1',
    RELAY_POLL_INTERVAL_MS: '200',
  };
}

async function send(method: string, pathname: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${await ingest.port}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function order(externalOrderId: string) {
  return {
    merchantId: MERCHANT,
    externalOrderId,
    placedAt: new Date(Date.now() - 60_000).toISOString(),
    currency: 'EUR',
    items: [{ productId: 'obs-p1', quantity: 2, unitPrice: '12.50' }],
  };
}

async function processed(eventIds: readonly string[]): Promise<boolean> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM forecasting.processed_events WHERE event_id = ANY ($1::uuid[])`,
    [eventIds],
  );
  return rows[0]!.n === eventIds.length;
}

async function eventIdsOf(orderIds: readonly string[]): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    `SELECT id FROM ingestion.order_events WHERE order_id = ANY ($1::uuid[])`,
    [orderIds],
  );
  return rows.map((r) => r.id);
}

function dump(): string {
  return [ingest, relay, aggregator].map((s) => `--- ${s.name}\n${s.log.slice(-30).join('\n')}`).join('\n');
}

beforeAll(async () => {
  [db, jaeger] = await Promise.all([createTestDatabase('obs'), startJaeger()]);
  ingest = startService('ingest', env('ingest'));
  relay = startService('relay', env('relay'));
  aggregator = startService('aggregator', env('aggregator'));
  await Promise.all([ingest.port, relay.port, aggregator.port]);
  await send('PUT', `/v1/merchants/${MERCHANT}`, { name: 'Observed', currency: 'EUR', timezone: 'UTC' });
  await send('PUT', `/v1/merchants/${MERCHANT}/categories/obs-c1`, { name: 'Things' });
  await send('PUT', `/v1/merchants/${MERCHANT}/products/obs-p1`, { name: 'Thing', categoryId: 'obs-c1' });
}, 20 * 60_000);

afterAll(async () => {
  const codes = await Promise.all([ingest, relay, aggregator].map((s) => s?.stop()));
  await jaeger?.stop();
  await db?.drop();
  // Every binary drains and exits cleanly on SIGTERM (before the test's SIGKILL fallback).
  expect(codes).toEqual([0, 0, 0]);
});

describe('one trace from the HTTP order to the aggregate, in Jaeger', () => {
  it('holds the ingest request, its INSERT, the relay publish and the aggregator processing of that very event', async () => {
    // The caller's own trace context: proves the spans below belong to this request and no other.
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const created = await send('POST', '/v1/orders', order(`trace-${suffix}`), {
      traceparent: `00-${traceId}-${callerSpan}-01`,
    });
    const orderId = String(created.id);
    const [eventId] = await eventIdsOf([orderId]);
    expect(eventId).toBeDefined();

    // The outbox row carries the request's context (same trace).
    const { rows } = await db.pool.query<{ traceparent: string }>(
      `SELECT traceparent FROM ingestion.order_events WHERE id = $1`,
      [eventId],
    );
    expect(rows[0]?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const storedSpanId = rows[0]!.traceparent.split('-')[2];

    await waitFor('the event to be applied', () => processed([eventId!]), { timeoutMs: 60_000 });

    const find = (spans: JaegerSpan[]) => {
      const server = spans.find(
        (s) =>
          s.service === 'catcast-ingest' &&
          tag(s, 'span.kind') === 'server' &&
          s.operationName === 'POST /v1/orders',
      );
      const insert = spans.find(
        (s) =>
          s.service === 'catcast-ingest' &&
          (tag(s, 'db.system.name') ?? tag(s, 'db.system')) === 'postgresql' &&
          /INSERT INTO ingestion\.order_events/i.test(
            JSON.stringify(tag(s, 'db.statement') ?? tag(s, 'db.query.text') ?? ''),
          ),
      );
      const publish = spans.find(
        (s) =>
          s.service === 'catcast-relay' &&
          s.operationName === `create ${TOPIC}` &&
          tag(s, 'messaging.message.id') === eventId,
      );
      const wait = spans.find((s) => s.service === 'catcast-relay' && s.operationName === 'outbox wait');
      const processing = spans.find(
        (s) =>
          s.service === 'catcast-aggregator' &&
          s.operationName === `aggregate ${TOPIC}` &&
          tag(s, 'messaging.message.id') === eventId,
      );
      return server && insert && publish && wait && processing
        ? { server, insert, publish, wait, processing }
        : undefined;
    };
    let last: JaegerSpan[] = [];
    const spans = await waitFor(
      'Jaeger to hold the whole trace',
      async () => find((last = await getTrace(jaeger, traceId))),
      { timeoutMs: 60_000, intervalMs: 500 },
    ).catch((err: unknown) => {
      throw new Error(
        `trace ${traceId} incomplete; spans: ${JSON.stringify(last.map((s) => [s.service, s.operationName]))}\n${dump()}`,
        { cause: err },
      );
    });
    const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID;

    // ingest: the HTTP server span continues the caller; the outbox INSERT runs inside it.
    expect(parentOf(spans.server)).toBe(callerSpan);
    expect(tag(spans.server, 'http.route')).toBe('/v1/orders');
    expect(spans.server.spanID).toBe(storedSpanId);
    const byId = new Map(last.map((s) => [s.spanID, s]));
    let up: JaegerSpan | undefined = spans.insert;
    while (up && up.spanID !== spans.server.spanID) up = byId.get(parentOf(up) ?? '');
    expect(up, 'the INSERT span descends from the request span').toBeDefined();
    // relay: the event's create span is a child of the stored context; the wait shows the outbox time.
    expect(parentOf(spans.publish)).toBe(storedSpanId);
    expect(parentOf(spans.wait)).toBe(storedSpanId);
    expect(tag(spans.publish, 'span.kind')).toBe('producer');
    // aggregator: the processing of this event is a child of the create span carried in the message.
    expect(parentOf(spans.processing)).toBe(spans.publish.spanID);
    expect(tag(spans.processing, 'span.kind')).toBe('consumer');
    expect(tag(spans.processing, 'messaging.kafka.offset')).toMatch(/^\d+$/);
    // ...and links to its batch span, in the batch's own trace, which holds the transaction's SQL.
    const link = spans.processing.references.find((r) => r.refType === 'FOLLOWS_FROM');
    expect(link).toBeDefined();
    const batchTrace = await waitFor('the batch trace', async () => {
      const t = await getTrace(jaeger, link!.traceID);
      return t.some((s) => s.spanID === link!.spanID) ? t : undefined;
    });
    const batch = batchTrace.find((s) => s.spanID === link!.spanID)!;
    expect(batch.operationName).toBe(`aggregate ${TOPIC} batch`);
    expect(
      batchTrace.some((s) => parentOf(s) === batch.spanID && tag(s, 'db.system.name') === 'postgresql'),
    ).toBe(true);
    // The batch span lists every event it processed as a link, this order's create span among them.
    expect(
      batch.references.some((r) => r.refType === 'FOLLOWS_FROM' && r.spanID === spans.publish.spanID),
    ).toBe(true);
  });
});

describe('lag, backlog and freshness metrics while a stage is paused', () => {
  it('outbox backlog and age rise while the relay is stopped, and fall after it resumes', async () => {
    relay.child.kill('SIGSTOP');
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push(String((await send('POST', '/v1/orders', order(`relay-${suffix}-${i}`))).id));
      // ingest exports the outbox gauges too: the paused relay cannot answer a scrape.
      await waitFor('ingest to report the backlog', async () => {
        const m = await ingest.metrics();
        return (
          (sample(m, 'catcast_outbox_backlog') ?? 0) >= 5 &&
          (sample(m, 'catcast_outbox_oldest_age_seconds') ?? 0) >= 1
        );
      });
      const before = sample(await aggregator.metrics(), 'catcast_aggregation_freshness_seconds') ?? 0;
      await waitFor('freshness to grow while nothing is applied', async () => {
        return (
          (sample(await aggregator.metrics(), 'catcast_aggregation_freshness_seconds') ?? 0) >= before + 1
        );
      });
      relay.child.kill('SIGCONT');
      await waitFor('the backlog to drain', async () => {
        const m = await ingest.metrics();
        return (
          sample(m, 'catcast_outbox_backlog') === 0 && sample(m, 'catcast_outbox_oldest_age_seconds') === 0
        );
      });
      expect(sample(await relay.metrics(), 'catcast_outbox_backlog')).toBe(0);
      await waitFor('the paused orders to be applied', async () => processed(await eventIdsOf(ids)));
      // A fresh order goes straight through: freshness falls back to seconds.
      await send('POST', '/v1/orders', order(`relay-${suffix}-fresh`));
      await waitFor('freshness to fall', async () => {
        const f = sample(await aggregator.metrics(), 'catcast_aggregation_freshness_seconds');
        return f !== undefined && f < 5;
      });
    } finally {
      relay.child.kill('SIGCONT');
    }
  });

  it('consumer lag rises while the aggregator is stopped (SIGSTOP), and falls after SIGCONT', async () => {
    await waitFor(
      'no lag to begin with',
      async () => sample(await relay.metrics(), 'catcast_consumer_lag{partition="total"}') === 0,
    );
    aggregator.child.kill('SIGSTOP');
    const ids: string[] = [];
    try {
      for (let i = 0; i < 6; i++)
        ids.push(String((await send('POST', '/v1/orders', order(`agg-${suffix}-${i}`))).id));
      // The relay reads the group's committed offsets from Kafka: visible while the aggregator is frozen.
      await waitFor('the relay to report the lag', async () => {
        const m = await relay.metrics();
        const total = sample(m, 'catcast_consumer_lag{partition="total"}') ?? 0;
        const parts = [0, 1].map((p) => sample(m, `catcast_consumer_lag{partition="${p}"}`) ?? 0);
        return total >= 6 && parts[0]! + parts[1]! === total;
      });
    } finally {
      aggregator.child.kill('SIGCONT');
    }
    await waitFor('the aggregator to catch up', async () => processed(await eventIdsOf(ids)), {
      timeoutMs: 90_000,
    });
    await waitFor(
      'the lag to fall to zero',
      async () => {
        const seenByRelay = sample(await relay.metrics(), 'catcast_consumer_lag{partition="total"}');
        const seenByAggregator = sample(
          await aggregator.metrics(),
          'catcast_consumer_lag{partition="total"}',
        );
        return seenByRelay === 0 && seenByAggregator === 0;
      },
      { timeoutMs: 90_000 },
    );
    const m = await aggregator.metrics();
    expect(sample(m, 'catcast_events_applied_total')).toBeGreaterThanOrEqual(13);
    expect(sample(m, 'catcast_db_pool_connections{pool="primary",state="total"}')).toBeGreaterThan(0);
  });
});
