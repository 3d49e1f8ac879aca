import { describe, expect, it } from 'vitest';
import { postmasterGone } from './embedded.js';

describe('postmasterGone', () => {
  it('keeps the pid file of a running postmaster', () => {
    expect(postmasterGone(4242, '4242 (postgres) S 1 4242 4242 0 -1 4194560 ...')).toBe(false);
  });

  it('treats a zombie postmaster (killed, not reaped yet) as gone', () => {
    expect(postmasterGone(4242, '4242 (postgres) Z 1 4242 4242 0 -1 4194564 ...')).toBe(true);
  });

  it('treats a pid reused by another program as gone', () => {
    expect(postmasterGone(4242, '4242 (node) S 1 4242 4242 0 -1 4194560 ...')).toBe(true);
    expect(postmasterGone(4242, '4242 (evil) S (postgres) R 1 ...')).toBe(true);
  });

  it('treats a pid without a /proc entry as gone on Linux', () => {
    expect(postmasterGone(4242, undefined)).toBe(true);
  });
});
