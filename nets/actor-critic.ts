/**
 * The PPO agent's networks (CleanRL `Agent`): separate actor and critic MLPs (2×64 tanh by default,
 * details 13/26; the actor's and the critic's widths may differ), orthogonal init with gains √2 / 0.01
 * (policy head) / 1.0 (value head).
 * - Discrete action spaces: categorical policy over logits.
 * - Box action spaces: diagonal Gaussian with a state-independent log-std parameter initialised to 0
 *   (details 23–25); log-probs sum over action dimensions. With `tanhMean` the mean is tanh of the
 *   actor's output (MBMA's released code), otherwise the output itself.
 * All distribution maths lives here so the rollout and the update compute log-probs with the same ops.
 */
import { tf } from './tf.js';
import { UsageError } from '../common/errors.js';
import type { Rng } from '../common/rng.js';
import { flatSize, type Space } from '../envs/spaces.js';
import { conv2dValid } from './conv2d.js';
import { matMul2d } from './matmul.js';
import { createMlp, mlpForward, uniqueName, type Activation, type Mlp } from './mlp.js';
import { orthogonal } from './orthogonal.js';
import { TfMirror } from './engine/tf-mirror.js';
import { LOG_SQRT_2PI, WasmActorCritic } from './engine/wasm-actor-critic.js';

/** Which engine trains and runs the networks: tfjs (the reference, any network) or the wasm engine (MLPs). */
export type Engine = 'tfjs' | 'wasm';

export interface ActorCriticOptions {
  hiddenSizes: number[];
  /** Actor MLP widths (default: hiddenSizes). */
  actorHiddenSizes?: number[];
  /** Critic MLP widths (default: hiddenSizes). */
  criticHiddenSizes?: number[];
  activation: Activation;
  /** Gaussian policies: mean = tanh(actor MLP output), as in MBMA's released code. No effect on categorical policies. */
  tanhMean?: boolean;
  /**
   * 'mlp' (default): separate actor and critic MLPs. 'nature-cnn': a shared trunk for 4 × 84 × 84
   * frames (values 0–255, scaled by 1/255): conv 32×8×8/4, 64×4×4/2, 64×3×3/1, FC 512, ReLU, all
   * orthogonal with gain √2 (PPO detail 21); the actor and critic are linear heads on it.
   */
  network?: 'mlp' | 'nature-cnn';
  /**
   * 'wasm': the MLPs also live on the small-network engine (nets/engine), which then runs the
   * rollout's forward passes and the PPO update; the tfjs variables mirror its parameters after
   * every update (estimators and analysis read them). Default 'tfjs'. The Nature CNN is tfjs only.
   */
  engine?: Engine;
}

/** Throws a UsageError when the network cannot take this observation space (the Nature CNN needs C × 84 × 84 frames). */
export function checkNetworkFits(network: 'mlp' | 'nature-cnn', obsSpace: Space): void {
  if (network !== 'nature-cnn') return;
  const shape = obsSpace.kind === 'box' ? obsSpace.shape : [];
  if (shape.length !== 3 || shape[1] !== 84 || shape[2] !== 84) throw new UsageError(`network 'nature-cnn' needs C × 84 × 84 frame observations, got observation shape [${shape.join(', ')}] (use network 'mlp')`);
}

/** The Nature CNN trunk's parameters: [K1, b1, K2, b2, K3, b3, Wfc, bfc]. */
function natureCnn(inChannels: number, rng: Rng): tf.Variable[] {
  const id = uniqueName('nature_cnn');
  const params: tf.Variable[] = [];
  const convs: [number, number, number][] = [[8, inChannels, 32], [4, 32, 64], [3, 64, 64]];
  convs.forEach(([k, cin, cout], i) => {
    // PyTorch's orthogonal_ on a conv weight flattens it to cout × (cin·k·k); ours is (k·k·cin) × cout
    const w = orthogonal(k * k * cin, cout, Math.SQRT2, rng);
    params.push(tf.tidy(() => tf.variable(tf.tensor4d(w, [k, k, cin, cout]), true, `${id}/conv${i}/K`)));
    params.push(tf.tidy(() => tf.variable(tf.zeros([cout]), true, `${id}/conv${i}/b`)));
  });
  const fc = orthogonal(7 * 7 * 64, 512, Math.SQRT2, rng);
  params.push(tf.tidy(() => tf.variable(tf.tensor2d(fc, [7 * 7 * 64, 512]), true, `${id}/fc/W`)));
  params.push(tf.tidy(() => tf.variable(tf.zeros([512]), true, `${id}/fc/b`)));
  return params;
}

function natureCnnForward(p: tf.Variable[], obs: tf.Tensor2D, c: number): tf.Tensor2D {
  const x = tf.transpose(tf.reshape(tf.div(obs, 255), [-1, c, 84, 84]), [0, 2, 3, 1]) as tf.Tensor4D;
  let h = tf.relu(tf.add(conv2dValid(x, p[0] as tf.Tensor4D, 4, { inputGrad: false }), p[1]!)) as tf.Tensor4D;
  h = tf.relu(tf.add(conv2dValid(h, p[2] as tf.Tensor4D, 2), p[3]!)) as tf.Tensor4D;
  h = tf.relu(tf.add(conv2dValid(h, p[4] as tf.Tensor4D, 1), p[5]!)) as tf.Tensor4D;
  // flatten in channel-first order, as PyTorch's nn.Flatten on NCHW does
  const flat = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [-1, 7 * 7 * 64]);
  return tf.relu(tf.add(matMul2d(flat as tf.Tensor2D, p[6] as tf.Tensor2D), p[7]!)) as tf.Tensor2D;
}

export interface ActResult {
  /** B × actionDim (discrete: the action index as a float). */
  actions: Float32Array;
  logProbs: Float32Array;
  values: Float32Array;
}

export class ActorCritic {
  readonly kind: 'categorical' | 'gaussian';
  readonly obsDim: number;
  /** Width of a stored action row: 1 for discrete, the Box dimension otherwise. */
  readonly actionDim: number;
  /** Number of logits (discrete) or of Gaussian means. */
  readonly outDim: number;
  readonly actor: Mlp;
  readonly critic: Mlp;
  readonly logStd: tf.Variable | null;
  /** The shared Nature CNN trunk (empty for 'mlp'). */
  readonly trunk: tf.Variable[];
  private readonly channels: number;
  /** The wasm engine's copy of the MLPs (null on the tfjs engine); use `engineNet()`, which is never stale. */
  readonly fast: WasmActorCritic | null;
  private readonly mirror: TfMirror | null;

  constructor(obsSpace: Space, actSpace: Space, readonly options: ActorCriticOptions, rng: Rng) {
    this.obsDim = flatSize(obsSpace);
    this.kind = actSpace.kind === 'discrete' ? 'categorical' : 'gaussian';
    this.outDim = actSpace.kind === 'discrete' ? actSpace.n : flatSize(actSpace);
    this.actionDim = actSpace.kind === 'discrete' ? 1 : this.outDim;
    const actorHidden = options.actorHiddenSizes ?? options.hiddenSizes;
    const criticHidden = options.criticHiddenSizes ?? options.hiddenSizes;
    if (options.network === 'nature-cnn') {
      checkNetworkFits('nature-cnn', obsSpace);
      this.channels = (obsSpace as { shape: number[] }).shape[0]!;
      this.trunk = natureCnn(this.channels, rng);
      this.critic = createMlp('critic', [512, 1], 'relu', 1.0, rng);
      this.actor = createMlp('actor', [512, this.outDim], 'relu', 0.01, rng);
    } else {
      this.channels = 0;
      this.trunk = [];
      // CleanRL builds the critic first, then the actor; keep the order so init draws match theirs in kind.
      this.critic = createMlp('critic', [this.obsDim, ...criticHidden, 1], options.activation, 1.0, rng);
      this.actor = createMlp('actor', [this.obsDim, ...actorHidden, this.outDim], options.activation, 0.01, rng);
    }
    this.logStd = this.kind === 'gaussian' ? tf.tidy(() => tf.variable(tf.zeros([1, this.outDim]), true, uniqueName('actor/logstd'))) : null;
    if (options.engine === 'wasm') {
      if (options.network === 'nature-cnn') throw new UsageError("engine 'wasm' runs MLPs only; the Nature CNN needs engine 'tfjs' (or 'auto')");
      const fast = new WasmActorCritic({ kind: this.kind, obsDim: this.obsDim, outDim: this.outDim, actorSizes: this.actor.sizes, criticSizes: this.critic.sizes, activation: options.activation, tanhMean: !!options.tanhMean });
      this.fast = fast;
      this.mirror = new TfMirror(this.allParams, () => fast.store.read('p'), (v) => fast.store.write(v));
    } else {
      this.fast = null;
      this.mirror = null;
    }
  }

  /** The engine's networks, loaded with any tfjs assignment made since the last sync (null on tfjs). */
  engineNet(): WasmActorCritic | null {
    this.mirror?.fresh();
    return this.fast;
  }

  get engine(): Engine {
    return this.fast ? 'wasm' : 'tfjs';
  }

  /** Copy the wasm engine's parameters into the tfjs variables (after an update on the engine). */
  syncToTf(): void {
    this.mirror?.toTf();
  }

  /** Copy the tfjs variables into the wasm engine now (assignments are also picked up by `engineNet()`). */
  syncFromTf(): void {
    this.mirror?.fromTf();
  }

  /** Parameters the policy loss differentiates (actor weights and the log-std). */
  get policyParams(): tf.Variable[] {
    const own = [...this.trunk, ...this.actor.params];
    return this.logStd ? [...own, this.logStd] : own;
  }

  get valueParams(): tf.Variable[] {
    return [...this.critic.params];
  }

  get allParams(): tf.Variable[] {
    return [...this.policyParams, ...this.valueParams];
  }

  /** Logits (categorical) or means (Gaussian), B × outDim. */
  private features(obs: tf.Tensor2D): tf.Tensor2D {
    return this.trunk.length ? natureCnnForward(this.trunk, obs, this.channels) : obs;
  }

  /** The actor head on features: logits, or Gaussian means (tanh-squashed with `tanhMean`). */
  private actorOut(f: tf.Tensor2D): tf.Tensor2D {
    const out = mlpForward(this.actor, f);
    return this.kind === 'gaussian' && this.options.tanhMean ? tf.tanh(out) : out;
  }

  policyOut(obs: tf.Tensor2D): tf.Tensor2D {
    return this.actorOut(this.features(obs));
  }

  /** Policy output and value of the same observations, through the shared trunk once. */
  heads(obs: tf.Tensor2D): { out: tf.Tensor2D; value: tf.Tensor1D } {
    const f = this.features(obs);
    return { out: this.actorOut(f), value: tf.reshape(mlpForward(this.critic, f), [-1]) as tf.Tensor1D };
  }

  value(obs: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(mlpForward(this.critic, this.features(obs)), [-1]) as tf.Tensor1D;
  }

  /** log π(a|s) from the policy output; `actions` is B × actionDim. */
  logProb(out: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
    if (this.kind === 'categorical') {
      const logp = tf.logSoftmax(out);
      const idx = tf.cast(tf.reshape(actions, [-1]), 'int32') as tf.Tensor1D;
      return tf.sum(tf.mul(logp, tf.oneHot(idx, this.outDim)), 1) as tf.Tensor1D;
    }
    const logStd = this.logStd!;
    const z = tf.div(tf.sub(actions, out), tf.exp(logStd));
    return tf.sum(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), LOG_SQRT_2PI), 1) as tf.Tensor1D;
  }

  entropy(out: tf.Tensor2D): tf.Tensor1D {
    if (this.kind === 'categorical') {
      const logp = tf.logSoftmax(out);
      return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
    }
    const perState = tf.sum(tf.add(this.logStd!, 0.5 + LOG_SQRT_2PI));
    return tf.mul(tf.onesLike(tf.slice(out, [0, 0], [-1, 1])).reshape([-1]), perState) as tf.Tensor1D;
  }

  /**
   * Sample (or take the mode of) actions for B observations in one tensor call. The randomness is
   * supplied by the caller from its own seeded RNG: Gumbel noise (B × n) for categorical (Gumbel-max
   * sampling), standard normal noise (B × d) for Gaussian.
   */
  act(obs: Float32Array, batch: number, noise: Float32Array | null): ActResult {
    const fast = this.engineNet();
    if (fast) return fast.act(obs, batch, noise);
    const [a, lp, v] = tf.tidy(() => {
      const f = this.features(tf.tensor2d(obs, [batch, this.obsDim]));
      const out = this.actorOut(f);
      let actions: tf.Tensor2D;
      if (this.kind === 'categorical') {
        const scores = noise ? tf.add(out, tf.tensor2d(noise, [batch, this.outDim])) : out;
        actions = tf.reshape(tf.cast(tf.argMax(scores, 1), 'float32'), [batch, 1]);
      } else {
        actions = noise ? (tf.add(out, tf.mul(tf.exp(this.logStd!), tf.tensor2d(noise, [batch, this.outDim]))) as tf.Tensor2D) : out;
      }
      return [actions, this.logProb(out, actions), tf.reshape(mlpForward(this.critic, f), [-1])];
    });
    const res = { actions: a.dataSync() as Float32Array, logProbs: lp.dataSync() as Float32Array, values: v.dataSync() as Float32Array };
    tf.dispose([a, lp, v]);
    return res;
  }

  /** Draw the noise `act` needs for B states from `rng`. */
  sampleNoise(batch: number, rng: Rng): Float32Array {
    const noise = new Float32Array(batch * this.outDim);
    if (this.kind === 'categorical') {
      for (let i = 0; i < noise.length; i++) noise[i] = rng.gumbel();
    } else {
      for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
    }
    return noise;
  }

  /** Categorical policies: log π(a|s) of every action, B × n (row-major). */
  /** Row-wise f over obs in chunks of 256 for the CNN (a whole rollout of frames at once would hold gigabytes of activations). */
  private chunked(obs: Float32Array, batch: number, width: number, f: (x: tf.Tensor2D) => tf.Tensor): Float32Array {
    const out = new Float32Array(batch * width);
    const chunk = this.trunk.length > 0 ? 256 : batch;
    for (let s = 0; s < batch; s += chunk) {
      const m = Math.min(chunk, batch - s);
      const t = tf.tidy(() => f(tf.tensor2d(obs.subarray(s * this.obsDim, (s + m) * this.obsDim), [m, this.obsDim])));
      out.set(t.dataSync() as Float32Array, s * width);
      t.dispose();
    }
    return out;
  }

  logProbsAll(obs: Float32Array, batch: number): Float32Array {
    if (this.kind !== 'categorical') throw new Error('logProbsAll: the policy is not categorical (the action space is not Discrete)');
    const fast = this.engineNet();
    if (fast) return fast.logProbsAll(obs, batch);
    return this.chunked(obs, batch, this.outDim, (x) => tf.logSoftmax(this.policyOut(x)));
  }

  values(obs: Float32Array, batch: number): Float32Array {
    const fast = this.engineNet();
    if (fast) return fast.values(obs, batch);
    return this.chunked(obs, batch, 1, (x) => this.value(x));
  }

  dispose(): void {
    this.allParams.forEach((p) => p.dispose());
  }
}
