/**
 * WebAssembly kernels of the small-network engine (AssemblyScript, compiled by `npm run build:wasm`
 * with SIMD). Every kernel works on raw byte offsets into the module's linear memory, which the
 * JavaScript side lays out (nets/engine/arena.ts): there is no allocation here. Matrices are f32,
 * row-major; a dense layer's weight is in × out (the layout of the tfjs variables it mirrors).
 */

/**
 * a·b + c per lane. Built twice by `npm run build:wasm`: with relaxed SIMD (kernels-relaxed.wasm) it is
 * f32x4.relaxed_madd, a fused multiply-add where the CPU has one (one rounding instead of two); without
 * it (kernels.wasm, the fallback) a multiply then an add. Used in the matrix products only: Adam, Polyak
 * and the element-wise kernels keep PyTorch's float32 rounding (tested bit for bit) in both builds.
 */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** First byte the JavaScript allocator may use. */
export function heapBase(): usize {
  return __heap_base;
}

/** y[n×m] = x[n×k] · W[k×m] + b[m]. */
export function denseForward(x: usize, W: usize, b: usize, y: usize, n: i32, k: i32, m: i32): void {
  gemm(x, W, b, y, n, k, m);
}

/** y[n×m] = x[n×k] · W[k×m] (+ b[m] when b ≠ 0), register-blocked over 2 rows × 16 columns. */
function gemm(x: usize, W: usize, b: usize, y: usize, n: i32, k: i32, m: i32): void {
  const rowX = <usize>k << 2;
  const rowW = <usize>m << 2;
  let i = 0;
  // two rows at a time: every weight vector loaded once feeds two accumulators
  for (; i + 2 <= n; i += 2) {
    const x0 = x + <usize>i * rowX;
    const x1 = x0 + rowX;
    const y0 = y + <usize>i * rowW;
    const y1 = y0 + rowW;
    let j = 0;
    for (; j + 16 <= m; j += 16) {
      const bj = b + (<usize>j << 2);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      if (b) {
        a0 = v128.load(bj); a1 = v128.load(bj, 16); a2 = v128.load(bj, 32); a3 = v128.load(bj, 48);
      }
      let c0 = a0, c1 = a1, c2 = a2, c3 = a3;
      let w = W + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const u = f32x4.splat(load<f32>(x0 + (<usize>p << 2)));
        const v = f32x4.splat(load<f32>(x1 + (<usize>p << 2)));
        const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
        a0 = madd(u, w0, a0);
        a1 = madd(u, w1, a1);
        a2 = madd(u, w2, a2);
        a3 = madd(u, w3, a3);
        c0 = madd(v, w0, c0);
        c1 = madd(v, w1, c1);
        c2 = madd(v, w2, c2);
        c3 = madd(v, w3, c3);
        w += rowW;
      }
      const o0 = y0 + (<usize>j << 2);
      const o1 = y1 + (<usize>j << 2);
      v128.store(o0, a0); v128.store(o0, a1, 16); v128.store(o0, a2, 32); v128.store(o0, a3, 48);
      v128.store(o1, c0); v128.store(o1, c1, 16); v128.store(o1, c2, 32); v128.store(o1, c3, 48);
    }
    for (; j + 4 <= m; j += 4) {
      let a = b ? v128.load(b + (<usize>j << 2)) : f32x4.splat(0);
      let c = a;
      let w = W + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const wv = v128.load(w);
        a = madd(f32x4.splat(load<f32>(x0 + (<usize>p << 2))), wv, a);
        c = madd(f32x4.splat(load<f32>(x1 + (<usize>p << 2))), wv, c);
        w += rowW;
      }
      v128.store(y0 + (<usize>j << 2), a);
      v128.store(y1 + (<usize>j << 2), c);
    }
    for (; j < m; j++) {
      let a: f32 = b ? load<f32>(b + (<usize>j << 2)) : 0;
      let c = a;
      let w = W + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        const wv = load<f32>(w);
        a += load<f32>(x0 + (<usize>p << 2)) * wv;
        c += load<f32>(x1 + (<usize>p << 2)) * wv;
        w += rowW;
      }
      store<f32>(y0 + (<usize>j << 2), a);
      store<f32>(y1 + (<usize>j << 2), c);
    }
  }
  for (; i < n; i++) {
    const x0 = x + <usize>i * rowX;
    const y0 = y + <usize>i * rowW;
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      let a = b ? v128.load(b + (<usize>j << 2)) : f32x4.splat(0);
      let w = W + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        a = madd(f32x4.splat(load<f32>(x0 + (<usize>p << 2))), v128.load(w), a);
        w += rowW;
      }
      v128.store(y0 + (<usize>j << 2), a);
    }
    for (; j < m; j++) {
      let a: f32 = b ? load<f32>(b + (<usize>j << 2)) : 0;
      let w = W + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        a += load<f32>(x0 + (<usize>p << 2)) * load<f32>(w);
        w += rowW;
      }
      store<f32>(y0 + (<usize>j << 2), a);
    }
  }
}

/** dst[m×k] = src[k×m]ᵀ. */
export function transpose(src: usize, dst: usize, k: i32, m: i32): void {
  for (let p = 0; p < k; p++) {
    const r = src + ((<usize>p * <usize>m) << 2);
    for (let j = 0; j < m; j++) store<f32>(dst + ((<usize>j * <usize>k + <usize>p) << 2), load<f32>(r + (<usize>j << 2)));
  }
}

/** dx[n×k] = dy[n×m] · Wᵀ (W is k×m): Wᵀ into `scratch` (k·m floats), then the blocked product. */
export function denseBackwardInput(dy: usize, W: usize, dx: usize, n: i32, k: i32, m: i32, scratch: usize): void {
  transpose(W, scratch, k, m);
  gemm(dy, scratch, 0, dx, n, m, k);
}

/**
 * dW[k×m] += x[n×k]ᵀ · dy[n×m];  db[m] += Σᵢ dy[i]. Rows in blocks of 64 (the block of dy stays
 * in cache while every weight row is accumulated), two weight rows × 16 columns in registers.
 */
export function denseBackwardWeight(x: usize, dy: usize, dW: usize, db: usize, n: i32, k: i32, m: i32): void {
  const rowX = <usize>k << 2;
  const rowW = <usize>m << 2;
  for (let i0 = 0; i0 < n; i0 += 64) {
    const i1 = min(n, i0 + 64);
    let p = 0;
    for (; p + 2 <= k; p += 2) {
      const out0 = dW + <usize>p * rowW;
      const out1 = out0 + rowW;
      const xp = x + <usize>i0 * rowX + (<usize>p << 2);
      let j = 0;
      for (; j + 16 <= m; j += 16) {
        const o0 = out0 + (<usize>j << 2);
        const o1 = out1 + (<usize>j << 2);
        let a0 = v128.load(o0), a1 = v128.load(o0, 16), a2 = v128.load(o0, 32), a3 = v128.load(o0, 48);
        let c0 = v128.load(o1), c1 = v128.load(o1, 16), c2 = v128.load(o1, 32), c3 = v128.load(o1, 48);
        let d = dy + <usize>i0 * rowW + (<usize>j << 2);
        let xi = xp;
        for (let i = i0; i < i1; i++) {
          const u = f32x4.splat(load<f32>(xi));
          const v = f32x4.splat(load<f32>(xi, 4));
          const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32), d3 = v128.load(d, 48);
          a0 = madd(u, d0, a0);
          a1 = madd(u, d1, a1);
          a2 = madd(u, d2, a2);
          a3 = madd(u, d3, a3);
          c0 = madd(v, d0, c0);
          c1 = madd(v, d1, c1);
          c2 = madd(v, d2, c2);
          c3 = madd(v, d3, c3);
          d += rowW;
          xi += rowX;
        }
        v128.store(o0, a0); v128.store(o0, a1, 16); v128.store(o0, a2, 32); v128.store(o0, a3, 48);
        v128.store(o1, c0); v128.store(o1, c1, 16); v128.store(o1, c2, 32); v128.store(o1, c3, 48);
      }
      for (; j + 4 <= m; j += 4) {
        const o0 = out0 + (<usize>j << 2);
        const o1 = out1 + (<usize>j << 2);
        let a = v128.load(o0);
        let c = v128.load(o1);
        let d = dy + <usize>i0 * rowW + (<usize>j << 2);
        let xi = xp;
        for (let i = i0; i < i1; i++) {
          const dv = v128.load(d);
          a = madd(f32x4.splat(load<f32>(xi)), dv, a);
          c = madd(f32x4.splat(load<f32>(xi, 4)), dv, c);
          d += rowW;
          xi += rowX;
        }
        v128.store(o0, a);
        v128.store(o1, c);
      }
      for (; j < m; j++) {
        const o0 = out0 + (<usize>j << 2);
        const o1 = out1 + (<usize>j << 2);
        let a = load<f32>(o0);
        let c = load<f32>(o1);
        let d = dy + <usize>i0 * rowW + (<usize>j << 2);
        let xi = xp;
        for (let i = i0; i < i1; i++) {
          const dv = load<f32>(d);
          a += load<f32>(xi) * dv;
          c += load<f32>(xi, 4) * dv;
          d += rowW;
          xi += rowX;
        }
        store<f32>(o0, a);
        store<f32>(o1, c);
      }
    }
    for (; p < k; p++) {
      const out = dW + <usize>p * rowW;
      const xp = x + <usize>i0 * rowX + (<usize>p << 2);
      let j = 0;
      for (; j + 4 <= m; j += 4) {
        const o = out + (<usize>j << 2);
        let a = v128.load(o);
        let d = dy + <usize>i0 * rowW + (<usize>j << 2);
        let xi = xp;
        for (let i = i0; i < i1; i++) {
          a = madd(f32x4.splat(load<f32>(xi)), v128.load(d), a);
          d += rowW;
          xi += rowX;
        }
        v128.store(o, a);
      }
      for (; j < m; j++) {
        const o = out + (<usize>j << 2);
        let a = load<f32>(o);
        let d = dy + <usize>i0 * rowW + (<usize>j << 2);
        let xi = xp;
        for (let i = i0; i < i1; i++) {
          a += load<f32>(xi) * load<f32>(d);
          d += rowW;
          xi += rowX;
        }
        store<f32>(o, a);
      }
    }
  }
  columnSums(dy, db, n, m);
}

/** out[m] += Σᵢ a[i×m]. */
export function columnSums(a: usize, out: usize, n: i32, m: i32): void {
  const rowW = <usize>m << 2;
  let j = 0;
  for (; j + 4 <= m; j += 4) {
    const o = out + (<usize>j << 2);
    let acc = v128.load(o);
    let r = a + (<usize>j << 2);
    for (let i = 0; i < n; i++) {
      acc = f32x4.add(acc, v128.load(r));
      r += rowW;
    }
    v128.store(o, acc);
  }
  for (; j < m; j++) {
    const o = out + (<usize>j << 2);
    let s = load<f32>(o);
    let r = a + (<usize>j << 2);
    for (let i = 0; i < n; i++) {
      s += load<f32>(r);
      r += rowW;
    }
    store<f32>(o, s);
  }
}

// tanh as an odd rational function x·P(x²)/Q(x²) on |x| ≤ 7.9053 (clamped beyond, where tanh
// is 1 in float32 to within 3 ulp), x itself for |x| < 4e-4: the minimax approximation Eigen uses
// for float tanh. Checked against Math.tanh on a 1e-4 grid over ±12: error ≤ 3.3e-7 (absolute and
// relative), so gradients stay within 1e-6 of tfjs's (test/engine-gradients.test.ts).
const TANH_A1: f32 = 4.89352455891786e-03;
const TANH_A3: f32 = 6.37261928875436e-04;
const TANH_A5: f32 = 1.48572235717979e-05;
const TANH_A7: f32 = 5.12229709037114e-08;
const TANH_A9: f32 = -8.60467152213735e-11;
const TANH_A11: f32 = 2.00018790482477e-13;
const TANH_A13: f32 = -2.76076847742355e-16;
const TANH_B0: f32 = 4.89352518554385e-03;
const TANH_B2: f32 = 2.26843463243900e-03;
const TANH_B4: f32 = 1.18534705686654e-04;
const TANH_B6: f32 = 1.19825839466702e-06;
const TANH_CLAMP: f32 = 7.90531110763549805;
const TANH_TINY: f32 = 0.0004;

@inline function tanhScalar(x: f32): f32 {
  if (Mathf.abs(x) < TANH_TINY) return x;
  const xc = Mathf.min(Mathf.max(x, -TANH_CLAMP), TANH_CLAMP);
  const x2 = xc * xc;
  let p = TANH_A13;
  p = p * x2 + TANH_A11;
  p = p * x2 + TANH_A9;
  p = p * x2 + TANH_A7;
  p = p * x2 + TANH_A5;
  p = p * x2 + TANH_A3;
  p = p * x2 + TANH_A1;
  p = p * xc;
  let q = TANH_B6;
  q = q * x2 + TANH_B4;
  q = q * x2 + TANH_B2;
  q = q * x2 + TANH_B0;
  return p / q;
}

/** In place: z ← tanh(z) (float32, SIMD). */
export function tanhForward(z: usize, len: i32): void {
  const hi = f32x4.splat(TANH_CLAMP);
  const lo = f32x4.splat(-TANH_CLAMP);
  const tiny = f32x4.splat(TANH_TINY);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = z + (<usize>i << 2);
    const x = v128.load(o);
    const xc = f32x4.min(f32x4.max(x, lo), hi);
    const x2 = f32x4.mul(xc, xc);
    let p = f32x4.splat(TANH_A13);
    p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(TANH_A11));
    p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(TANH_A9));
    p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(TANH_A7));
    p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(TANH_A5));
    p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(TANH_A3));
    p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(TANH_A1));
    p = f32x4.mul(p, xc);
    let q = f32x4.splat(TANH_B6);
    q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(TANH_B4));
    q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(TANH_B2));
    q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(TANH_B0));
    v128.store(o, v128.bitselect(x, f32x4.div(p, q), f32x4.lt(f32x4.abs(x), tiny)));
  }
  for (; i < len; i++) {
    const o = z + (<usize>i << 2);
    store<f32>(o, tanhScalar(load<f32>(o)));
  }
}

/** In place on the upstream gradient: d ← d · (1 − y²), y = tanh output. */
export function tanhBackward(y: usize, d: usize, len: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const yv = v128.load(y + o);
    v128.store(d + o, f32x4.mul(v128.load(d + o), f32x4.sub(one, f32x4.mul(yv, yv))));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const yv = load<f32>(y + o);
    store<f32>(d + o, load<f32>(d + o) * (1 - yv * yv));
  }
}

/** In place: z ← z > 0 ? z : slope·z (slope 0: ReLU). */
export function reluForward(z: usize, len: i32, slope: f32): void {
  const zero = f32x4.splat(0);
  const s = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = z + (<usize>i << 2);
    const v = v128.load(o);
    v128.store(o, v128.bitselect(v, f32x4.mul(v, s), f32x4.gt(v, zero)));
  }
  for (; i < len; i++) {
    const o = z + (<usize>i << 2);
    const v = load<f32>(o);
    store<f32>(o, v > 0 ? v : v * slope);
  }
}

/** In place on the upstream gradient: d ← y > 0 ? d : slope·d (y the activation's output, same sign as its input). */
export function reluBackward(y: usize, d: usize, len: i32, slope: f32): void {
  const zero = f32x4.splat(0);
  const s = f32x4.splat(slope);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const dv = v128.load(d + o);
    v128.store(d + o, v128.bitselect(dv, f32x4.mul(dv, s), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const dv = load<f32>(d + o);
    store<f32>(d + o, load<f32>(y + o) > 0 ? dv : dv * slope);
  }
}

/**
 * Layer normalisation over rows of width m, in place on x (n×m), with gain g and bias b:
 * x ← (x − μ)/√(σ² + eps)·g + b. Writes x̂ (the normalised value before gain and bias) to xhat and
 * 1/√(σ² + eps) per row to rstd, which the backward pass needs.
 */
export function layerNormForward(x: usize, g: usize, b: usize, xhat: usize, rstd: usize, n: i32, m: i32, eps: f32): void {
  for (let i = 0; i < n; i++) {
    const r = x + ((<usize>i * <usize>m) << 2);
    const h = xhat + ((<usize>i * <usize>m) << 2);
    let mean: f64 = 0;
    for (let j = 0; j < m; j++) mean += <f64>load<f32>(r + (<usize>j << 2));
    mean /= <f64>m;
    let v: f64 = 0;
    for (let j = 0; j < m; j++) {
      const d = <f64>load<f32>(r + (<usize>j << 2)) - mean;
      v += d * d;
    }
    const rs = <f32>(1.0 / Math.sqrt(v / <f64>m + <f64>eps));
    store<f32>(rstd + (<usize>i << 2), rs);
    for (let j = 0; j < m; j++) {
      const o = <usize>j << 2;
      const xh = (load<f32>(r + o) - <f32>mean) * rs;
      store<f32>(h + o, xh);
      store<f32>(r + o, xh * load<f32>(g + o) + load<f32>(b + o));
    }
  }
}

/**
 * Backward of layerNormForward, in place on the upstream gradient d (n×m): accumulates dg += Σ d·x̂,
 * db += Σ d and turns d into the input gradient rstd·(d·g − mean(d·g) − x̂·mean(d·g·x̂)).
 */
export function layerNormBackward(d: usize, g: usize, xhat: usize, rstd: usize, dg: usize, db: usize, n: i32, m: i32): void {
  for (let i = 0; i < n; i++) {
    const r = d + ((<usize>i * <usize>m) << 2);
    const h = xhat + ((<usize>i * <usize>m) << 2);
    let s1: f64 = 0;
    let s2: f64 = 0;
    for (let j = 0; j < m; j++) {
      const o = <usize>j << 2;
      const dv = load<f32>(r + o);
      const xh = load<f32>(h + o);
      store<f32>(dg + o, load<f32>(dg + o) + dv * xh);
      store<f32>(db + o, load<f32>(db + o) + dv);
      const dgv = <f64>(dv * load<f32>(g + o));
      s1 += dgv;
      s2 += dgv * <f64>xh;
    }
    const m1 = <f32>(s1 / <f64>m);
    const m2 = <f32>(s2 / <f64>m);
    const rs = load<f32>(rstd + (<usize>i << 2));
    for (let j = 0; j < m; j++) {
      const o = <usize>j << 2;
      store<f32>(r + o, rs * (load<f32>(r + o) * load<f32>(g + o) - m1 - load<f32>(h + o) * m2));
    }
  }
}

/** a[i] += b[i] (residual connections: the skip path's gradient). */
export function addInto(a: usize, b: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(a + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(a + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** Σ a[i]² (in f64 over f32 lanes). */
export function sumSquares(a: usize, len: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const v = v128.load(a + (<usize>i << 2));
    const q = f32x4.mul(v, v);
    s += <f64>f32x4.extract_lane(q, 0) + <f64>f32x4.extract_lane(q, 1) + <f64>f32x4.extract_lane(q, 2) + <f64>f32x4.extract_lane(q, 3);
  }
  for (; i < len; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    s += <f64>(v * v);
  }
  return s;
}

/** a[i] ← c·a[i]. */
export function scale(a: usize, len: i32, c: f32): void {
  const cv = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = a + (<usize>i << 2);
    v128.store(o, f32x4.mul(v128.load(o), cv));
  }
  for (; i < len; i++) {
    const o = a + (<usize>i << 2);
    store<f32>(o, load<f32>(o) * c);
  }
}

/**
 * Adam with PyTorch's rule over len contiguous parameters p with gradients g and moments m, v:
 * m ← β1m + (1−β1)g, v ← β2v + (1−β2)g², p ← decay·p − stepSize · m / (√v / bc2Sqrt + eps)
 * with stepSize = lr/(1 − β1ᵗ), bc2Sqrt = √(1 − β2ᵗ) and decay = 1 − lr·λ: AdamW's decoupled
 * weight decay λ applied as PyTorch's AdamW does (p ← p·(1 − lr·λ) before the Adam update). Adam is
 * decay = 1, and p·1 = p exactly, so Adam's results are bit for bit those of the kernel without it.
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, len: i32, stepSize: f32, b1: f32, b2: f32, eps: f32, bc2Sqrt: f32, decay: f32): void {
  const vb1 = f32x4.splat(b1), vb1c = f32x4.splat(1 - b1), vb2 = f32x4.splat(b2), vb2c = f32x4.splat(1 - b2);
  const ve = f32x4.splat(eps), vbc = f32x4.splat(bc2Sqrt), vs = f32x4.splat(stepSize), vd = f32x4.splat(decay);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o);
    const mv = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gv, vb1c));
    const vv = f32x4.add(f32x4.mul(v128.load(v + o), vb2), f32x4.mul(f32x4.mul(gv, gv), vb2c));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc), ve);
    v128.store(p + o, f32x4.sub(f32x4.mul(v128.load(p + o), vd), f32x4.mul(f32x4.div(mv, denom), vs)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const gv = load<f32>(g + o);
    const mv = load<f32>(m + o) * b1 + gv * (1 - b1);
    const vv = load<f32>(v + o) * b2 + gv * gv * (1 - b2);
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, load<f32>(p + o) * decay - (mv / (Mathf.sqrt(vv) / bc2Sqrt + eps)) * stepSize);
  }
}

/** Polyak averaging in place: target[i] ← (1 − τ)·target[i] + τ·src[i] (target networks). */
export function polyak(target: usize, src: usize, len: i32, tau: f32): void {
  const keep = f32x4.splat(1 - tau);
  const take = f32x4.splat(tau);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    v128.store(target + o, f32x4.add(f32x4.mul(v128.load(target + o), keep), f32x4.mul(v128.load(src + o), take)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(target + o, load<f32>(target + o) * (1 - tau) + load<f32>(src + o) * tau);
  }
}
