/**
 * Ordinary least squares computed exactly as ml-regression-multivariate-linear 2.0.4 (on ml-matrix
 * 6.15.1) computes it, without its Matrix objects: the same floating-point operations in the same
 * order, so the same bits. The normal equations X'X b = X'y are solved through the SVD of X'X
 * (inverse(): V diag(1/s) U'); with statistics, each coefficient's t statistic from the residual
 * variance and the diagonal of the pseudo-inverse of X'X (V (diag(1/s) U'), the same SVD, which the
 * library computes twice). The library's constructor, transposes, row copies and second SVD were
 * most of the cost of the monthly trading-day estimate (calendar.ts), which runs twice per scored
 * series. `ols.test.ts` compares every output bit with the library's.
 */

import { scratchF64 } from './scratch.js';

/** Coefficients (in column order, the intercept last) and, with statistics, their t statistics. */
export interface OlsFit {
  readonly weights: Float64Array;
  readonly tStats: Float64Array | null;
}

/**
 * Least squares of y[0..rows) on the p columns of x (row-major, rows x p), plus a column of ones
 * last when `intercept`. The library's `new MultivariateLinearRegression(x, y, { intercept,
 * statistics })` with one output: `weights[j][0]` is weights[j], `tStats[j]` is tStats[j]. Throws
 * where the library throws (statistics on no rows).
 */
export function ols(
  x: ArrayLike<number>,
  rows: number,
  p: number,
  y: ArrayLike<number>,
  intercept: boolean,
  statistics: boolean,
): OlsFit {
  const c = p + (intercept ? 1 : 0);
  const at = (k: number, i: number): number => (i < p ? (x[k * p + i] as number) : 1);
  // xx = X'X and xy = X'y (mmul: each entry a sum from 0 over the rows in order).
  // Square temporaries in reused buffers (scratch.ts); what is returned is the call's own.
  // One pass over the rows adds each row's products to every entry of the upper triangle: each
  // entry is still its sum from 0 over the rows in order, and xx[j][i] (the products x(k, j) x(k, i),
  // the same numbers) the same sum as xx[i][j].
  const xx = olsXx(c * c).fill(0, 0, c * c);
  const xy = new Float64Array(c);
  const row = olsRow(c);
  for (let k = 0; k < rows; k++) {
    for (let i = 0; i < c; i++) row[i] = at(k, i);
    const yk = y[k] as number;
    for (let i = 0; i < c; i++) {
      const vi = row[i] as number;
      xy[i] = (xy[i] as number) + vi * yk;
      for (let j = i; j < c; j++) xx[i * c + j] = (xx[i * c + j] as number) + vi * (row[j] as number);
    }
  }
  for (let i = 0; i < c; i++) for (let j = 0; j < i; j++) xx[i * c + j] = xx[j * c + i] as number;
  const svd = svdSquare(xx, c, true);
  // inverse(): X = V / s (columns with |s| above the threshold), then X U'.
  const threshold = (Number.EPSILON / 2) * c * (svd.s[0] as number);
  const xi = olsXi(c * c).fill(0, 0, c * c);
  for (let i = 0; i < c; i++)
    for (let j = 0; j < c; j++)
      if (Math.abs(svd.s[j] as number) > threshold)
        xi[i * c + j] = (svd.v[i * c + j] as number) / (svd.s[j] as number);
  const inv = olsInv(c * c);
  for (let i = 0; i < c; i++)
    for (let j = 0; j < c; j++) {
      let sum = 0;
      for (let k = 0; k < c; k++) sum += (xi[i * c + k] as number) * (svd.u[j * c + k] as number);
      inv[i * c + j] = sum;
    }
  // beta = (xy' inv)'.
  const weights = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += (xy[k] as number) * (inv[k * c + j] as number);
    weights[j] = s;
  }
  if (!statistics) return { weights, tStats: null };
  if (rows === 0) throw new TypeError('Reduce of empty array with no initial value');
  // Residuals y + (-fitted), the sum of their squares (Math.pow, from the first one), over rows - c.
  let rss = 0;
  for (let k = 0; k < rows; k++) {
    let f = 0;
    for (let i = 0; i < c; i++) f += at(k, i) * (weights[i] as number);
    const sq = Math.pow((y[k] as number) + f * -1, 2);
    rss = k === 0 ? sq : rss + sq;
  }
  const variance = rss / (rows - c);
  // pseudoInverse(xx): the same SVD; s inverted above EPSILON * c * s[0], then V (diag(s) U').
  const cutoff = Number.EPSILON * c * (svd.s[0] as number);
  const si = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    const v = svd.s[i] as number;
    si[i] = Math.abs(v) > cutoff ? 1.0 / v : 0.0;
  }
  const du = olsDu(c * c);
  for (let i = 0; i < c; i++)
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += (i === k ? (si[i] as number) : 0) * (svd.u[j * c + k] as number);
      du[i * c + j] = s;
    }
  const tStats = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += (svd.v[i * c + k] as number) * (du[k * c + i] as number);
    const se = Math.sqrt(s * variance);
    tStats[i] = se === 0 ? 0 : (weights[i] as number) / se;
  }
  return { weights, tStats };
}

const olsXx = scratchF64();
const olsRow = scratchF64();
const olsXi = scratchF64();
const olsInv = scratchF64();
const olsDu = scratchF64();

/** ml-matrix's hypotenuse. */
function hypotenuse(a: number, b: number): number {
  let r = 0;
  if (Math.abs(a) > Math.abs(b)) {
    r = b / a;
    return Math.abs(a) * Math.sqrt(1 + r * r);
  }
  if (b !== 0) {
    r = a / b;
    return Math.abs(b) * Math.sqrt(1 + r * r);
  }
  return 0;
}

/**
 * ml-matrix's SingularValueDecomposition of a square n x n matrix a (row-major), both singular
 * vector sets wanted, transcribed with flat arrays: s (length n), u and v (row-major, n x n; the
 * library's U and V). The working matrix is kept transposed (`at`, as in the library). With `reuse`
 * every array, the returned ones included, is a reused buffer (scratch.ts) valid until the next such
 * call, and may be longer than n or n x n.
 */
export function svdSquare(
  a: ArrayLike<number>,
  n: number,
  reuse = false,
): { s: Float64Array; u: Float64Array; v: Float64Array } {
  const m = n;
  const zeros = (buf: (k: number) => Float64Array, k: number): Float64Array =>
    reuse ? buf(k).fill(0, 0, k) : new Float64Array(k);
  // at = a' (n x m); at(k, i) = at[k * m + i].
  const at = zeros(svdAt, n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) at[j * m + i] = a[i * n + j] as number;
  const nu = Math.min(m, n);
  const ni = Math.min(m + 1, n);
  const s = zeros(svdS, ni);
  // U (nu x m) and V (n x n) are stored transposed during the computation, as in the library.
  const U = zeros(svdU, nu * m);
  const V = zeros(svdV, n * n);
  const e = zeros(svdE, n);
  const work = zeros(svdWork, m);
  const nct = Math.min(m - 1, n);
  const nrt = Math.max(0, Math.min(n - 2, m));
  const mrc = Math.max(nct, nrt);

  for (let k = 0; k < mrc; k++) {
    if (k < nct) {
      s[k] = 0;
      for (let i = k; i < m; i++) s[k] = hypotenuse(s[k] as number, at[k * m + i] as number);
      if (s[k] !== 0) {
        if ((at[k * m + k] as number) < 0) s[k] = -(s[k] as number);
        for (let i = k; i < m; i++) at[k * m + i] = (at[k * m + i] as number) / (s[k] as number);
        at[k * m + k] = (at[k * m + k] as number) + 1;
      }
      s[k] = -(s[k] as number);
    }
    for (let j = k + 1; j < n; j++) {
      if (k < nct && s[k] !== 0) {
        let t = 0;
        for (let i = k; i < m; i++) t += (at[k * m + i] as number) * (at[j * m + i] as number);
        t = -t / (at[k * m + k] as number);
        for (let i = k; i < m; i++) at[j * m + i] = (at[j * m + i] as number) + t * (at[k * m + i] as number);
      }
      e[j] = at[j * m + k] as number;
    }
    if (k < nct) for (let i = k; i < m; i++) U[k * m + i] = at[k * m + i] as number;
    if (k < nrt) {
      e[k] = 0;
      for (let i = k + 1; i < n; i++) e[k] = hypotenuse(e[k] as number, e[i] as number);
      if (e[k] !== 0) {
        if ((e[k + 1] as number) < 0) e[k] = 0 - (e[k] as number);
        for (let i = k + 1; i < n; i++) e[i] = (e[i] as number) / (e[k] as number);
        e[k + 1] = (e[k + 1] as number) + 1;
      }
      e[k] = -(e[k] as number);
      if (k + 1 < m && e[k] !== 0) {
        for (let i = k + 1; i < m; i++) work[i] = 0;
        for (let i = k + 1; i < m; i++)
          for (let j = k + 1; j < n; j++)
            work[i] = (work[i] as number) + (e[j] as number) * (at[j * m + i] as number);
        for (let j = k + 1; j < n; j++) {
          const t = -(e[j] as number) / (e[k + 1] as number);
          for (let i = k + 1; i < m; i++) at[j * m + i] = (at[j * m + i] as number) + t * (work[i] as number);
        }
      }
      for (let i = k + 1; i < n; i++) V[k * n + i] = e[i] as number;
    }
  }

  let p = Math.min(n, m + 1);
  if (nct < n) s[nct] = at[nct * m + nct] as number;
  if (m < p) s[p - 1] = 0;
  if (nrt + 1 < p) e[nrt] = at[(p - 1) * m + nrt] as number;
  e[p - 1] = 0;

  for (let j = nct; j < nu; j++) {
    for (let i = 0; i < m; i++) U[j * m + i] = 0;
    U[j * m + j] = 1;
  }
  for (let k = nct - 1; k >= 0; k--) {
    if (s[k] !== 0) {
      for (let j = k + 1; j < nu; j++) {
        let t = 0;
        for (let i = k; i < m; i++) t += (U[k * m + i] as number) * (U[j * m + i] as number);
        t = -t / (U[k * m + k] as number);
        for (let i = k; i < m; i++) U[j * m + i] = (U[j * m + i] as number) + t * (U[k * m + i] as number);
      }
      for (let i = k; i < m; i++) U[k * m + i] = -(U[k * m + i] as number);
      U[k * m + k] = 1 + (U[k * m + k] as number);
      for (let i = 0; i < k - 1; i++) U[k * m + i] = 0;
    } else {
      for (let i = 0; i < m; i++) U[k * m + i] = 0;
      U[k * m + k] = 1;
    }
  }

  for (let k = n - 1; k >= 0; k--) {
    if (k < nrt && e[k] !== 0) {
      for (let j = k + 1; j < n; j++) {
        let t = 0;
        for (let i = k + 1; i < n; i++) t += (V[k * n + i] as number) * (V[j * n + i] as number);
        t = -t / (V[k * n + k + 1] as number);
        for (let i = k + 1; i < n; i++)
          V[j * n + i] = (V[j * n + i] as number) + t * (V[k * n + i] as number);
      }
    }
    for (let i = 0; i < n; i++) V[k * n + i] = 0;
    V[k * n + k] = 1;
  }

  const pp = p - 1;
  const eps = Number.EPSILON;
  while (p > 0) {
    let k: number;
    let kase: number;
    for (k = p - 2; k >= -1; k--) {
      if (k === -1) break;
      const alpha = Number.MIN_VALUE + eps * Math.abs((s[k] as number) + Math.abs(s[k + 1] as number));
      if (Math.abs(e[k] as number) <= alpha || Number.isNaN(e[k])) {
        e[k] = 0;
        break;
      }
    }
    if (k === p - 2) {
      kase = 4;
    } else {
      let ks: number;
      for (ks = p - 1; ks >= k; ks--) {
        if (ks === k) break;
        const t =
          (ks !== p ? Math.abs(e[ks] as number) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1] as number) : 0);
        if (Math.abs(s[ks] as number) <= eps * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks === k) {
        kase = 3;
      } else if (ks === p - 1) {
        kase = 1;
      } else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    switch (kase) {
      case 1: {
        let f = e[p - 2] as number;
        e[p - 2] = 0;
        for (let j = p - 2; j >= k; j--) {
          let t = hypotenuse(s[j] as number, f);
          const cs = (s[j] as number) / t;
          const sn = f / t;
          s[j] = t;
          if (j !== k) {
            f = -sn * (e[j - 1] as number);
            e[j - 1] = cs * (e[j - 1] as number);
          }
          for (let i = 0; i < n; i++) {
            t = cs * (V[j * n + i] as number) + sn * (V[(p - 1) * n + i] as number);
            V[(p - 1) * n + i] = -sn * (V[j * n + i] as number) + cs * (V[(p - 1) * n + i] as number);
            V[j * n + i] = t;
          }
        }
        break;
      }
      case 2: {
        let f = e[k - 1] as number;
        e[k - 1] = 0;
        for (let j = k; j < p; j++) {
          let t = hypotenuse(s[j] as number, f);
          const cs = (s[j] as number) / t;
          const sn = f / t;
          s[j] = t;
          f = -sn * (e[j] as number);
          e[j] = cs * (e[j] as number);
          for (let i = 0; i < m; i++) {
            t = cs * (U[j * m + i] as number) + sn * (U[(k - 1) * m + i] as number);
            U[(k - 1) * m + i] = -sn * (U[j * m + i] as number) + cs * (U[(k - 1) * m + i] as number);
            U[j * m + i] = t;
          }
        }
        break;
      }
      case 3: {
        const scale = Math.max(
          Math.abs(s[p - 1] as number),
          Math.abs(s[p - 2] as number),
          Math.abs(e[p - 2] as number),
          Math.abs(s[k] as number),
          Math.abs(e[k] as number),
        );
        const sp = (s[p - 1] as number) / scale;
        const spm1 = (s[p - 2] as number) / scale;
        const epm1 = (e[p - 2] as number) / scale;
        const sk = (s[k] as number) / scale;
        const ek = (e[k] as number) / scale;
        const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
        const c = sp * epm1 * (sp * epm1);
        let shift = 0;
        if (b !== 0 || c !== 0) {
          if (b < 0) shift = 0 - Math.sqrt(b * b + c);
          else shift = Math.sqrt(b * b + c);
          shift = c / (b + shift);
        }
        let f = (sk + sp) * (sk - sp) + shift;
        let g = sk * ek;
        for (let j = k; j < p - 1; j++) {
          let t = hypotenuse(f, g);
          if (t === 0) t = Number.MIN_VALUE;
          let cs = f / t;
          let sn = g / t;
          if (j !== k) e[j - 1] = t;
          f = cs * (s[j] as number) + sn * (e[j] as number);
          e[j] = cs * (e[j] as number) - sn * (s[j] as number);
          g = sn * (s[j + 1] as number);
          s[j + 1] = cs * (s[j + 1] as number);
          for (let i = 0; i < n; i++) {
            t = cs * (V[j * n + i] as number) + sn * (V[(j + 1) * n + i] as number);
            V[(j + 1) * n + i] = -sn * (V[j * n + i] as number) + cs * (V[(j + 1) * n + i] as number);
            V[j * n + i] = t;
          }
          t = hypotenuse(f, g);
          if (t === 0) t = Number.MIN_VALUE;
          cs = f / t;
          sn = g / t;
          s[j] = t;
          f = cs * (e[j] as number) + sn * (s[j + 1] as number);
          s[j + 1] = -sn * (e[j] as number) + cs * (s[j + 1] as number);
          g = sn * (e[j + 1] as number);
          e[j + 1] = cs * (e[j + 1] as number);
          if (j < m - 1) {
            for (let i = 0; i < m; i++) {
              t = cs * (U[j * m + i] as number) + sn * (U[(j + 1) * m + i] as number);
              U[(j + 1) * m + i] = -sn * (U[j * m + i] as number) + cs * (U[(j + 1) * m + i] as number);
              U[j * m + i] = t;
            }
          }
        }
        e[p - 2] = f;
        break;
      }
      case 4: {
        if ((s[k] as number) <= 0) {
          s[k] = (s[k] as number) < 0 ? -(s[k] as number) : 0;
          for (let i = 0; i <= pp; i++) V[k * n + i] = -(V[k * n + i] as number);
        }
        while (k < pp) {
          if ((s[k] as number) >= (s[k + 1] as number)) break;
          let t = s[k] as number;
          s[k] = s[k + 1] as number;
          s[k + 1] = t;
          if (k < n - 1) {
            for (let i = 0; i < n; i++) {
              t = V[(k + 1) * n + i] as number;
              V[(k + 1) * n + i] = V[k * n + i] as number;
              V[k * n + i] = t;
            }
          }
          if (k < m - 1) {
            for (let i = 0; i < m; i++) {
              t = U[(k + 1) * m + i] as number;
              U[(k + 1) * m + i] = U[k * m + i] as number;
              U[k * m + i] = t;
            }
          }
          k++;
        }
        p--;
        break;
      }
    }
  }
  // Back to the logical layout (U and V are square here): u(i, j) = U(j, i), v(i, j) = V(j, i).
  const u = zeros(svdUOut, m * m);
  const v = zeros(svdVOut, n * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) u[i * m + j] = U[j * m + i] as number;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[i * n + j] = V[j * n + i] as number;
  return { s, u, v };
}
const svdAt = scratchF64();
const svdS = scratchF64();
const svdU = scratchF64();
const svdV = scratchF64();
const svdE = scratchF64();
const svdWork = scratchF64();
const svdUOut = scratchF64();
const svdVOut = scratchF64();
