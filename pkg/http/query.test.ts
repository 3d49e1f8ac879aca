import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLogger } from '../log/index.js';
import { problemHandler, validationProblem } from './problem.js';
import { ValidatedQueries } from './query.js';

const Schema = z.object({
  id: z.string().regex(/^[a-z]+$/, 'must be lower-case letters'),
  n: z.coerce.number().optional(),
});

function appWith(max?: number) {
  let parses = 0;
  const queries = new ValidatedQueries((c) => {
    parses++;
    const r = Schema.safeParse(c.req.query());
    if (!r.success) throw validationProblem(r.error);
    return r.data;
  }, max);
  const app = new Hono();
  app.onError(problemHandler(silentLogger()));
  app.get('/x', (c) => c.json(queries.get(c)));
  return { app, queries, parses: () => parses };
}

describe('ValidatedQueries', () => {
  it('validates a query string once and answers repeats from memory', async () => {
    const { app, parses } = appWith();
    for (let i = 0; i < 3; i++)
      expect(await (await app.request('/x?id=abc&n=2')).json()).toEqual({ id: 'abc', n: 2 });
    expect(parses()).toBe(1);
    expect(await (await app.request('/x?n=2&id=abc')).json()).toEqual({ id: 'abc', n: 2 });
    expect(parses()).toBe(2);
  });

  it.each([
    ['/x?id=ABC', 'id'],
    ['/x', 'id'],
  ])('answers the invalid %s with a 400 naming %s every time, remembering nothing', async (path, field) => {
    const { app, queries, parses } = appWith();
    for (let i = 1; i <= 2; i++) {
      const res = await app.request(path);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const body = (await res.json()) as { errors: { field: string }[] };
      expect(body.errors.map((e) => e.field)).toContain(field);
      expect(parses()).toBe(i);
    }
    expect(queries.size).toBe(0);
  });

  it.each([
    [511, 1],
    [512, 1],
    [513, 0],
  ])('keeps a query string of %i characters: %i entries', async (length, kept) => {
    const { app, queries } = appWith();
    const path = `/x?id=abc&pad=${'p'.repeat(length - 'id=abc&pad='.length)}`;
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(queries.size).toBe(kept);
  });

  it('keeps at most maxEntries queries and freezes what it keeps', async () => {
    const { app, queries, parses } = appWith(2);
    for (const id of ['a', 'b', 'c', 'c', 'a']) await app.request(`/x?id=${id}`);
    expect(queries.size).toBe(2);
    expect(parses()).toBe(4); // a, b, c, then a again (evicted by c)
    const c = { req: { query: () => ({ id: 'zz' }), url: 'http://h/x?id=zz' }, env: undefined };
    const value = new ValidatedQueries(() => ({ id: 'zz' })).get(c as never);
    expect(Object.isFrozen(value)).toBe(true);
  });
});
