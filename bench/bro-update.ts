/**
 * Cost of the `bro` and `bro-fast` agents under their `paper` and `cpu` presets (issue 20), on BRO's
 * DMC shapes (dmc/cheetah-run: obs 17, act 6). Per preset:
 *   - ms per update: the learner's whole update (target quantiles from π_c's next actions, the two
 *     BroNet quantile critics' QR-Huber step with AdamW, Polyak, π_c's step, α, the optimistic
 *     shift's step, β_ub and λ) on fresh random batches; median over rounds, and the same update split
 *     into its phases (one instrumented pass of the same steps);
 *   - env steps per second of the training loop (env step + `updatesPerStep` updates on replay
 *     minibatches), measured after the random warm-up, for each agent (bro: UTD 10 / 2; bro-fast: 2 / 1);
 *   - the preset's values that set the cost, and the critic pair's parameter count.
 * Prints JSON.
 *   node dist/bench/bro-update.js [--rounds 3] [--env dmc/cheetah-run] [--out FILE]
 */
import { runBenchMain } from './bench-main.js';
import { envShapes, median, r3, randomBatch, timeUpdates } from './offpolicy-bench.js';
import { Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import { agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig, PresetName } from '../offpolicy/config.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { allocBatch } from '../offpolicy/replay.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';

type Phase = 'target' | 'critic' | 'actor' | 'temperature' | 'optimistic' | 'polyak';

/** ms per update (median over rounds of `updates` updates each, after one warm-up update) and one instrumented pass by phase. */
export function benchBroUpdate(cfg: OffPolicyConfig, obsDim: number, actDim: number, rounds: number, updates: number): Record<string, unknown> {
  const rng = new Rng(0);
  const learner = new OffPolicyLearner(cfg, obsDim, actDim, rng);
  const b = allocBatch(cfg.batchSize, obsDim, actDim);
  const perRound = timeUpdates(learner, b, rng, rounds, updates);
  // the same steps as OffPolicyLearner.update, timed one by one
  const phases: Record<Phase, number> = { target: 0, critic: 0, actor: 0, temperature: 0, optimistic: 0, polyak: 0 };
  const lap = (p: Phase, f: () => unknown) => {
    const t0 = performance.now();
    f();
    phases[p] += performance.now() - t0;
  };
  for (let u = 0; u < updates; u++) {
    randomBatch(b, rng);
    let y: Float32Array = new Float32Array(0);
    lap('target', () => (y = learner.tdTarget(b, rng, new Float32Array(b.n * learner.head.outputs))));
    lap('critic', () => learner.criticStep(b, y));
    lap('actor', () => learner.actorStep(b, rng));
    lap('temperature', () => learner.temperatureStep(b, rng));
    lap('optimistic', () => {
      if (!learner.optimistic || learner.policy.kind !== 'tanh-gaussian') return;
      learner.optimistic.dualStep(learner.optimistic.step(b.obs, b.n, learner.policy, learner.critics, rng).kl);
    });
    lap('polyak', () => learner.updateTargets());
  }
  return {
    ms_per_update_rounds: perRound.map(r3),
    ms_per_update: r3(median(perRound)),
    ms_per_update_by_phase: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, r3(v / updates)])),
    critic_pair_parameters: learner.critics.store.lengths.reduce((a, x) => a + x, 0),
    actor_parameters: learner.policy.store.lengths.reduce((a, x) => a + x, 0),
    optimistic_actor_parameters: learner.optimistic ? learner.optimistic.store.lengths.reduce((a, x) => a + x, 0) : 0,
  };
}

/** Env steps per second of the training loop past its random warm-up (`steps` timed steps). */
export function benchBroLoop(cfg: OffPolicyConfig, steps: number): Record<string, unknown> {
  const warm = cfg.batchSize + 1;
  const tr = new OffPolicyTrainer({ ...cfg, learningStarts: warm, totalTimesteps: warm + 2 + steps, evalEvery: 0, resetAt: [] }, make(cfg.envId));
  while (tr.globalStep <= warm + 1) tr.step(); // the first updates, untimed
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) tr.step();
  const s = (performance.now() - t0) / 1000;
  tr.close();
  return { timed_env_steps: steps, seconds: +s.toFixed(2), env_steps_per_s: +(steps / s).toFixed(3), updates_per_env_step: cfg.updatesPerStep };
}

/** The values of a preset that set the cost. */
function costKeys(c: OffPolicyConfig): Record<string, unknown> {
  return {
    preset: c.preset,
    criticHidden: c.criticHidden,
    criticBlocks: c.criticBlocks,
    actorHidden: c.actorHidden,
    actorBlocks: c.actorBlocks,
    quantiles: c.quantiles,
    numCritics: c.numCritics,
    batchSize: c.batchSize,
    updatesPerStep: c.updatesPerStep,
  };
}

export async function benchBro(envId = 'dmc/cheetah-run', rounds = 3): Promise<Record<string, unknown>> {
  const { obsDim, actDim } = await envShapes([envId]);
  const out: Record<string, unknown> = { env: envId, obs_dim: obsDim, act_dim: actDim };
  for (const preset of ['paper', 'cpu'] as PresetName[]) {
    const bro = agentConfig('bro', envId, { preset });
    // the paper preset's update is ~100× the cpu one's: fewer timed updates and env steps
    const paper = preset === 'paper';
    const update = benchBroUpdate(bro, obsDim, actDim, rounds, paper ? 5 : 50);
    const agents: Record<string, unknown> = {};
    for (const algo of ['bro', 'bro-fast'] as const) {
      const c = agentConfig(algo, envId, { preset });
      agents[algo] = { ...costKeys(c), ...benchBroLoop(c, paper ? (algo === 'bro' ? 5 : 20) : algo === 'bro' ? 100 : 200) };
    }
    out[preset] = { update: { ...costKeys(bro), updatesPerStep: undefined, ...update }, loop: agents };
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await runBenchMain(benchBro);
