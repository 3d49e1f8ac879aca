import { describe, expect, it } from 'vitest';
import { tokenMerchants } from './token.js';

function jwt(claims: object): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}.signature`;
}

describe('tokenMerchants', () => {
  it.each([
    [{ merchant_id: 'sim-toys', scope: 'sales:read' }, ['sim-toys']],
    [{ merchants: ['a', 'b'], scope: 'sales:read forecasts:read' }, ['a', 'b']],
    [{ merchants: ['*'] }, '*'],
    [{ scope: 'admin', merchants: [] }, '*'],
    [{ scp: ['admin'] }, '*'],
    [{ sub: 'x' }, []],
    [{ merchant_id: 'Ünïcode-名前' }, ['Ünïcode-名前']],
  ])('%j -> %j', (claims, expected) => {
    expect(tokenMerchants(jwt(claims))).toEqual(expected);
  });

  it.each(['', 'not-a-jwt', 'a.!!!.c', `a.${Buffer.from('"str"').toString('base64url')}.c`])(
    '%s -> undefined',
    (t) => {
      expect(tokenMerchants(t)).toBeUndefined();
    },
  );
});
