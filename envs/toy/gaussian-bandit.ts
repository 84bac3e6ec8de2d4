/**
 * A one-step continuous bandit with a closed-form policy gradient, for testing estimators:
 * the observation is always [1], an episode is one step, and the reward for action a is −(a − c)².
 * For a Gaussian policy N(μ, σ²): J = −((μ − c)² + σ²), ∂J/∂μ = −2(μ − c), ∂J/∂log σ = −2σ².
 */
import type { Action, Env, ResetResult, StepResult } from '../env.js';
import { box } from '../spaces.js';

export class GaussianBanditEnv implements Env {
  readonly id = 'pgvar/GaussianBandit-v0';
  readonly observationSpace = box(1, 1, [1]);
  readonly actionSpace = box(-10, 10, [1]);

  constructor(readonly target = 1.5) {}

  reset(): ResetResult {
    return { obs: Float32Array.of(1), info: {} };
  }

  step(action: Action): StepResult {
    const a = typeof action === 'number' ? action : action[0]!;
    return { obs: Float32Array.of(1), reward: -((a - this.target) ** 2), terminated: true, truncated: false, info: {} };
  }

  /** The exact gradient of J with respect to (μ, log σ). */
  trueGradient(mu: number, sigma: number): { dMu: number; dLogSigma: number } {
    return { dMu: -2 * (mu - this.target), dLogSigma: -2 * sigma * sigma };
  }

  getState(): unknown {
    return null;
  }

  setState(): void {}
}
