/**
 * Online training of the latent world model (frames): a byte replay of frame transitions with the
 * agent's V_old and π_old as distillation targets, trained after a warm-up for a fixed number of
 * Adam steps per PPO iteration (the first time × firstTrainMultiplier) — the same schedule as the
 * state-vector `ModelLearner`, at CPU-sized batches. Its state (networks, optimiser, replay, RNG) is
 * checkpointed with the estimator.
 */
import { Rng, type RngState } from '../common/rng.js';
import type { LearnerCall } from './model-learner.js';
import type { Rollout } from '../ppo/rollout.js';
import { FrameReplayBuffer } from './frame-replay-buffer.js';
import { LatentWorldModel } from './latent-world-model.js';

export interface LatentModelLearnerOptions {
  warmupSteps: number;
  firstTrainMultiplier: number;
  updates: number;
  batch: number;
  bufferSize: number;
  latent: number;
  hidden: number[];
  lr: number;
  seed: number;
}

const FRAME = 84 * 84;

export class LatentModelLearner {
  readonly model: LatentWorldModel;
  private readonly buffer: FrameReplayBuffer;
  modelSteps = 0;
  private readonly rng: Rng;

  constructor(readonly o: LatentModelLearnerOptions, frameDim: number, numActions: number) {
    if (frameDim % FRAME !== 0) throw new Error(`LatentModelLearner: observations of ${frameDim} values are not stacks of 84 × 84 frames`);
    this.rng = new Rng(o.seed + 977);
    this.model = new LatentWorldModel(frameDim / FRAME, numActions, { latent: o.latent, hidden: o.hidden, lr: o.lr }, this.rng);
    this.buffer = new FrameReplayBuffer(o.bufferSize, frameDim, numActions);
  }

  /** Store the rollout (when training) and train after the warm-up; whether the model may be used now. */
  observe(r: Rollout, ctx: Pick<LearnerCall, 'training' | 'progress'>, logProbsAll: Float32Array): { active: boolean; stats: Record<string, number> } {
    if (!ctx.training) return { active: this.modelSteps > 0, stats: {} };
    this.buffer.addRollout(r, logProbsAll);
    const stats: Record<string, number> = { buffer_size: this.buffer.size };
    const stepsSeen = ctx.progress.globalStep + r.numSteps * r.numEnvs;
    if (stepsSeen < this.o.warmupSteps || this.buffer.size < this.o.batch) return { active: false, stats };
    const l = this.model.train(this.buffer, this.o.updates * (this.modelSteps === 0 ? this.o.firstTrainMultiplier : 1), this.o.batch, this.rng);
    this.modelSteps += 1;
    return {
      active: true,
      stats: { ...stats, model_consistency_loss: l.consistencyLoss, model_reward_loss: l.rewardLoss, model_terminal_loss: l.terminalLoss, model_value_loss: l.valueLoss, model_policy_loss: l.policyLoss },
    };
  }

  getState(): unknown {
    return { model: this.model.getState(), buffer: this.buffer.getState(), modelSteps: this.modelSteps, rng: this.rng.getState() };
  }

  setState(s: unknown): void {
    const st = s as { model: unknown; buffer: unknown; modelSteps: number; rng: RngState };
    this.model.setState(st.model);
    this.buffer.setState(st.buffer);
    this.modelSteps = st.modelSteps;
    this.rng.setState(st.rng);
  }

  dispose(): void {
    this.model.dispose();
  }
}
