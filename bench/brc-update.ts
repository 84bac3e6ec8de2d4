/**
 * Cost of the `brc` agent under its `paper` and `cpu` presets (issue 20), on DMC shapes
 * (dmc/cheetah-run: obs 17, act 6), single-task and multi-task (dmc/walker-walk, dmc/walker-run,
 * dmc/cheetah-run: obs padded to 24, act 6, 3 tasks, batch 1024, a 32-dim task embedding). Per case:
 *   - ms per update: the learner's whole update (the per-task reward normaliser's division, π's next
 *     actions and log π, the two BroNet target critics' mean of probabilities C51-projected with the
 *     entropy shift, the critics' summed cross-entropy step with AdamW — and the embedding's gradient —,
 *     Polyak, the actor's step, α) on fresh random batches; median over rounds, and one instrumented
 *     pass by phase;
 *   - env steps (transitions) per second of the training loop past its warm-up (cpu preset);
 *   - the preset's values that set the cost, and the parameter counts.
 * The paper preset's critics are 4096 wide: the pair with its AdamW moments and the target copy needs
 * more than the wasm engine's 2 GiB arena, which is recorded as the engine's one-line error; it is
 * then timed at width 1024 (the update's cost grows about as the width squared). Prints JSON.
 *   node dist/bench/brc-update.js [--rounds 3] [--env dmc/cheetah-run] [--out FILE]
 */
import { runBenchMain } from './bench-main.js';
import { envShapes, randomBatch, updateCost } from './offpolicy-bench.js';
import { Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import { agentConfig } from '../offpolicy/agents.js';
import { taskIds, type OffPolicyConfig } from '../offpolicy/config.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { allocBatch, type Batch } from '../offpolicy/replay.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';

const MULTI_TASK = 'dmc/walker-walk,dmc/walker-run,dmc/cheetah-run';

/** Random data with each row's task drawn uniformly. */
function taskBatch(b: Batch, tasks: number, rng: Rng): Batch {
  randomBatch(b, rng);
  for (let i = 0; i < b.n; i++) b.task![i] = rng.int(tasks);
  return b;
}

/** ms per update (median over rounds of `updates` updates, after one warm-up update) and one instrumented pass by phase. */
export function benchBrcUpdate(cfg: OffPolicyConfig, obsDim: number, actDim: number, tasks: number, rounds: number, updates: number): Record<string, unknown> {
  const rng = new Rng(0);
  const learner = new OffPolicyLearner(cfg, obsDim, actDim, rng, tasks);
  const b = allocBatch(cfg.batchSize, obsDim, actDim);
  return updateCost(learner, b, rng, rounds, updates, (x, r) => taskBatch(x, tasks, r));
}

/** The update at the preset's size, or the engine's one-line error when it does not fit. */
function updateOrError(cfg: OffPolicyConfig, obsDim: number, actDim: number, tasks: number, rounds: number, updates: number): Record<string, unknown> {
  try {
    return benchBrcUpdate(cfg, obsDim, actDim, tasks, rounds, updates);
  } catch (e) {
    return { error: String(e).split('\n')[0] };
  }
}

/** Transitions per second of the training loop (one env per task) past its warm-up and first updates (`steps` timed vector steps). */
export function benchBrcLoop(cfg: OffPolicyConfig, steps: number): Record<string, unknown> {
  const ids = taskIds(cfg.envId);
  const warm = cfg.batchSize + ids.length;
  const c = { ...cfg, bufferSize: 65_536, learningStarts: warm, totalTimesteps: warm + (steps + 3) * ids.length, evalEvery: 0 };
  const tr = new OffPolicyTrainer(c, ids.map((id) => make(id)));
  while (tr.globalStep <= warm + ids.length) tr.step(); // warm-up and the first updates, untimed
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) tr.step();
  const s = (performance.now() - t0) / 1000;
  tr.close();
  return { timed_vector_steps: steps, seconds: +s.toFixed(2), env_steps_per_s: +((steps * ids.length) / s).toFixed(3), updates_per_vector_step: c.updatesPerStep };
}

function costKeys(c: OffPolicyConfig): Record<string, unknown> {
  return { preset: c.preset, tasks: taskIds(c.envId).length, batchSize: c.batchSize, updatesPerStep: c.updatesPerStep, criticHidden: c.criticHidden, criticBlocks: c.criticBlocks, actorHidden: c.actorHidden, atoms: c.atoms, numCritics: c.numCritics, taskEmbeddingDim: c.taskEmbeddingDim };
}

export async function benchBrc(envId = 'dmc/cheetah-run', rounds = 3): Promise<Record<string, unknown>> {
  const single = await envShapes([envId]);
  const multi = await envShapes(taskIds(MULTI_TASK));
  const out: Record<string, unknown> = { env: envId, obs_dim: single.obsDim, act_dim: single.actDim, multi_task_envs: MULTI_TASK, multi_task_obs_dim: multi.obsDim, multi_task_act_dim: multi.actDim };
  const cpu = agentConfig('brc', envId, { preset: 'cpu' });
  out['cpu'] = { ...costKeys(cpu), update: benchBrcUpdate(cpu, single.obsDim, single.actDim, 1, rounds, 10), loop: benchBrcLoop(cpu, 30) };
  const cpuMulti = agentConfig('brc', MULTI_TASK, { preset: 'cpu' });
  out['cpu_multi_task'] = { ...costKeys(cpuMulti), update: benchBrcUpdate(cpuMulti, multi.obsDim, multi.actDim, 3, rounds, 3), loop: benchBrcLoop(cpuMulti, 5) };
  const paper = agentConfig('brc', envId);
  const at1024 = { ...paper, criticHidden: [1024] };
  out['paper'] = {
    ...costKeys(paper),
    update_at_width_4096: updateOrError(paper, single.obsDim, single.actDim, 1, 1, 1),
    update_at_width_1024: benchBrcUpdate(at1024, single.obsDim, single.actDim, 1, 1, 2),
  };
  const paperMulti = agentConfig('brc', MULTI_TASK);
  out['paper_multi_task'] = {
    ...costKeys(paperMulti),
    update_at_width_4096: updateOrError(paperMulti, multi.obsDim, multi.actDim, 3, 1, 1),
    update_at_width_1024: benchBrcUpdate({ ...paperMulti, criticHidden: [1024] }, multi.obsDim, multi.actDim, 3, 1, 1),
  };
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await runBenchMain(benchBrc);
