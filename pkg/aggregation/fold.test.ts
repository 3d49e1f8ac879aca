import { describe, expect, it } from 'vitest';
import type { IncomingMessage, OrderCreatedV1 } from '../events/index.js';
import { decodeBatch, foldEvents } from './fold.js';

let seq = 0;
function event(overrides: Partial<OrderCreatedV1> = {}): OrderCreatedV1 {
  seq++;
  return {
    eventId: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    eventType: 'order.created',
    schemaVersion: 1,
    occurredAt: '2026-11-18T10:00:00.000Z',
    merchantId: 'm1',
    merchantTimezone: 'UTC',
    merchantWeekStart: 'MONDAY',
    orderId: `10000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    externalOrderId: `o-${seq}`,
    placedAt: '2026-11-18T10:00:00.000Z',
    currency: 'EUR',
    totalMinor: '1000',
    items: [{ productId: 'p1', categoryId: 'c1', quantity: 1, amountMinor: '1000' }],
    ...overrides,
  };
}

function message(value: unknown, offset = 0): IncomingMessage {
  return {
    topic: 'order-events',
    partition: 0,
    offset: String(offset),
    key: 'm1',
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    timestamp: 0,
  };
}

describe('foldEvents bucket keys', () => {
  it.each([
    // placedAt, timezone, weekStart, DAY, WEEK, MONTH, YEAR
    ['2026-11-18T10:00:00Z', 'UTC', 'MONDAY', '2026-11-18', '2026-11-16', '2026-11-01', '2026-01-01'],
    ['2026-11-15T10:00:00Z', 'UTC', 'SUNDAY', '2026-11-15', '2026-11-15', '2026-11-01', '2026-01-01'],
    ['2026-11-15T10:00:00Z', 'UTC', 'MONDAY', '2026-11-15', '2026-11-09', '2026-11-01', '2026-01-01'],
    // 23:30 UTC on New Year's Eve is already next year in Berlin.
    [
      '2026-12-31T23:30:00Z',
      'Europe/Berlin',
      'MONDAY',
      '2027-01-01',
      '2026-12-28',
      '2027-01-01',
      '2027-01-01',
    ],
    // 03:00 UTC on Jan 1st is still the old year in New York.
    [
      '2027-01-01T03:00:00Z',
      'America/New_York',
      'SUNDAY',
      '2026-12-31',
      '2026-12-27',
      '2026-12-01',
      '2026-01-01',
    ],
    // Half-hour offset zone.
    [
      '2026-06-30T19:00:00Z',
      'Asia/Kolkata',
      'MONDAY',
      '2026-07-01',
      '2026-06-29',
      '2026-07-01',
      '2026-01-01',
    ],
  ] as const)('%s in %s (%s)', (placedAt, timezone, weekStart, day, week, month, year) => {
    const fold = foldEvents([event({ placedAt, merchantTimezone: timezone, merchantWeekStart: weekStart })]);
    const starts = Object.fromEntries(fold.deltas.map((d) => [d.bucketType, d.bucketStart]));
    expect(starts).toEqual({ DAY: day, WEEK: week, MONTH: month, YEAR: year });
  });
});

describe('foldEvents sums', () => {
  it.each([
    {
      name: 'two lines of one category count as one order',
      events: [
        event({
          items: [
            { productId: 'p1', categoryId: 'c1', quantity: 2, amountMinor: '500' },
            { productId: 'p2', categoryId: 'c1', quantity: 3, amountMinor: '900' },
          ],
        }),
      ],
      expected: { c1: { total: 1400n, orders: 1, items: 5 } },
    },
    {
      name: 'an order with two categories counts once in each',
      events: [
        event({
          items: [
            { productId: 'p1', categoryId: 'c1', quantity: 1, amountMinor: '100' },
            { productId: 'p2', categoryId: 'c2', quantity: 4, amountMinor: '40' },
          ],
        }),
      ],
      expected: { c1: { total: 100n, orders: 1, items: 1 }, c2: { total: 40n, orders: 1, items: 4 } },
    },
    {
      name: 'two orders add up',
      events: [
        event(),
        event({ items: [{ productId: 'p', categoryId: 'c1', quantity: 7, amountMinor: '1' }] }),
      ],
      expected: { c1: { total: 1001n, orders: 2, items: 8 } },
    },
    {
      name: 'amounts beyond 2^53 stay exact',
      events: [
        event({
          items: [{ productId: 'p', categoryId: 'c1', quantity: 1, amountMinor: '9007199254740993' }],
        }),
        event({
          items: [{ productId: 'p', categoryId: 'c1', quantity: 1, amountMinor: '9007199254740993' }],
        }),
      ],
      expected: { c1: { total: 18014398509481986n, orders: 2, items: 2 } },
    },
  ])('$name', ({ events, expected }) => {
    const fold = foldEvents(events);
    for (const type of ['DAY', 'WEEK', 'MONTH', 'YEAR']) {
      const got = Object.fromEntries(
        fold.deltas
          .filter((d) => d.bucketType === type)
          .map((d) => [d.categoryId, { total: d.totalMinor, orders: d.orderCount, items: d.itemCount }]),
      );
      expect(got).toEqual(expected);
    }
  });

  it('splits days but not months, and keeps rows sorted by key', () => {
    const fold = foldEvents([
      event({ merchantId: 'm2', placedAt: '2026-11-02T10:00:00Z' }),
      event({ placedAt: '2026-11-03T10:00:00Z' }),
      event({ placedAt: '2026-11-02T10:00:00Z' }),
    ]);
    const keys = fold.deltas.map((d) => `${d.merchantId}/${d.bucketType}/${d.bucketStart}/${d.orderCount}`);
    expect(keys).toEqual([
      'm1/DAY/2026-11-02/1',
      'm1/DAY/2026-11-03/1',
      'm1/MONTH/2026-11-01/2',
      'm1/WEEK/2026-11-02/2',
      'm1/YEAR/2026-01-01/2',
      'm2/DAY/2026-11-02/1',
      'm2/MONTH/2026-11-01/1',
      'm2/WEEK/2026-11-02/1',
      'm2/YEAR/2026-01-01/1',
    ]);
    expect(fold.watermarks.map((w) => [w.merchantId, w.eventsApplied])).toEqual([
      ['m1', 2],
      ['m2', 1],
    ]);
  });

  it('keeps the newest event times in watermarks and deltas', () => {
    const fold = foldEvents([
      event({ occurredAt: '2026-11-18T10:00:05Z', placedAt: '2026-11-18T09:00:00Z' }),
      event({ occurredAt: '2026-11-18T10:00:01Z', placedAt: '2026-11-18T09:30:00Z' }),
    ]);
    expect(fold.watermarks[0]!.lastEventCreatedAt.toISOString()).toBe('2026-11-18T10:00:05.000Z');
    expect(fold.watermarks[0]!.lastEventPlacedAt.toISOString()).toBe('2026-11-18T09:30:00.000Z');
    expect(fold.deltas.every((d) => d.lastEventAt.toISOString() === '2026-11-18T10:00:05.000Z')).toBe(true);
  });
});

describe('decodeBatch', () => {
  it('drops duplicate event ids within one batch (case-insensitively)', () => {
    const e = event();
    const upper = { ...e, eventId: e.eventId.toUpperCase() };
    const batch = decodeBatch([message(e, 1), message(e, 2), message(upper, 3)]);
    expect(batch.events).toHaveLength(1);
    expect(batch.inBatchDuplicates).toBe(2);
  });

  it('keeps only the fields the fold reads, and folds them like the full event', () => {
    const e = event();
    const [decoded] = decodeBatch([message(e, 1)]).events;
    expect(Object.keys(decoded!.event).sort()).toEqual(
      [
        'eventId',
        'items',
        'merchantId',
        'merchantTimezone',
        'merchantWeekStart',
        'occurredAt',
        'placedAt',
      ].sort(),
    );
    expect(decoded!.event.items.map((i) => Object.keys(i).sort())).toEqual(
      e.items.map(() => ['amountMinor', 'categoryId', 'quantity']),
    );
    expect(foldEvents([decoded!.event])).toEqual(foldEvents([e]));
  });

  it.each([
    ['not JSON', '{nope', /not valid JSON/],
    ['wrong version', { ...event(), schemaVersion: 2 }, /unsupported schema version 2/],
    ['missing items', { ...event(), items: [] }, /schema violation/],
    ['unknown zone', event({ merchantTimezone: 'Mars/Olympus' }), /not a known IANA zone/],
    [
      'amount beyond bigint',
      event({
        items: [{ productId: 'p', categoryId: 'c', quantity: 1, amountMinor: '9999999999999999999' }],
      }),
      /exceeds the bigint range/,
    ],
  ])('rejects %s with a reason and keeps going', (_name, value, reason) => {
    const good = event();
    const batch = decodeBatch([message(value, 1), message(good, 2)]);
    expect(batch.rejected).toHaveLength(1);
    expect(batch.rejected[0]!.reason).toMatch(reason);
    expect(batch.rejected[0]!.message.offset).toBe('1');
    expect(batch.events.map((e) => e.event.eventId)).toEqual([good.eventId]);
  });

  it('rejects a message without a value', () => {
    const batch = decodeBatch([{ ...message(event()), value: null }]);
    expect(batch.rejected[0]!.reason).toMatch(/no value/);
  });
});
