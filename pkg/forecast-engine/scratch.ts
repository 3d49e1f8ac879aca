/**
 * Reusable typed arrays for temporaries. A Float64Array of more than 8 elements (64 bytes) gets an
 * off-heap backing store, and allocating and later collecting one costs 0.5-1 µs in V8 (measured on
 * Node 20), as much as an ETS recursion over five years of months: scoring `auto` on a monthly series
 * made about 150 of them, a sixth of its time. Temporaries that do not outlive a call use these
 * instead; whatever a call returns or keeps is still its own array.
 */

/**
 * A function returning a Float64Array of at least n elements, the same one until a larger n asks
 * for a new one. Its contents are whatever the last user left: callers fill what they read.
 */
export function scratchF64(): (n: number) => Float64Array {
  let buf = new Float64Array(0);
  return (n) => (buf.length >= n ? buf : (buf = new Float64Array(Math.max(n, 2 * buf.length))));
}
