/**
 * Does a Pong policy play? `node dist/bench/pong-policy.js RUN_DIR [STEPS…]` loads the run's last
 * checkpoint (or the snapshots kept at the given steps) and prints JSON per checkpoint:
 *   - mean action probabilities and the argmax histogram over 500 visited states;
 *   - tracking: of the policy's paddle moves while the ball is in play, the fraction that move
 *     toward the ball (0.5 for a policy blind to the ball; a uniformly random policy alongside as
 *     the reference), sampled and greedy, over 3000 steps each.
 * A leading indicator for pixel Pong, whose return stays near −20 for a long time.
 */
import { Rng } from '../common/rng.js';
import { PongAleEnv, MOVES, PONG_ACTIONS } from '../envs/atari/pong.js';
import { BALL_H, PADDLE_H } from '../envs/atari/pong-game.js';
import type { Env } from '../envs/env.js';
import { findWrappers } from '../envs/stack.js';
import { frozenEnvLike, loadRun, type LoadedRun } from '../experiment/load-run.js';
import { initBackend } from '../nets/backend.js';
import { PgvarError } from '../common/errors.js';
import { stepsFlag } from '../cli/options.js';

function pongOf(env: Env): PongAleEnv {
  const pong = findWrappers(env, PongAleEnv)[0];
  if (!pong) throw new PgvarError(`pong-policy: the run's env ${env.id} is not built on our Pong`);
  return pong;
}

type Mode = 'sample' | 'greedy' | 'random';

function tracking(run: LoadedRun, mode: Mode, steps = 3000): { toward: number; away: number; still: number; toward_fraction: number } {
  const env = frozenEnvLike(run);
  const pong = pongOf(env);
  const agent = run.trainer.agent;
  const rng = new Rng(7);
  let obs = env.reset({ seed: 12_345 }).obs;
  let toward = 0;
  let away = 0;
  let still = 0;
  for (let i = 0; i < steps; i++) {
    const s = pong.state;
    const a = mode === 'random' ? rng.int(PONG_ACTIONS.length) : agent.act(obs, 1, mode === 'greedy' ? null : agent.sampleNoise(1, rng)).actions[0]!;
    if (s.serveIn === 0) {
      const offset = s.ballY + BALL_H / 2 - (s.agentY + PADDLE_H / 2);
      const move = MOVES[a]!;
      if (move === 0 || Math.abs(offset) < 4) still += 1;
      else if (Math.sign(move) === Math.sign(offset)) toward += 1;
      else away += 1;
    }
    const r = env.step(a);
    obs = r.terminated || r.truncated ? env.reset().obs : r.obs;
  }
  env.close?.();
  return { toward, away, still, toward_fraction: +(toward / Math.max(1, toward + away)).toFixed(3) };
}

function actionProbabilities(run: LoadedRun, states = 500): { mean_probs: number[]; argmax_hist: number[] } {
  const env = frozenEnvLike(run);
  const agent = run.trainer.agent;
  const rng = new Rng(11);
  let obs = env.reset({ seed: 99 }).obs;
  const n = agent.outDim;
  const mean = new Array<number>(n).fill(0);
  const hist = new Array<number>(n).fill(0);
  for (let i = 0; i < states; i++) {
    const lp = agent.logProbsAll(obs, 1);
    let best = 0;
    for (let k = 0; k < n; k++) {
      mean[k]! += Math.exp(lp[k]!) / states;
      if (lp[k]! > lp[best]!) best = k;
    }
    hist[best]! += 1;
    const r = env.step(agent.act(obs, 1, agent.sampleNoise(1, rng)).actions[0]!);
    obs = r.terminated || r.truncated ? env.reset().obs : r.obs;
  }
  env.close?.();
  return { mean_probs: mean.map((p) => +p.toFixed(3)), argmax_hist: hist };
}

/** Action names with the paddle direction each one moves (MOVES: −1 up, +1 down). */
const actionNames = PONG_ACTIONS.map((name, i) => (MOVES[i]! < 0 ? `${name}(up)` : MOVES[i]! > 0 ? `${name}(down)` : name));

async function main(dir: string | undefined, at: string[]): Promise<void> {
  if (!dir) throw new PgvarError('usage: node dist/bench/pong-policy.js RUN_DIR [STEPS…] (steps as for `pgvar eval --at`: 500000, 500k, 1M)');
  const steps = at.map((v) => {
    try {
      return stepsFlag(v);
    } catch (e) {
      throw new PgvarError(`step '${v}': ${(e as Error).message}`);
    }
  });
  await initBackend('auto', () => {});
  const out: Record<string, unknown>[] = [];
  for (const step of steps.length ? steps : [undefined]) {
    const run = await loadRun(dir, step);
    out.push({
      step: run.trainer.globalStep,
      actions: actionProbabilities(run),
      tracking_sampled: tracking(run, 'sample'),
      tracking_greedy: tracking(run, 'greedy'),
      tracking_uniform_random: tracking(run, 'random'),
    });
    run.trainer.dispose();
  }
  process.stdout.write(JSON.stringify({ run: dir, action_names: actionNames, checkpoints: out }, null, 1) + '\n');
}

const [dir, ...at] = process.argv.slice(2);
await main(dir, at).catch((e: unknown) => {
  if (!(e instanceof PgvarError)) throw e;
  process.stderr.write(`pong-policy: error: ${e.message}\n`);
  process.exit(2);
});
