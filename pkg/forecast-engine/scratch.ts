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

/** Bytes of one chunk the arrays of f64 are cut from. */
const CHUNK_BYTES = 64 * 1024;
let chunk = new ArrayBuffer(CHUNK_BYTES);
let used = 0;

/**
 * A new zeroed Float64Array of n elements, like `new Float64Array(n)`, but cut from a shared chunk
 * of memory (a view of it) where it is small: the models' predictions (one per candidate, window and
 * calendar adjustment, about 60 a scored series) then cost a view each instead of a backing store
 * of their own (see above). Every array is its own range of a chunk, never handed out twice; a chunk
 * is freed once none of its arrays is reachable. Large arrays get their own buffer.
 */
export function f64(n: number): Float64Array {
  const bytes = n * 8;
  if (bytes > CHUNK_BYTES / 8) return new Float64Array(n);
  if (used + bytes > CHUNK_BYTES) {
    chunk = new ArrayBuffer(CHUNK_BYTES);
    used = 0;
  }
  const a = new Float64Array(chunk, used, n);
  used += bytes;
  return a;
}

/** A copy of src in an array of f64. */
export function f64Copy(src: Float64Array): Float64Array {
  const a = f64(src.length);
  a.set(src);
  return a;
}
