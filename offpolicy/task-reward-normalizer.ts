/**
 * BRC's per-task reward normalisation (spec baselines.md §8 "Reward normalisation" [code]). Per task
 * it keeps the smallest and largest discounted Monte-Carlo return G_t = r_t + γ·G_{t+1} over every
 * step t of every finished episode — a terminated episode ends with G_L = 0, a truncated one is
 * bootstrapped with G_L = mean(its rewards)/(1 − γ) — and divides the rewards of a sampled minibatch
 * by that task's denominator
 *   d = (max(|G_max|, |G_min|) − α·(1/(1 − γ))·H̄/2)/v_max,
 * α the temperature at the update, H̄ the (negative) target entropy, so the entropy bonus's magnitude
 * is added: soft returns stay within ±v_max.
 *
 * pgvar's choices: before a task's first episode ends its denominator is 1 (BRC's ±∞ start would
 * divide by +∞). With the default learningStarts (5 000 steps per task, scaled by the task count in a
 * multi-task run: offpolicy/agents.ts PER_TASK_STEP_KEYS) and episodes of up to 5 000 steps every
 * task has finished episodes before the first update; a smaller learningStarts or longer episodes do
 * train on the fallback 1. A denominator that is not positive and finite (α = 0 and all returns 0)
 * is also 1.
 *
 * The rewards of every env's running episode are part of the state (JSON, in the learner's state), so
 * a resumed run closes its episodes exactly as an uninterrupted one.
 */
export interface TaskRewardNormalizerState {
  /** Per task: the smallest and largest return seen (null before its first finished episode). */
  min: (number | null)[];
  max: (number | null)[];
  /** Per env: the rewards of its running episode. */
  episodes: number[][];
}

export class TaskRewardNormalizer {
  readonly min: (number | null)[];
  readonly max: (number | null)[];
  private episodes: number[][];

  constructor(readonly tasks: number, readonly envs: number, readonly gamma: number, readonly vMax: number, readonly targetEntropy: number) {
    this.min = Array.from({ length: tasks }, () => null);
    this.max = Array.from({ length: tasks }, () => null);
    this.episodes = Array.from({ length: envs }, () => []);
  }

  /** One env step of env `env` (of task `task`): its reward, and whether the episode ended and how. */
  observe(env: number, task: number, reward: number, terminated: boolean, truncated: boolean): void {
    const ep = this.episodes[env]!;
    ep.push(reward);
    if (!terminated && !truncated) return;
    const { lo, hi } = returnRange(ep, this.gamma, truncated && !terminated);
    this.min[task] = Math.min(this.min[task] ?? Infinity, lo);
    this.max[task] = Math.max(this.max[task] ?? -Infinity, hi);
    this.episodes[env] = [];
  }

  /** Task `task`'s denominator at temperature α. */
  denominator(task: number, alpha: number): number {
    const lo = this.min[task];
    const hi = this.max[task];
    if (lo === null || lo === undefined || hi === null || hi === undefined) return 1;
    const d = (Math.max(Math.abs(hi), Math.abs(lo)) - (alpha * this.targetEntropy) / (2 * (1 - this.gamma))) / this.vMax;
    return d > 0 && Number.isFinite(d) ? d : 1;
  }

  /** rew (n rows, of tasks task[i]; all task 0 without) divided by their task's denominator, into a new array. */
  normalize(rew: Float32Array, task: ArrayLike<number> | undefined, n: number, alpha: number): Float32Array {
    const d = Array.from({ length: this.tasks }, (_, k) => this.denominator(k, alpha));
    return Float32Array.from({ length: n }, (_, i) => rew[i]! / d[task ? task[i]! : 0]!);
  }

  getState(): TaskRewardNormalizerState {
    return { min: [...this.min], max: [...this.max], episodes: this.episodes.map((e) => [...e]) };
  }

  setState(s: TaskRewardNormalizerState): void {
    if (s.min.length !== this.tasks || s.episodes.length !== this.envs) throw new Error(`reward normaliser state has ${s.min.length} tasks and ${s.episodes.length} envs, expected ${this.tasks} and ${this.envs}`);
    s.min.forEach((v, k) => (this.min[k] = v));
    s.max.forEach((v, k) => (this.max[k] = v));
    this.episodes = s.episodes.map((e) => [...e]);
  }
}

/**
 * The smallest and largest of G_t = r_t + γ·G_{t+1} over an episode's steps, G_L = 0 (terminated) or
 * mean(r)/(1 − γ) (truncated: bootstrapped).
 */
export function returnRange(rewards: readonly number[], gamma: number, truncated: boolean): { lo: number; hi: number } {
  const mean = rewards.reduce((a, r) => a + r, 0) / Math.max(1, rewards.length);
  let g = truncated ? mean / (1 - gamma) : 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = rewards.length - 1; t >= 0; t--) {
    g = rewards[t]! + gamma * g;
    lo = Math.min(lo, g);
    hi = Math.max(hi, g);
  }
  return { lo, hi };
}
