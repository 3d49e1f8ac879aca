import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../events/index.js';
import { createLogger } from '../log/index.js';
import { contextFromTraceparent, currentTraceparent, logTraceFields } from './context.js';
import { defaultServiceName, telemetryDecision } from './env.js';
import { traceConsumedBatch, traceOutboxBatch, tracePublish } from './messaging.js';
import { shutdownTelemetry, telemetryStarted } from './shutdown.js';
import { installTestTracing } from './testing.js';

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('telemetryDecision', () => {
  it.each([
    [{}, false, 'no OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, true, 'exporting traces (otlp) to http://c:4318'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, true, undefined],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' },
      false,
      'OTEL_SDK_DISABLED=true',
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, false, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' }, true, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, false, undefined],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true, undefined],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false, undefined],
  ])('%j -> enabled %s', (env, enabled, reason) => {
    const d = telemetryDecision(env);
    expect(d.enabled).toBe(enabled);
    if (reason) expect(d.reason).toBe(reason);
  });
});

describe('defaultServiceName', () => {
  it.each([
    ['/app/dist/cmd/relay/main.js', 'catcast-relay'],
    ['/work/main/cmd/forecast-job/main.ts', 'catcast-forecast-job'],
    ['/tmp/other.js', 'catcast'],
    [undefined, 'catcast'],
  ])('%s -> %s', (main, name) => expect(defaultServiceName(main)).toBe(name));
});

describe('without a started SDK', () => {
  it('adds nothing and changes nothing', async () => {
    expect(telemetryStarted()).toBe(false);
    expect(currentTraceparent()).toBeUndefined();
    expect(logTraceFields()).toEqual({});
    const messages = [{ key: 'm', value: Buffer.from('{}'), headers: { traceparent: TP } }];
    const t = traceOutboxBatch('order-events', [
      { id: 'e1', partition_key: 'm', traceparent: TP, created_at: new Date() },
    ]);
    expect(t.inject(messages)).toEqual(messages);
    expect(await tracePublish('order-events', messages, () => Promise.resolve(7))).toBe(7);
    await shutdownTelemetry();
  });
});

describe('with tracing', () => {
  let tracing: ReturnType<typeof installTestTracing>;
  beforeEach(() => (tracing = installTestTracing()));
  afterEach(() => tracing.uninstall());

  it('writes trace_id and span_id on log lines inside a span, and none outside', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 't', destination });
    logger.info({ headers: { authorization: 'Bearer secret' } }, 'outside');
    trace.getTracer('t').startActiveSpan('s', (span) => {
      logger.info('inside');
      span.end();
    });
    const [outside, inside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(outside).not.toHaveProperty('trace_id');
    expect(JSON.stringify(outside)).not.toContain('secret');
    expect(inside?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(inside?.span_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('round-trips a traceparent', () => {
    trace.getTracer('t').startActiveSpan('s', (span) => {
      const tp = currentTraceparent();
      expect(tp).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      expect(trace.getSpanContext(contextFromTraceparent(tp)!)?.traceId).toBe(span.spanContext().traceId);
      span.end();
    });
    expect(contextFromTraceparent('garbage')).toBeUndefined();
    expect(contextFromTraceparent(null)).toBeUndefined();
  });

  it('relay: each event continues its stored context and carries its own create span downstream', async () => {
    const created = new Date(Date.now() - 2000);
    const rows = [
      { id: 'e1', partition_key: 'm1', traceparent: TP, created_at: created },
      { id: 'e2', partition_key: 'm2', traceparent: null, created_at: created },
    ];
    const t = traceOutboxBatch('order-events', rows);
    const out = t.inject(rows.map((r) => ({ key: r.partition_key, value: Buffer.alloc(0), headers: {} })));
    await t.run(() => tracePublish('order-events', out, () => Promise.resolve()));
    t.end();
    const spans = tracing.exporter.getFinishedSpans();
    const create1 = spans.find(
      (s) => s.name === 'create order-events' && s.attributes['messaging.message.id'] === 'e1',
    );
    expect(create1?.spanContext().traceId).toBe(TP.split('-')[1]);
    expect(create1?.parentSpanContext?.spanId).toBe(TP.split('-')[2]);
    expect(create1?.kind).toBe(SpanKind.PRODUCER);
    expect(create1?.attributes['catcast.outbox.wait_seconds']).toBeGreaterThanOrEqual(2);
    expect(out[0]?.headers.traceparent).toBe(
      `00-${create1?.spanContext().traceId}-${create1?.spanContext().spanId}-01`,
    );
    const wait = spans.find((s) => s.name === 'outbox wait');
    expect(wait?.parentSpanContext?.spanId).toBe(TP.split('-')[2]);
    // A row without a stored context still gets a traceparent (from the batch's trace).
    expect(out[1]?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const send = spans.find((s) => s.name === 'send order-events');
    const batch = spans.find((s) => s.name === 'publish order-events');
    expect(send?.parentSpanContext?.spanId).toBe(batch?.spanContext().spanId);
    expect(send?.links.map((l) => l.context.spanId)).toContain(create1?.spanContext().spanId);
  });

  it('aggregator: the per-event span is a child of the message context and links to the batch', async () => {
    const message = (offset: string, headers: Record<string, string>): IncomingMessage => ({
      topic: 'order-events',
      partition: 3,
      offset,
      key: 'm1',
      value: Buffer.alloc(0),
      headers,
      timestamp: Date.now(),
    });
    const batch = [message('10', { traceparent: TP, ce_id: 'e1' }), message('11', { ce_id: 'e2' })];
    const t = traceConsumedBatch('order-events', batch);
    await t.run(() => Promise.resolve());
    t.deadLettered(batch[0]!, 'unknown merchant m1');
    t.end();
    const spans = tracing.exporter.getFinishedSpans();
    const processBatch = spans.find((s) => s.name === 'aggregate order-events batch');
    const agg = spans.filter((s) => s.name === 'aggregate order-events');
    expect(agg).toHaveLength(1);
    expect(agg[0]?.spanContext().traceId).toBe(TP.split('-')[1]);
    expect(agg[0]?.parentSpanContext?.spanId).toBe(TP.split('-')[2]);
    expect(agg[0]?.attributes).toMatchObject({
      'messaging.message.id': 'e1',
      'messaging.kafka.offset': '10',
      'catcast.outcome': 'dead_lettered',
    });
    expect(agg[0]?.links[0]?.context.spanId).toBe(processBatch?.spanContext().spanId);
    expect(processBatch?.links.map((l) => l.context.traceId)).toEqual([TP.split('-')[1]]);
  });

  it('marks every span failed when the batch fails', () => {
    const t = traceOutboxBatch('order-events', [
      { id: 'e1', partition_key: 'm', traceparent: TP, created_at: new Date() },
    ]);
    t.end(new Error('broker down'));
    const failed = tracing.exporter.getFinishedSpans().filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed.map((s) => s.name).sort()).toEqual(['create order-events', 'publish order-events']);
  });
});
