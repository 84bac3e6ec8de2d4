/**
 * A 'valid' 2-D convolution (NHWC input, k × k × C × O kernel, stride s dividing both k and the
 * input size) whose forward pass and both gradients are plain `tf.conv2d` calls, so that it
 * differentiates on every tfjs backend and runs on the fast one everywhere: the WebAssembly backend
 * has a fast (XNNPACK) Conv2D kernel but no Conv2DBackpropFilter kernel, and its Conv2DBackpropInput
 * is a slow reference loop (measured for the Nature CNN's second layer at batch 256: forward 49 ms,
 * conv2dTranspose 622 ms).
 *
 * Space-to-depth by s turns a stride-s convolution with a k × k kernel into a stride-1 convolution
 * with an m × m kernel (m = k/s) over s·s·C channels ("blocks"); on blocks
 *   dK_blocks = conv2d(blocksᵀ, dyᵀ)               (batch and channels swapped: the kernel gradient
 *                                                  is a correlation of the input with dy)
 *   dBlocks   = conv2d(pad(dy, m − 1), K_blocks rotated by 180° with in/out channels swapped)
 * and depth-to-space maps both back. No product touches a zero that a dilated dy would insert.
 * `inputGrad: false` skips dX where the input does not depend on parameters (the first layer on
 * observations).
 */
import { tf } from './tf.js';
import { matMul2d } from './matmul.js';

/** [B, H, W, C] → [B, H/s, W/s, s·s·C] (channel order si, sj, c). */
function spaceToDepth(x: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return x;
  const [B, H, W, C] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, H / s, s, W / s, s, C]), [0, 1, 3, 2, 4, 5]), [B, H / s, W / s, s * s * C]);
}

/** The inverse of spaceToDepth. */
function depthToSpace(x: tf.Tensor4D, s: number, C: number): tf.Tensor4D {
  if (s === 1) return x;
  const [B, hb, wb] = x.shape;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, hb, wb, s, s, C]), [0, 1, 3, 2, 4, 5]), [B, hb * s, wb * s, C]);
}

/** Kernel [k, k, C, O] ⇄ block kernel [m, m, s·s·C, O]: Kb[i, j, (si, sj, c), o] = K[i·s + si, j·s + sj, c, o]. */
function kernelBlocks(kernel: tf.Tensor, m: number, s: number, C: number, O: number, to: 'blocks' | 'kernel'): tf.Tensor4D {
  if (s === 1) return kernel as tf.Tensor4D;
  if (to === 'blocks') return tf.reshape(tf.transpose(tf.reshape(kernel, [m, s, m, s, C, O]), [0, 2, 1, 3, 4, 5]), [m, m, s * s * C, O]);
  return tf.reshape(tf.transpose(tf.reshape(kernel, [m, m, s, s, C, O]), [0, 2, 1, 3, 4, 5]), [m * s, m * s, C, O]);
}

function kernelGrad(x: tf.Tensor4D, dy: tf.Tensor4D, k: number, s: number): tf.Tensor4D {
  const C = x.shape[3];
  const O = dy.shape[3];
  const blocks = spaceToDepth(x, s);
  const dKb = tf.conv2d(tf.transpose(blocks, [3, 1, 2, 0]) as tf.Tensor4D, tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D, 1, 'valid');
  return kernelBlocks(tf.transpose(dKb, [1, 2, 0, 3]), k / s, s, C, O, 'kernel');
}

function inputGrad(dy: tf.Tensor4D, kernel: tf.Tensor4D, s: number): tf.Tensor4D {
  const [k, , C, O] = kernel.shape;
  const m = k / s;
  const kb = kernelBlocks(kernel, m, s, C, O, 'blocks');
  const flipped = tf.transpose(tf.reverse(kb, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  const padded = m > 1 ? tf.pad(dy, [[0, 0], [m - 1, m - 1], [m - 1, m - 1], [0, 0]]) : dy;
  return depthToSpace(tf.conv2d(padded, flipped, 1, 'valid'), s, C);
}

function check(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number): void {
  const [, H, W, C] = x.shape;
  const [k, k2, kc] = kernel.shape;
  if (k !== k2 || kc !== C) throw new Error(`conv2dValid: kernel [${kernel.shape.join(', ')}] does not fit input [${x.shape.join(', ')}] (expected [k, k, ${C}, O])`);
  if (k % stride !== 0 || H % stride !== 0 || W % stride !== 0) throw new Error(`conv2dValid: stride ${stride} must divide the kernel size ${k} and the input size ${H}×${W}`);
}

type Grad = Parameters<typeof tf.customGrad>[0];

/** y = conv(x, kernel), stride `stride`, no padding; differentiable in the kernel and (unless inputGrad is false) in x. */
export function conv2dValid(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number, opts: { inputGrad?: boolean } = {}): tf.Tensor4D {
  check(x, kernel, stride);
  const k = kernel.shape[0];
  if (opts.inputGrad === false) {
    const kernelOnly = tf.customGrad(((kr: tf.Tensor4D, save: tf.GradSaveFunc) => {
      save([x]); // kept for the backward pass (a tensor inside variableGrads' scope would be disposed)
      return { value: tf.conv2d(x, kr, stride, 'valid'), gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => [kernelGrad(saved[0] as tf.Tensor4D, dy, k, stride)] };
    }) as unknown as Grad);
    return kernelOnly(kernel) as tf.Tensor4D;
  }
  const both = tf.customGrad(((xi: tf.Tensor4D, kr: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([xi, kr]);
    return {
      value: tf.conv2d(xi, kr, stride, 'valid'),
      gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => [inputGrad(dy, saved[1] as tf.Tensor4D, stride), kernelGrad(saved[0] as tf.Tensor4D, dy, k, stride)],
    };
  }) as unknown as Grad);
  return both(x, kernel) as tf.Tensor4D;
}

/**
 * The same convolution as im2col: space-to-depth by s makes it a stride-1 convolution with an m × m
 * kernel over s·s·C channels, whose m² shifted slices, concatenated, are the patches; one matMul with
 * the rearranged kernel gives y, and tfjs differentiates the slices, concatenation and product by its
 * own rules (the product through matMul2d). This was the Nature CNN's convolution before
 * conv2dValid; its split/pad gradient kernels made a layer's forward + gradients 3.7–6.9× slower
 * (bench/RESULTS.md). The test and `npm run bench -- --only conv` compare with it.
 */
export function conv2dByPatches(x: tf.Tensor4D, kernel: tf.Tensor4D, stride: number): tf.Tensor4D {
  check(x, kernel, stride);
  const [B, H, W, C] = x.shape;
  const [k, , , O] = kernel.shape;
  const s = stride;
  const m = k / s;
  const oh = H / s - m + 1;
  const ow = W / s - m + 1;
  const blocks = spaceToDepth(x, s);
  const cols: tf.Tensor4D[] = [];
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) cols.push(tf.slice(blocks, [0, i, j, 0], [B, oh, ow, s * s * C]));
  const patches = tf.reshape(cols.length === 1 ? cols[0]! : tf.concat(cols, 3), [B * oh * ow, k * k * C]) as tf.Tensor2D;
  const kb = tf.reshape(kernelBlocks(kernel, m, s, C, O, 'blocks'), [k * k * C, O]) as tf.Tensor2D;
  return tf.reshape(matMul2d(patches, kb), [B, oh, ow, O]) as tf.Tensor4D;
}
