/**
 * A policy network as a TensorFlow.js Layers model (`model.json` + `weights.bin`, the files tfjs's own
 * savers write), built from standard layers only so that `tf.loadLayersModel` needs no custom class:
 *
 *   input (flat observation) → [observation transform] → [Nature CNN trunk] → MLP → [output affine]
 *
 * - Observation transform z = clip((x − μ)/√(σ² + ε), −c, c) per dimension (Gymnasium's
 *   NormalizeObservation, then CleanRL's observation clip). The normalisation is a BatchNormalization
 *   layer in inference mode (no γ, β): moving mean μ, moving variance σ², epsilon ε, which is the very
 *   formula. The clip is
 *     clip(z) = z + (−relu(z − c)) + relu(−z − c)        (one Add layer of three branches)
 *   with the shifts z − c, −z − c and the negation as BatchNormalization layers used as per-dimension
 *   affine maps (variance 1, epsilon 0, γ = ±1). It is exactly z when |z| ≤ c (both relus are exact
 *   zeros), c above and −c below. Every layer holds O(d) numbers, so wide (pixel) observations cost
 *   nothing.
 * - The Nature CNN trunk (C × 84 × 84 frames, flattened channel-first as the env gives them): Reshape →
 *   Permute to channels-last → 3 × Conv2D(relu) with the 1/255 input scaling folded into the first
 *   kernel → Permute back to channel-first → Flatten (PyTorch's order) → Dense(512, relu).
 * - The MLP: Dense layers, the hidden activation between them (leaky ReLU as a LeakyReLU(0.01) layer),
 *   the given output activation after the last.
 * - Output affine y·scale + shift per output (an off-policy actor's [−1, 1] actions onto the action
 *   bounds), again a BatchNormalization layer (γ = scale, β = shift, mean 0, variance 1, epsilon 0).
 *
 * Dense and Conv2D kernels are [in, out] / [k, k, in, out], the layout of pgvar's own weights, so they
 * copy over untransposed. Nothing here knows about environments or runs (experiment/export-tfjs.ts
 * reads those).
 */
import { tf } from './tf.js';
import type { Activation } from './mlp.js';

/** x ↦ clip((x − mean)/√(variance + epsilon), −clip, clip) per input dimension (no normalisation when `mean` is absent, no clip when `clip` is 0). */
export interface InputTransform {
  mean?: ArrayLike<number>;
  variance?: ArrayLike<number>;
  epsilon?: number;
  clip: number;
}

/** Parameters of the Nature CNN trunk, as nets/actor-critic.ts holds them: [K1, b1, K2, b2, K3, b3, Wfc, bfc]. */
export interface NatureCnnSpec {
  channels: number;
  params: { shape: number[]; values: Float32Array }[];
}

export interface PolicyModelSpec {
  /** Width of the flat observation the model takes. */
  inputDim: number;
  inputTransform?: InputTransform;
  natureCnn?: NatureCnnSpec;
  /** The MLP's layer widths [in, …hidden, out] and parameters [W0 (in × out, row-major), b0, W1, b1, …]. */
  mlp: { sizes: number[]; activation: Activation; params: Float32Array[] };
  outputActivation: 'linear' | 'tanh';
  outputAffine?: { scale: ArrayLike<number>; shift: ArrayLike<number> };
  name?: string;
}

type Sym = tf.SymbolicTensor;

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

/** Applies `layer` to `x`, then sets its weights (tfjs builds a layer's weights on its first call). */
function apply(layer: tf.layers.Layer, x: Sym | Sym[], weights?: { shape: number[]; values: Float32Array }[]): Sym {
  const y = layer.apply(x) as Sym;
  if (weights) {
    const have = layer.getWeights().map((w) => w.shape.join('x'));
    const want = weights.map((w) => w.shape.join('x'));
    if (have.join(',') !== want.join(',')) throw new Error(`layer ${layer.name}: weights of shapes [${want.join('; ')}] given, it has [${have.join('; ')}]`);
    weights.forEach((w) => {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.values.length !== n) throw new Error(`layer ${layer.name}: ${w.values.length} values for shape [${w.shape}]`);
    });
    const ts = weights.map((w) => tf.tensor(w.values, w.shape));
    layer.setWeights(ts);
    tf.dispose(ts);
  }
  return y;
}

/**
 * A per-dimension affine map (x − mean)·gamma/√(variance + epsilon) + beta as an inference-mode
 * BatchNormalization layer (gamma, beta present only when given).
 */
function affine(x: Sym, name: string, p: { mean: ArrayLike<number>; variance: ArrayLike<number>; epsilon: number; gamma?: ArrayLike<number>; beta?: ArrayLike<number> }): Sym {
  const d = p.mean.length;
  const layer = tf.layers.batchNormalization({ axis: -1, epsilon: p.epsilon, center: !!p.beta, scale: !!p.gamma, trainable: false, name });
  const w = [...(p.gamma ? [f32(p.gamma)] : []), ...(p.beta ? [f32(p.beta)] : []), f32(p.mean), f32(p.variance)];
  return apply(layer, x, w.map((values) => ({ shape: [d], values })));
}

/** The observation transform, see the file comment. */
function inputTransform(x: Sym, d: number, t: InputTransform): Sym {
  let z = x;
  if (t.mean) {
    if (t.mean.length !== d || t.variance?.length !== d) throw new Error(`input transform: mean and variance need ${d} values, got ${t.mean.length} and ${t.variance?.length}`);
    z = affine(x, 'obs_normalize', { mean: t.mean, variance: t.variance, epsilon: t.epsilon ?? 0 });
  }
  const c = t.clip;
  if (!(c > 0)) return z;
  const ones = new Float32Array(d).fill(1);
  const above = tf.layers.reLU({ name: 'obs_clip_above' }).apply(affine(z, 'obs_clip_minus_c', { mean: new Float32Array(d).fill(c), variance: ones, epsilon: 0 })) as Sym;
  const below = tf.layers.reLU({ name: 'obs_clip_below' }).apply(affine(z, 'obs_clip_neg_minus_c', { mean: new Float32Array(d).fill(-c), variance: ones, epsilon: 0, gamma: new Float32Array(d).fill(-1) })) as Sym;
  const minusAbove = affine(above, 'obs_clip_negate', { mean: new Float32Array(d), variance: ones, epsilon: 0, gamma: new Float32Array(d).fill(-1) });
  return tf.layers.add({ name: 'obs_clip' }).apply([z, minusAbove, below]) as Sym;
}

function natureCnn(x: Sym, inputDim: number, cnn: NatureCnnSpec): Sym {
  const C = cnn.channels;
  if (inputDim !== C * 84 * 84) throw new Error(`nature-cnn: input of ${inputDim} values is not ${C} × 84 × 84`);
  if (cnn.params.length !== 8) throw new Error(`nature-cnn: expected 8 parameter tensors, got ${cnn.params.length}`);
  let h = tf.layers.reshape({ targetShape: [C, 84, 84], name: 'frames' }).apply(x) as Sym;
  h = tf.layers.permute({ dims: [2, 3, 1], name: 'channels_last' }).apply(h) as Sym;
  const strides = [4, 2, 1];
  for (let i = 0; i < 3; i++) {
    const K = cnn.params[2 * i]!;
    const layer = tf.layers.conv2d({ filters: K.shape[3]!, kernelSize: K.shape[0]!, strides: strides[i]!, padding: 'valid', dataFormat: 'channelsLast', activation: 'relu', kernelInitializer: 'zeros', biasInitializer: 'zeros', name: `cnn_conv${i}` });
    // the trunk divides the frames by 255 before the first convolution: fold it into the kernel
    h = apply(layer, h, [{ shape: K.shape, values: i === 0 ? K.values.map((v) => v / 255) : K.values }, cnn.params[2 * i + 1]!]);
  }
  h = tf.layers.permute({ dims: [3, 1, 2], name: 'channels_first' }).apply(h) as Sym;
  h = tf.layers.flatten({ name: 'cnn_flatten' }).apply(h) as Sym;
  const W = cnn.params[6]!;
  return apply(tf.layers.dense({ units: W.shape[1]!, activation: 'relu', kernelInitializer: 'zeros', name: 'cnn_fc' }), h, [W, cnn.params[7]!]);
}

/** The policy network as a functional tf.LayersModel (dispose it when done). */
export function buildPolicyModel(spec: PolicyModelSpec): tf.LayersModel {
  const input = tf.input({ shape: [spec.inputDim], name: 'observation' });
  let h: Sym = input;
  let width = spec.inputDim;
  if (spec.inputTransform) h = inputTransform(h, width, spec.inputTransform);
  if (spec.natureCnn) {
    h = natureCnn(h, width, spec.natureCnn);
    width = spec.natureCnn.params[6]!.shape[1]!;
  }
  const { sizes, activation, params } = spec.mlp;
  if (sizes[0] !== width) throw new Error(`mlp: input width ${sizes[0]}, the layers before give ${width}`);
  if (params.length !== 2 * (sizes.length - 1)) throw new Error(`mlp: ${sizes.length - 1} layers need ${2 * (sizes.length - 1)} parameter tensors, got ${params.length}`);
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    const act = last ? spec.outputActivation : activation === 'leaky_relu' ? 'linear' : activation;
    const layer = tf.layers.dense({ units: sizes[i + 1]!, activation: act, kernelInitializer: 'zeros', name: last ? 'actor_out' : `actor_dense${i}` });
    h = apply(layer, h, [
      { shape: [sizes[i]!, sizes[i + 1]!], values: params[2 * i]! },
      { shape: [sizes[i + 1]!], values: params[2 * i + 1]! },
    ]);
    if (!last && activation === 'leaky_relu') h = tf.layers.leakyReLU({ alpha: 0.01, name: `actor_leaky_relu${i}` }).apply(h) as Sym;
  }
  if (spec.outputAffine) {
    const n = sizes[sizes.length - 1]!;
    const { scale, shift } = spec.outputAffine;
    if (scale.length !== n || shift.length !== n) throw new Error(`output affine: scale and shift need ${n} values`);
    h = affine(h, 'action_scale', { mean: new Float32Array(n), variance: new Float32Array(n).fill(1), epsilon: 0, gamma: scale, beta: shift });
  }
  return tf.model({ inputs: input, outputs: h, name: spec.name ?? 'pgvar_policy' });
}

/** The contents of `model.json` (tfjs's ModelJSON) and of the weights file it names. */
export interface LayersModelFiles {
  modelJson: tf.io.ModelJSON;
  weights: Uint8Array;
}

/**
 * `model` serialised as tfjs's own savers do (`tf.io.withSaveHandler`), with `metadata` as its
 * userDefinedMetadata (`model.getUserDefinedMetadata()` after loading); the weights manifest names
 * one file, `weightsFile`, beside model.json.
 */
export async function layersModelFiles(model: tf.LayersModel, metadata: Record<string, unknown>, weightsFile = 'weights.bin'): Promise<LayersModelFiles> {
  model.setUserDefinedMetadata(metadata);
  let files: LayersModelFiles | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      if (!a.weightSpecs || a.weightData === undefined) throw new Error('tfjs saved no weights');
      const data = tf.io.CompositeArrayBuffer.join(a.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: a.modelTopology!,
        format: a.format,
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: a.weightSpecs }],
        ...(a.userDefinedMetadata ? { userDefinedMetadata: a.userDefinedMetadata } : {}),
      };
      files = { modelJson, weights: new Uint8Array(data) };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (!files) throw new Error('tfjs did not call the save handler');
  return files;
}
