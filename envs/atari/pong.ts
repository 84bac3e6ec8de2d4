/**
 * Pong behind an ALE-shaped interface (Arcade Learning Environment conventions, spec
 * ppo-and-envs.md §6): the minimal action set of 6 (NOOP, FIRE, RIGHT, LEFT, RIGHTFIRE, LEFTFIRE;
 * in Pong RIGHT moves the paddle up and LEFT down, FIRE does nothing — the ball is served
 * automatically), `frameskip` frames per step with rewards summed, sticky actions (each frame, with
 * probability `repeatActionProbability` the previous frame's action is used instead of the new
 * one: ALE v5's default 0.25), `lives()` = 0 (Pong has none), terminal when a side reaches 21.
 *
 * Observations: `rgb` = the 210 × 160 × 3 screen (values 0–255, row-major HWC), `state` = 7
 * numbers (agent and opponent paddle y, ball x, y, vx, vy, the serve countdown), scaled to about
 * [−1, 1]. Deterministic under the reset seed. The game rules are in `pong-game.ts`.
 */
import { Rng, type RngState } from '../../common/rng.js';
import { actionScalar, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';
import { box, discrete } from '../spaces.js';
import { PongGame, renderPong, SCREEN_H, SCREEN_W, type PaddleMove, type PongState } from './pong-game.js';

export const PONG_ACTIONS = ['NOOP', 'FIRE', 'RIGHT', 'LEFT', 'RIGHTFIRE', 'LEFTFIRE'] as const;
export const MOVES: readonly PaddleMove[] = [0, 0, -1, 1, -1, 1];

export interface PongAleOptions {
  frameskip: number;
  repeatActionProbability: number;
  observation: 'rgb' | 'state';
}

export class PongAleEnv implements Env {
  readonly id: string;
  readonly observationSpace;
  readonly actionSpace = discrete(6);
  private readonly rng = new Rng(0);
  private readonly game = new PongGame(this.rng);
  private lastAction = 0;
  private frameNumber = 0;
  private started = false;
  private readonly screen = new Uint8Array(SCREEN_H * SCREEN_W * 3);

  constructor(readonly options: PongAleOptions, id = options.observation === 'rgb' ? 'Pong-v0' : 'PongState-v0') {
    if (!Number.isInteger(options.frameskip) || options.frameskip < 1) throw new Error(`Pong: frameskip must be an integer ≥ 1, got ${options.frameskip}`);
    if (!(options.repeatActionProbability >= 0 && options.repeatActionProbability < 1)) throw new Error(`Pong: repeatActionProbability must be in [0, 1), got ${options.repeatActionProbability}`);
    this.id = id;
    this.observationSpace = options.observation === 'rgb' ? box(0, 255, [SCREEN_H, SCREEN_W, 3]) : box(-2, 2, [7]);
  }

  lives(): number {
    return 0;
  }

  get state(): Readonly<PongState> {
    return this.game.s;
  }

  getScreenRGB(): Uint8Array {
    return renderPong(this.game.s, this.screen);
  }

  private observe(): Float32Array {
    if (this.options.observation === 'rgb') return new Float32Array(this.getScreenRGB()); // element-wise conversion, as Float32Array.from but without its iterator
    const s = this.game.s;
    return Float32Array.from([(s.agentY - 106) / 80, (s.cpuY - 106) / 80, (s.ballX - 79) / 80, (s.ballY - 112) / 80, s.ballVX / 3.5, s.ballVY / 3, s.serveIn / 30]);
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.game.reset();
    this.lastAction = 0;
    this.frameNumber = 0;
    this.started = true;
    return { obs: this.observe(), info: { lives: 0 } };
  }

  step(action: Action): StepResult {
    if (!this.started) throw new Error(`${this.id}: call reset() before step()`);
    const a = actionScalar(action);
    if (!Number.isInteger(a) || a < 0 || a > 5) throw new Error(`${this.id}: action must be an integer in 0…5 (${PONG_ACTIONS.join(', ')}), got ${a}`);
    let reward = 0;
    for (let f = 0; f < this.options.frameskip; f++) {
      if (!(this.options.repeatActionProbability > 0 && this.rng.random() < this.options.repeatActionProbability)) this.lastAction = a;
      reward += this.game.frame(MOVES[this.lastAction]!);
      this.frameNumber += 1;
      if (this.game.over) break;
    }
    return { obs: this.observe(), reward, terminated: this.game.over, truncated: false, info: { lives: 0, frame_number: this.frameNumber } };
  }

  getState(): { game: ReturnType<PongGame['getState']>; rng: RngState; lastAction: number; frameNumber: number; started: boolean } {
    return { game: this.game.getState(), rng: this.rng.getState(), lastAction: this.lastAction, frameNumber: this.frameNumber, started: this.started };
  }

  setState(state: unknown): void {
    const s = state as ReturnType<PongAleEnv['getState']>;
    this.game.setState(s.game);
    this.rng.setState(s.rng);
    this.lastAction = s.lastAction;
    this.frameNumber = s.frameNumber;
    this.started = s.started;
  }
}
