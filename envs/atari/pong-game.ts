/**
 * The rules of Atari 2600 Pong (Video Olympics game 1) re-implemented from its published behaviour —
 * no ROM, no emulator. Positions are in screen pixels of the console's 160 × 210 frame; one `frame()`
 * is one 60 Hz video frame.
 * - Court: walls above (rows 24–33) and below (rows 194–209); the ball bounces off them.
 * - Paddles: 4 × 16 px; the opponent (orange, left, x = 16) and the agent (green, right, x = 140).
 *   The agent's paddle moves 4 px per frame while UP or DOWN is held.
 * - Ball: 2 × 4 px. Served from the centre 30 frames after each point, towards a random side, at a
 *   random height and slope. A paddle hit sends it back with a slope set by where it struck the
 *   paddle (centre: flat; edges: steep, |vy| up to 3 px/frame), and speeds it up by 0.125 px/frame
 *   (from 2 up to 3.5).
 * - Opponent: tracks the ball's centre at most 2 px per frame (it cannot follow the steepest shots).
 * - A ball past the left edge scores for the agent (+1), past the right edge for the opponent (−1).
 *   The game ends when either side reaches 21.
 * Random choices come from the caller's RNG, so a game is deterministic under a seed.
 */
import type { Rng, RngState } from '../../common/rng.js';

export const SCREEN_W = 160;
export const SCREEN_H = 210;
export const COURT_TOP = 34;
export const COURT_BOTTOM = 194;
export const PADDLE_H = 16;
export const PADDLE_W = 4;
export const BALL_W = 2;
export const BALL_H = 4;
export const CPU_X = 16;
export const AGENT_X = 140;
const AGENT_SPEED = 4;
const CPU_SPEED = 2;
const SERVE_DELAY = 30;
const BALL_SPEED0 = 2;
const BALL_SPEED_MAX = 3.5;
const BALL_SPEEDUP = 0.125;
const MAX_VY = 3;
export const WIN_SCORE = 21;

/** Paddle intent of the agent in one frame. */
export type PaddleMove = -1 | 0 | 1;

export interface PongState {
  agentY: number;
  cpuY: number;
  ballX: number;
  ballY: number;
  ballVX: number;
  ballVY: number;
  speed: number;
  serveIn: number;
  agentScore: number;
  cpuScore: number;
}

export class PongGame {
  s: PongState;

  constructor(private readonly rng: Rng) {
    this.s = this.initial();
  }

  private initial(): PongState {
    const mid = (COURT_TOP + COURT_BOTTOM - PADDLE_H) / 2;
    return { agentY: mid, cpuY: mid, ballX: (SCREEN_W - BALL_W) / 2, ballY: (COURT_TOP + COURT_BOTTOM) / 2, ballVX: 0, ballVY: 0, speed: BALL_SPEED0, serveIn: SERVE_DELAY, agentScore: 0, cpuScore: 0 };
  }

  reset(): void {
    this.s = this.initial();
  }

  get over(): boolean {
    return this.s.agentScore >= WIN_SCORE || this.s.cpuScore >= WIN_SCORE;
  }

  private serve(): void {
    const s = this.s;
    s.speed = BALL_SPEED0;
    s.ballX = (SCREEN_W - BALL_W) / 2;
    s.ballY = COURT_TOP + 20 + this.rng.random() * (COURT_BOTTOM - COURT_TOP - 40);
    s.ballVX = (this.rng.random() < 0.5 ? -1 : 1) * s.speed;
    s.ballVY = (this.rng.random() * 2 - 1) * 1.5;
  }

  /** Paddle hit: the slope follows the offset of the ball's centre from the paddle's centre. */
  private hit(paddleY: number, dir: 1 | -1): void {
    const s = this.s;
    const offset = (s.ballY + BALL_H / 2 - (paddleY + PADDLE_H / 2)) / (PADDLE_H / 2 + BALL_H / 2);
    s.speed = Math.min(BALL_SPEED_MAX, s.speed + BALL_SPEEDUP);
    s.ballVX = dir * s.speed;
    s.ballVY = Math.max(-1, Math.min(1, offset)) * MAX_VY;
  }

  /** Advance one video frame; returns the reward of the frame (+1, −1 or 0). */
  frame(move: PaddleMove): number {
    if (this.over) return 0;
    const s = this.s;
    s.agentY = Math.max(COURT_TOP, Math.min(COURT_BOTTOM - PADDLE_H, s.agentY + move * AGENT_SPEED));
    const target = s.ballY + BALL_H / 2 - PADDLE_H / 2;
    s.cpuY = Math.max(COURT_TOP, Math.min(COURT_BOTTOM - PADDLE_H, s.cpuY + Math.max(-CPU_SPEED, Math.min(CPU_SPEED, target - s.cpuY))));
    if (s.serveIn > 0) {
      s.serveIn -= 1;
      if (s.serveIn === 0) this.serve();
      return 0;
    }
    const prevX = s.ballX;
    s.ballX += s.ballVX;
    s.ballY += s.ballVY;
    if (s.ballY < COURT_TOP) {
      s.ballY = 2 * COURT_TOP - s.ballY;
      s.ballVY = -s.ballVY;
    } else if (s.ballY > COURT_BOTTOM - BALL_H) {
      s.ballY = 2 * (COURT_BOTTOM - BALL_H) - s.ballY;
      s.ballVY = -s.ballVY;
    }
    const overlaps = (py: number) => s.ballY + BALL_H > py && s.ballY < py + PADDLE_H;
    // the agent's paddle face is at x = AGENT_X; the opponent's at CPU_X + PADDLE_W
    if (s.ballVX > 0 && prevX + BALL_W <= AGENT_X && s.ballX + BALL_W > AGENT_X && overlaps(s.agentY)) {
      s.ballX = AGENT_X - BALL_W;
      this.hit(s.agentY, -1);
    } else if (s.ballVX < 0 && prevX >= CPU_X + PADDLE_W && s.ballX < CPU_X + PADDLE_W && overlaps(s.cpuY)) {
      s.ballX = CPU_X + PADDLE_W;
      this.hit(s.cpuY, 1);
    }
    if (s.ballX + BALL_W < 0) {
      s.agentScore += 1;
      this.point();
      return 1;
    }
    if (s.ballX > SCREEN_W) {
      s.cpuScore += 1;
      this.point();
      return -1;
    }
    return 0;
  }

  private point(): void {
    const s = this.s;
    s.ballVX = 0;
    s.ballVY = 0;
    s.ballX = (SCREEN_W - BALL_W) / 2;
    s.ballY = (COURT_TOP + COURT_BOTTOM) / 2;
    s.serveIn = SERVE_DELAY;
  }

  getState(): { s: PongState; rng?: RngState } {
    return { s: { ...this.s } };
  }

  setState(st: { s: PongState }): void {
    this.s = { ...st.s };
  }
}

const BG = [144, 72, 17];
const WALL = [236, 236, 236];
const CPU_COLOR = [213, 130, 74];
const AGENT_COLOR = [92, 186, 92];

/** 3 × 5 digit glyphs, row-major bits. */
const DIGITS = ['111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001', '111100111001111', '111100111101111', '111001001001001', '111101111101111', '111101111001111'];

function fillRect(buf: Uint8Array, x0: number, y0: number, w: number, h: number, c: number[]): void {
  const xa = Math.max(0, Math.round(x0));
  const ya = Math.max(0, Math.round(y0));
  const xb = Math.min(SCREEN_W, Math.round(x0) + w);
  const yb = Math.min(SCREEN_H, Math.round(y0) + h);
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const i = (y * SCREEN_W + x) * 3;
      buf[i] = c[0]!;
      buf[i + 1] = c[1]!;
      buf[i + 2] = c[2]!;
    }
  }
}

function drawNumber(buf: Uint8Array, n: number, x0: number, c: number[]): void {
  const str = String(n);
  [...str].forEach((ch, k) => {
    const g = DIGITS[Number(ch)]!;
    for (let r = 0; r < 5; r++) for (let col = 0; col < 3; col++) if (g[r * 3 + col] === '1') fillRect(buf, x0 + k * 10 + col * 3, 2 + r * 4, 3, 4, c);
  });
}

let courtFrame: Uint8Array | null = null;

/** The static part of every frame: background and the two walls. */
function court(): Uint8Array {
  if (courtFrame) return courtFrame;
  const f = new Uint8Array(SCREEN_H * SCREEN_W * 3);
  for (let i = 0; i < f.length; i += 3) {
    f[i] = BG[0]!;
    f[i + 1] = BG[1]!;
    f[i + 2] = BG[2]!;
  }
  fillRect(f, 0, COURT_TOP - 10, SCREEN_W, 10, WALL);
  fillRect(f, 0, COURT_BOTTOM, SCREEN_W, 16, WALL);
  courtFrame = f;
  return f;
}

/** The frame as the console would show it: 210 × 160 RGB, row-major, uint8. */
export function renderPong(s: PongState, out = new Uint8Array(SCREEN_H * SCREEN_W * 3)): Uint8Array {
  out.set(court()); // one block copy instead of painting 33,600 background pixels every frame
  drawNumber(out, s.cpuScore, 36, CPU_COLOR);
  drawNumber(out, s.agentScore, 116, AGENT_COLOR);
  fillRect(out, CPU_X, s.cpuY, PADDLE_W, PADDLE_H, CPU_COLOR);
  fillRect(out, AGENT_X, s.agentY, PADDLE_W, PADDLE_H, AGENT_COLOR);
  if (s.serveIn === 0) fillRect(out, s.ballX, s.ballY, BALL_W, BALL_H, WALL);
  return out;
}
