/**
 * The PPO agent's networks (CleanRL `Agent`): separate actor and critic MLPs (2×64 tanh by default,
 * details 13/26), orthogonal init with gains √2 / 0.01 (policy head) / 1.0 (value head).
 * - Discrete action spaces: categorical policy over logits.
 * - Box action spaces: diagonal Gaussian with a state-independent log-std parameter initialised to 0
 *   (details 23–25); log-probs sum over action dimensions.
 * All distribution maths lives here so the rollout and the update compute log-probs with the same ops.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../common/rng.js';
import { flatSize, type Space } from '../envs/spaces.js';
import { createMlp, mlpForward, uniqueName, type Activation, type Mlp } from './mlp.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export interface ActorCriticOptions {
  hiddenSizes: number[];
  activation: Activation;
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

  constructor(obsSpace: Space, actSpace: Space, readonly options: ActorCriticOptions, rng: Rng) {
    this.obsDim = flatSize(obsSpace);
    this.kind = actSpace.kind === 'discrete' ? 'categorical' : 'gaussian';
    this.outDim = actSpace.kind === 'discrete' ? actSpace.n : flatSize(actSpace);
    this.actionDim = actSpace.kind === 'discrete' ? 1 : this.outDim;
    const h = options.hiddenSizes;
    // CleanRL builds the critic first, then the actor; keep the order so init draws match theirs in kind.
    this.critic = createMlp('critic', [this.obsDim, ...h, 1], options.activation, 1.0, rng);
    this.actor = createMlp('actor', [this.obsDim, ...h, this.outDim], options.activation, 0.01, rng);
    this.logStd = this.kind === 'gaussian' ? tf.tidy(() => tf.variable(tf.zeros([1, this.outDim]), true, uniqueName('actor/logstd'))) : null;
  }

  /** Parameters the policy loss differentiates (actor weights and the log-std). */
  get policyParams(): tf.Variable[] {
    return this.logStd ? [...this.actor.params, this.logStd] : [...this.actor.params];
  }

  get valueParams(): tf.Variable[] {
    return [...this.critic.params];
  }

  get allParams(): tf.Variable[] {
    return [...this.policyParams, ...this.valueParams];
  }

  /** Logits (categorical) or means (Gaussian), B × outDim. */
  policyOut(obs: tf.Tensor2D): tf.Tensor2D {
    return mlpForward(this.actor, obs);
  }

  value(obs: tf.Tensor2D): tf.Tensor1D {
    return tf.reshape(mlpForward(this.critic, obs), [-1]) as tf.Tensor1D;
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
    const [a, lp, v] = tf.tidy(() => {
      const o = tf.tensor2d(obs, [batch, this.obsDim]);
      const out = this.policyOut(o);
      let actions: tf.Tensor2D;
      if (this.kind === 'categorical') {
        const scores = noise ? tf.add(out, tf.tensor2d(noise, [batch, this.outDim])) : out;
        actions = tf.reshape(tf.cast(tf.argMax(scores, 1), 'float32'), [batch, 1]);
      } else {
        actions = noise ? (tf.add(out, tf.mul(tf.exp(this.logStd!), tf.tensor2d(noise, [batch, this.outDim]))) as tf.Tensor2D) : out;
      }
      return [actions, this.logProb(out, actions), this.value(o)];
    });
    const res = { actions: a.dataSync() as Float32Array, logProbs: lp.dataSync() as Float32Array, values: v.dataSync() as Float32Array };
    tf.dispose([a, lp, v]);
    return res;
  }

  /** Draw the noise `act` needs for B states from `rng`. */
  sampleNoise(batch: number, rng: Rng): Float32Array {
    const noise = new Float32Array(batch * this.outDim);
    if (this.kind === 'categorical') {
      for (let i = 0; i < noise.length; i++) {
        let u = 0;
        while (u === 0) u = rng.random();
        noise[i] = -Math.log(-Math.log(u));
      }
    } else {
      for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
    }
    return noise;
  }

  /** Categorical policies: log π(a|s) of every action, B × n (row-major). */
  logProbsAll(obs: Float32Array, batch: number): Float32Array {
    if (this.kind !== 'categorical') throw new Error('logProbsAll: the policy is not categorical (the action space is not Discrete)');
    const t = tf.tidy(() => tf.logSoftmax(this.policyOut(tf.tensor2d(obs, [batch, this.obsDim]))));
    const out = t.dataSync() as Float32Array;
    t.dispose();
    return out;
  }

  values(obs: Float32Array, batch: number): Float32Array {
    const v = tf.tidy(() => this.value(tf.tensor2d(obs, [batch, this.obsDim])));
    const out = v.dataSync() as Float32Array;
    v.dispose();
    return out;
  }

  dispose(): void {
    this.allParams.forEach((p) => p.dispose());
  }
}
