/**
 * The environment contract, Gymnasium 1.x semantics:
 * - `reset({seed})` → `{obs, info}`; the seed re-seeds the env's RNG once, later resets continue it.
 * - `step(action)` → `{obs, reward, terminated, truncated, info}`; `terminated` = MDP terminal (do not
 *   bootstrap), `truncated` = cut by a time limit (bootstrap from V(s')).
 * - `getState()/setState()` snapshot everything that determines future outputs (physics state, RNG,
 *   wrapper statistics) as plain JSON. Checkpoints use it for exact resume; estimators that value
 *   extra actions by rewinding the simulator use it as clone/restore.
 */
import type { Space } from './spaces.js';

export type Info = Record<string, unknown>;
/** Observations are flat float vectors; discrete actions are passed as a number. */
export type Action = number | ArrayLike<number>;

export interface ResetResult {
  obs: Float32Array;
  info: Info;
}

export interface StepResult {
  obs: Float32Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

export interface ResetOptions {
  seed?: number;
}

export interface Env {
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  reset(options?: ResetOptions): ResetResult;
  step(action: Action): StepResult;
  getState(): unknown;
  setState(state: unknown): void;
  /** Release native resources (MuJoCo's WASM model and data). Optional for pure-JS envs. */
  close?(): void;
}

/** Base for wrappers that change one thing and pass the rest through. */
export abstract class Wrapper implements Env {
  constructor(readonly env: Env) {}
  get id(): string {
    return this.env.id;
  }
  get observationSpace(): Space {
    return this.env.observationSpace;
  }
  get actionSpace(): Space {
    return this.env.actionSpace;
  }
  reset(options?: ResetOptions): ResetResult {
    return this.env.reset(options);
  }
  step(action: Action): StepResult {
    return this.env.step(action);
  }
  /** Wrappers with state override both and nest the inner env's state under `inner`. */
  getState(): unknown {
    return this.env.getState();
  }
  setState(state: unknown): void {
    this.env.setState(state);
  }
  close(): void {
    this.env.close?.();
  }
}

export function actionScalar(action: Action): number {
  return typeof action === 'number' ? action : action[0]!;
}

/** Gymnasium's `ObservationWrapper`: subclasses map every observation (reset and step) through `observation()`. */
export abstract class ObservationWrapper extends Wrapper {
  protected abstract observation(obs: Float32Array): Float32Array;
  override reset(options?: ResetOptions): ResetResult {
    const r = this.env.reset(options);
    return { ...r, obs: this.observation(r.obs) };
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    return { ...r, obs: this.observation(r.obs) };
  }
}
