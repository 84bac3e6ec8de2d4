/**
 * CartPole-v1 exactly as Gymnasium 1.x `classic_control/cartpole.py` defines it: explicit Euler
 * integration with τ = 0.02, ±10 N push, termination at |x| > 2.4 or |θ| > 12°, reward +1 on every
 * step including the terminating one, U(±0.05) initial state. The state is kept in float64 and the
 * observation returned as float32, as Gymnasium does. The 500-step limit is the registry's TimeLimit.
 */
import { Rng } from '../../common/rng.js';
import { actionScalar, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';
import { box, discrete } from '../spaces.js';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
const LENGTH = 0.5; // half the pole's length
const POLE_MASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
export const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;
export const X_THRESHOLD = 2.4;
const FLOAT32_MAX = 3.4028234663852886e38; // np.finfo(np.float32).max, Gymnasium's velocity bound

interface CartPoleState {
  state: number[] | null;
  stepsBeyondTerminated: number | null;
  rng: [number, number, number, number];
}

export interface CartPoleOptions {
  /** Gymnasium's `sutton_barto_reward`: 0 per step and −1 on failure. */
  suttonBartoReward?: boolean;
}

export class CartPoleEnv implements Env {
  readonly id = 'CartPole-v1';
  readonly observationSpace = box(
    [-X_THRESHOLD * 2, -FLOAT32_MAX, -THETA_THRESHOLD_RADIANS * 2, -FLOAT32_MAX].map((v) => Math.fround(v)),
    [X_THRESHOLD * 2, FLOAT32_MAX, THETA_THRESHOLD_RADIANS * 2, FLOAT32_MAX].map((v) => Math.fround(v)),
    [4],
  );
  readonly actionSpace = discrete(2);
  private state: Float64Array | null = null;
  private stepsBeyondTerminated: number | null = null;
  private readonly rng = new Rng(0);
  private readonly suttonBarto: boolean;

  constructor(options: CartPoleOptions = {}) {
    this.suttonBarto = options.suttonBartoReward ?? false;
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.state = Float64Array.from({ length: 4 }, () => this.rng.uniform(-0.05, 0.05));
    this.stepsBeyondTerminated = null;
    return { obs: Float32Array.from(this.state), info: {} };
  }

  step(action: Action): StepResult {
    const a = actionScalar(action);
    if (a !== 0 && a !== 1) throw new Error(`CartPole-v1: action must be 0 or 1 (Discrete(2)), got ${a}`);
    if (this.state === null) throw new Error('CartPole-v1: call reset() before step()');
    let [x, xDot, theta, thetaDot] = this.state as unknown as [number, number, number, number];
    const force = a === 1 ? FORCE_MAG : -FORCE_MAG;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * thetaDot ** 2 * sin) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sin - cos * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * cos ** 2) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    // Euler (Gymnasium's default kinematics_integrator)
    x = x + TAU * xDot;
    xDot = xDot + TAU * xAcc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaAcc;
    this.state = Float64Array.of(x, xDot, theta, thetaDot);

    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD_RADIANS || theta > THETA_THRESHOLD_RADIANS;
    let reward: number;
    if (!terminated) {
      reward = this.suttonBarto ? 0.0 : 1.0;
    } else if (this.stepsBeyondTerminated === null) {
      this.stepsBeyondTerminated = 0;
      reward = this.suttonBarto ? -1.0 : 1.0;
    } else {
      // Stepping past termination is undefined behaviour in Gymnasium too; it returns 0.
      this.stepsBeyondTerminated += 1;
      reward = this.suttonBarto ? -1.0 : 0.0;
    }
    return { obs: Float32Array.from(this.state), reward, terminated, truncated: false, info: {} };
  }

  getState(): CartPoleState {
    return { state: this.state ? Array.from(this.state) : null, stepsBeyondTerminated: this.stepsBeyondTerminated, rng: this.rng.getState() };
  }

  setState(s: unknown): void {
    const st = s as CartPoleState;
    this.state = st.state ? Float64Array.from(st.state) : null;
    this.stepsBeyondTerminated = st.stepsBeyondTerminated;
    this.rng.setState(st.rng);
  }
}
