/**
 * Orthogonal initialisation with PyTorch's convention (`nn.init.orthogonal_`): draw a Gaussian
 * (rows = fan_out, cols = fan_in) matrix, transpose if rows < cols, take Q of its QR factorisation
 * with diag(R) made positive, scale by the gain. Gram–Schmidt yields exactly that Q (R's diagonal is
 * positive by construction). Returned in pgvar's [fan_in, fan_out] layout (y = x·W).
 */
import type { Rng } from '../common/rng.js';

export function orthogonal(fanIn: number, fanOut: number, gain: number, rng: Rng): Float32Array {
  const rows = fanOut;
  const cols = fanIn;
  const transpose = rows < cols;
  const m = transpose ? cols : rows; // long side
  const k = transpose ? rows : cols; // short side: number of orthonormal columns
  // columns of an m × k Gaussian matrix
  const q: Float64Array[] = Array.from({ length: k }, () => Float64Array.from({ length: m }, () => rng.normal()));
  for (let j = 0; j < k; j++) {
    const v = q[j]!;
    for (let i = 0; i < j; i++) {
      const u = q[i]!;
      let dot = 0;
      for (let r = 0; r < m; r++) dot += u[r]! * v[r]!;
      for (let r = 0; r < m; r++) v[r] = v[r]! - dot * u[r]!;
    }
    let norm = 0;
    for (let r = 0; r < m; r++) norm += v[r]! * v[r]!;
    norm = Math.sqrt(norm);
    for (let r = 0; r < m; r++) v[r] = v[r]! / norm;
  }
  // Q is m × k with columns q[j]. Torch weight W_t (rows × cols) = transpose ? Qᵀ : Q.
  // Our layout is W = W_tᵀ, shape [fanIn = cols, fanOut = rows].
  const out = new Float32Array(fanIn * fanOut);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const wt = transpose ? q[r]![c]! : q[c]![r]!;
      out[c * fanOut + r] = gain * wt;
    }
  }
  return out;
}
