/**
 * Stops a run at the first NaN/±Inf an environment emits (observation or reward), naming the env,
 * its step count and the quantity, in the spirit of SB3's `VecCheckNan`. It sits directly on the
 * base env, so the error points at the simulator, not at a normaliser downstream.
 */
import { NonFiniteError, firstNonFinite } from '../../common/errors.js';
import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';

export class NanGuard extends Wrapper {
  private steps = 0;
  /** `registeredId`: the id the env was made under, reported by the whole stack and in errors. */
  constructor(env: Env, private readonly registeredId = env.id) {
    super(env);
  }
  override get id(): string {
    return this.registeredId;
  }
  override reset(options?: ResetOptions): ResetResult {
    const r = this.env.reset(options);
    this.check(r.obs, 0, 'reset');
    return r;
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.steps += 1;
    this.check(r.obs, r.reward, 'step');
    return r;
  }
  private check(obs: Float32Array, reward: number, where: string): void {
    const i = firstNonFinite(obs);
    if (i >= 0) throw new NonFiniteError(`environment ${this.id}`, `observation[${i}] = ${obs[i]}`, this.steps, `on ${where}`);
    if (!Number.isFinite(reward)) throw new NonFiniteError(`environment ${this.id}`, `reward = ${reward}`, this.steps, `on ${where}`);
  }
  override getState(): unknown {
    return { steps: this.steps, inner: this.env.getState() };
  }
  override setState(s: unknown): void {
    const st = s as { steps: number; inner: unknown };
    this.steps = st.steps;
    this.env.setState(st.inner);
  }
}
