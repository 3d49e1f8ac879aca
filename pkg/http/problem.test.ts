import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/index.js';
import { HttpProblem, problemHandler, unavailableWhen, type ErrorClassifier } from './problem.js';

class DownError extends Error {
  readonly code = 'ECONNREFUSED';
}
const isDown = (err: unknown) => err instanceof DownError;

/** An app whose only route throws `err`, answered by the handler with `classifiers`. */
function throwing(err: unknown, classifiers?: readonly ErrorClassifier[]): Hono {
  const app = new Hono();
  app.onError(problemHandler(silentLogger(), classifiers ? { classifiers } : {}));
  app.get('/x', () => {
    throw err;
  });
  return app;
}

describe('problemHandler', () => {
  it.each([
    ['an HttpProblem', new HttpProblem(409, { detail: 'taken' }), 409, 'taken'],
    ['an HTTPException', new HTTPException(413, { message: 'too big' }), 413, 'too big'],
    ['a SyntaxError (malformed JSON)', new SyntaxError('Unexpected token'), 400, 'Unexpected token'],
    ['anything else', new Error('boom'), 500, 'an unexpected error occurred'],
    // Without a classifier, pkg/http knows no dependency: a connection error is unexpected.
    ['an unclassified outage', new DownError('refused'), 500, 'an unexpected error occurred'],
  ])('maps %s to its status', async (_name, err, status, detail) => {
    const res = await throwing(err).request('/x');
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status, detail, instance: '/x', type: 'about:blank' });
  });

  it('answers 503 with Retry-After for an error a classifier recognises, naming the dependency', async () => {
    const res = await throwing(new Error('wrapped', { cause: new DownError('refused') }), [
      unavailableWhen('the database', (e) => e instanceof Error && isDown(e.cause)),
    ]).request('/x');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toMatchObject({
      status: 503,
      title: 'Service Unavailable',
      detail: 'the database is unavailable; retry later',
    });
  });

  it('asks the classifiers in order, and only about errors that are not problems already', async () => {
    const asked: string[] = [];
    const first: ErrorClassifier = () => void asked.push('first');
    const second: ErrorClassifier = (err) => {
      asked.push('second');
      return err instanceof RangeError ? new HttpProblem(422, { detail: 'out of range' }) : undefined;
    };
    const third: ErrorClassifier = () => {
      asked.push('third');
      return new HttpProblem(500);
    };
    const res = await throwing(new RangeError('x'), [first, second, third]).request('/x');
    expect(res.status).toBe(422);
    expect(asked).toEqual(['first', 'second']);
    asked.length = 0;
    const own = await throwing(new HttpProblem(404), [first, second, third]).request('/x');
    expect(own.status).toBe(404);
    expect(asked).toEqual([]);
  });

  it('leaves errors a classifier does not recognise to the next rules', async () => {
    const res = await throwing(new Error('boom'), [unavailableWhen('the database', isDown, 7)]).request('/x');
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    const down = await throwing(new DownError('x'), [unavailableWhen('kafka', isDown, 7)]).request('/x');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('7');
    expect(await down.json()).toMatchObject({ detail: 'kafka is unavailable; retry later' });
  });
});
