import { describe, expect, it } from 'vitest';
import { checkSchema, checkValue, forecastTopSpec, topCategoriesSpec, type FieldSpec } from './contract.js';

describe('checkValue', () => {
  const spec: FieldSpec = {
    a: 'string',
    b: '?integer',
    c: 'number|null',
    d: [{ e: 'boolean' }],
    metrics: { x: 'number' },
  };
  it.each<[unknown, string[]]>([
    [{ a: 'x', c: 1.5, d: [{ e: true }], metrics: { x: 1 } }, []],
    [{ a: 'x', b: 2, c: null, d: [], metrics: null }, []],
    [{ c: 1, d: [], metrics: { x: 1 } }, ['$.a: missing']],
    [
      { a: 1, b: 1.5, c: 'no', d: [{ e: 'yes' }], metrics: { x: 1 } },
      [
        '$.a: expected string, got integer',
        '$.b: expected integer, got number',
        '$.c: expected number|null, got string',
        '$.d[0].e: expected boolean, got string',
      ],
    ],
    [{ a: 'x', c: 1, d: {}, metrics: { x: 1 } }, ['$.d: expected an array, got object']],
  ])('%j', (value, problems) => {
    expect(checkValue(value, spec)).toEqual(problems);
  });

  it('accepts a well-formed top-categories response', () => {
    const body = {
      merchantId: 'm',
      currency: 'EUR',
      bucketType: 'WEEK',
      bucketStart: '2026-11-16',
      bucketEnd: '2026-11-23',
      asOf: null,
      freshness: { lastAppliedAt: null, lagSeconds: null, stale: false },
      categories: [
        {
          rank: 1,
          categoryId: 'c',
          name: 'C',
          parentCategoryId: null,
          total: '1.00',
          totalMinor: '100',
          orderCount: 1,
          itemCount: 1,
          share: 1,
          previousTotal: '0.00',
          previousTotalMinor: '0',
        },
      ],
    };
    expect(checkValue(body, topCategoriesSpec)).toEqual([]);
  });
});

describe('checkSchema', () => {
  const doc = {
    components: {
      schemas: {
        Metrics: {
          type: ['object', 'null'],
          properties: {
            mase: { type: ['number', 'null'] },
            wape: { type: 'number', nullable: true },
            smape: { type: 'number' },
          },
          required: ['mase', 'wape', 'smape'],
        },
      },
    },
  };
  const spec: FieldSpec = {
    name: 'string',
    n: '?integer',
    metrics: { mase: 'number|null', wape: 'number|null', smape: 'number|null' },
  };

  it('passes a schema that satisfies the spec', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        n: { type: 'integer' },
        metrics: { $ref: '#/components/schemas/Metrics' },
      },
      required: ['name', 'metrics'],
    };
    expect(checkSchema(doc, schema, spec)).toEqual([]);
  });

  it('names missing, optional-in-schema and mistyped fields', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: ['string', 'null'] }, metrics: { $ref: '#/components/schemas/Metrics' } },
      required: [],
    };
    expect(checkSchema(doc, schema, { ...spec, extra: 'string' })).toEqual([
      '$.name: the UI needs it but the schema does not require it',
      '$.metrics: the UI needs it but the schema does not require it',
      '$.extra: not in the schema',
    ]);
    expect(
      checkSchema(
        doc,
        { type: 'object', properties: { name: { type: 'integer' } }, required: ['name'] },
        { name: 'string' },
      ),
    ).toEqual(['$.name: schema allows integer, the UI accepts string']);
  });

  it('has a spec entry for the forecast ranking', () => {
    expect(Object.keys(forecastTopSpec)).toContain('categories');
  });
});
