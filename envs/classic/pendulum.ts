/**
 * Pendulum-v1 as Gymnasium `classic_control/pendulum.py`: torque in [−2, 2], g = 10, m = l = 1,
 * dt = 0.05, speed clipped to ±8; cost θ̂² + 0.1·θ̇² + 0.001·u² with θ̂ the angle wrapped to [−π, π).
 * Never terminates; the registry adds the 200-step TimeLimit. The smallest continuous-action task,
 * used to exercise the Gaussian-policy path before the MuJoCo tasks.
 */
import { Rng } from '../../common/rng.js';
import type { Action, Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { box } from '../spaces.js';

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const M = 1.0;
const L = 1.0;

export function angleNormalize(x: number): number {
  const twoPi = 2 * Math.PI;
  return ((((x + Math.PI) % twoPi) + twoPi) % twoPi) - Math.PI;
}

interface PendulumState {
  th: number;
  thdot: number;
  rng: [number, number, number, number];
}

export class PendulumEnv implements Env {
  readonly id = 'Pendulum-v1';
  readonly observationSpace = box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED], [3]);
  readonly actionSpace = box(-MAX_TORQUE, MAX_TORQUE, [1]);
  private th = 0;
  private thdot = 0;
  private started = false;
  private readonly rng = new Rng(0);

  constructor(private readonly g = 10.0) {}

  private obs(): Float32Array {
    return Float32Array.of(Math.cos(this.th), Math.sin(this.th), this.thdot);
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.th = this.rng.uniform(-Math.PI, Math.PI);
    this.thdot = this.rng.uniform(-1, 1);
    this.started = true;
    return { obs: this.obs(), info: {} };
  }

  step(action: Action): StepResult {
    if (!this.started) throw new Error('Pendulum-v1: call reset() before step()');
    const raw = typeof action === 'number' ? action : action[0]!;
    if (typeof raw !== 'number' || Number.isNaN(raw)) throw new Error(`Pendulum-v1: action must be a number in [-2, 2], got ${raw}`);
    const u = Math.min(MAX_TORQUE, Math.max(-MAX_TORQUE, raw));
    const cost = angleNormalize(this.th) ** 2 + 0.1 * this.thdot ** 2 + 0.001 * u ** 2;
    let newThdot = this.thdot + ((3 * this.g) / (2 * L) * Math.sin(this.th) + (3.0 / (M * L * L)) * u) * DT;
    newThdot = Math.min(MAX_SPEED, Math.max(-MAX_SPEED, newThdot));
    this.th = this.th + newThdot * DT;
    this.thdot = newThdot;
    return { obs: this.obs(), reward: -cost, terminated: false, truncated: false, info: {} };
  }

  getState(): PendulumState {
    return { th: this.th, thdot: this.thdot, rng: this.rng.getState() };
  }

  setState(s: unknown): void {
    const st = s as PendulumState;
    this.th = st.th;
    this.thdot = st.thdot;
    this.started = true;
    this.rng.setState(st.rng);
  }
}
