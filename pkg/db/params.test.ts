import { describe, expect, it } from 'vitest';
import { statementParams, toColumns } from './params.js';

describe('statementParams', () => {
  it('numbers the parameters in declaration order with their types', () => {
    const p = statementParams({ id: 'uuid', merchantIds: 'text[]', payload: 'jsonb' });
    expect(p.$).toEqual({ id: '$1::uuid', merchantIds: '$2::text[]', payload: '$3::jsonb' });
  });

  it('lays out the values in placeholder order, whatever order they are given in', () => {
    const p = statementParams({ a: 'int', b: 'text', c: 'bigint' });
    expect(p.values({ c: '3', a: 1, b: 'two' })).toEqual([1, 'two', '3']);
  });
});

describe('toColumns', () => {
  it('transposes rows into one array per field', () => {
    expect(
      toColumns(
        ['n', 's'],
        [
          { n: 1, s: 'a' },
          { n: 2, s: 'b' },
        ],
      ),
    ).toEqual({ n: [1, 2], s: ['a', 'b'] });
  });

  it('keeps every named field for no rows', () => {
    expect(toColumns(['n', 's'], [])).toEqual({ n: [], s: [] });
  });
});
