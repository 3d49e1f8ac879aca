import { describe, expect, it } from 'vitest';
import { batchStatement, ReadBatcher } from './batch.js';

/** A batcher over fake statements that records what was sent. */
function recording(options: { maxBatch?: number; failMany?: (qs: readonly number[]) => boolean } = {}) {
  const sent: string[] = [];
  const sizes: number[] = [];
  const batcher = new ReadBatcher<number, string>({
    one: (q) => {
      sent.push(`one ${q}`);
      return q < 0 ? Promise.reject(new Error(`bad ${q}`)) : Promise.resolve(`answer ${q}`);
    },
    many: (qs) => {
      sent.push(`many ${qs.join(',')}`);
      return options.failMany?.(qs)
        ? Promise.reject(new Error('batch failed'))
        : Promise.resolve(qs.map((q) => `answer ${q}`));
    },
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    onBatch: (n) => sizes.push(n),
  });
  return { batcher, sent, sizes };
}

describe('ReadBatcher', () => {
  it('sends the reads asked for in one turn of the event loop as one statement, answers in order', async () => {
    const { batcher, sent, sizes } = recording();
    const answers = await Promise.all([1, 2, 3].map((q) => batcher.load(q)));
    expect(answers).toEqual(['answer 1', 'answer 2', 'answer 3']);
    expect(sent).toEqual(['many 1,2,3']);
    expect(sizes).toEqual([3]);
  });

  it('runs a read alone in its turn with the single statement', async () => {
    const { batcher, sent } = recording();
    expect(await batcher.load(7)).toBe('answer 7');
    expect(await batcher.load(8)).toBe('answer 8');
    expect(sent).toEqual(['one 7', 'one 8']);
  });

  it('splits more waiting reads than maxBatch into several statements', async () => {
    const { batcher, sent } = recording({ maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((q) => batcher.load(q)));
    expect(sent).toEqual(['many 1,2', 'many 3,4', 'one 5']);
  });

  it('never batches with maxBatch 1', async () => {
    const { batcher, sent } = recording({ maxBatch: 1 });
    await Promise.all([1, 2].map((q) => batcher.load(q)));
    expect(sent).toEqual(['one 1', 'one 2']);
  });

  it('holds reads while maxInFlight statements run and sends them together when one finishes', async () => {
    const sent: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new ReadBatcher<number, number>({
      one: async (q) => {
        sent.push(`one ${q}`);
        await gate;
        return q;
      },
      many: (qs) => (sent.push(`many ${qs.join(',')}`), Promise.resolve([...qs])),
      maxInFlight: 1,
    });
    const first = batcher.load(1);
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual(['one 1']);
    const later = [2, 3, 4].map((q) => batcher.load(q));
    // Several turns of the event loop pass: nothing more is sent while the first statement runs.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(sent).toEqual(['one 1']);
    expect(batcher.waiting).toBe(3);
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
    expect(sent).toEqual(['one 1', 'many 2,3,4']);
    expect(batcher.inFlight).toBe(0);
  });

  it('runs each read of a failed batch alone, so only the read that fails gets the error', async () => {
    const { batcher, sent } = recording({ failMany: (qs) => qs.some((q) => q < 0) });
    const results = await Promise.allSettled([1, -2, 3].map((q) => batcher.load(q)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'answer 1',
      'bad -2',
      'answer 3',
    ]);
    expect(sent).toEqual(['many 1,-2,3', 'one 1', 'one -2', 'one 3']);
  });

  it('falls back to single reads when a batch answers the wrong number of reads', async () => {
    const sent: string[] = [];
    const batcher = new ReadBatcher<number, number>({
      one: (q) => (sent.push(`one ${q}`), Promise.resolve(q)),
      many: (qs) => (sent.push(`many ${qs.length}`), Promise.resolve(qs.slice(1))),
    });
    expect(await Promise.all([1, 2].map((q) => batcher.load(q)))).toEqual([1, 2]);
    expect(sent).toEqual(['many 2', 'one 1', 'one 2']);
  });
});

describe('batchStatement', () => {
  const params = Array.from({ length: 11 }, (_, i) => ({
    name: `p${i + 1}`,
    type: i === 0 ? 'text' : 'int',
  }));

  it('turns $1..$n into columns of unnested arrays, $10 and $11 not read as $1', () => {
    const sql = batchStatement('SELECT $1::text AS a, $10 + $11 AS b, $2 AS c', params, 'r.a');
    expect(sql).toContain('unnest($1::text[], $2::int[]');
    expect(sql).toContain(
      '$11::int[]) WITH ORDINALITY AS q(p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, i)',
    );
    expect(sql).toContain('SELECT q.p1::text AS a, q.p10 + q.p11 AS b, q.p2 AS c');
    expect(sql).toMatch(/ORDER BY q\.i, r\.a$/);
  });

  it('refuses a statement with more parameters than were named', () => {
    expect(() => batchStatement('SELECT $1, $2', [{ name: 'a', type: 'int' }], '')).toThrow(
      /more parameters/,
    );
  });

  it('refuses a column name that is not a plain identifier', () => {
    expect(() => batchStatement('SELECT $1', [{ name: 'a; DROP', type: 'int' }], '')).toThrow(/bad column/);
    expect(() => batchStatement('SELECT $1', [{ name: 'i', type: 'int' }], '')).toThrow(/bad column/);
  });
});
