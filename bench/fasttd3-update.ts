/**
 * Cost of the `fasttd3` agent under its `paper` and `cpu` presets (issue 20), on the DMC shapes of
 * FastTD3's CheetahRun example (dmc/cheetah-run: obs 17, act 6). Per preset:
 *   - ms per update: the learner's whole update (online actor's smoothed next actions, the two C51
 *     target critics projected and the one with the smaller expectation taken, the critics'
 *     cross-entropy step with AdamW, Polyak τ 0.1, the actor's step on every second update) on fresh
 *     random batches of the preset's size; median over rounds, and one instrumented pass by phase;
 *   - env steps (transitions) per second of the training loop (numEnvs envs stepped together, one
 *     batched actor call with mixed noise, the normaliser's update, updatesPerStep updates per vector
 *     step), measured after the warm-up (learningStarts) and the first updates;
 *   - the preset's values that set the cost, and the parameter counts.
 * The loop's replay capacity is cut to 65 536 transitions (the paper preset's 6.55M would allocate
 * ~1.1 GB here; capacity does not change the cost of a step). Prints JSON.
 *   node dist/bench/fasttd3-update.js [--rounds 3] [--env dmc/cheetah-run] [--out FILE]
 */
import { runBenchMain } from './bench-main.js';
import { envShapes, r3, updateCost } from './offpolicy-bench.js';
import { Rng } from '../common/rng.js';
import { make } from '../envs/registry.js';
import { agentConfig } from '../offpolicy/agents.js';
import type { OffPolicyConfig, PresetName } from '../offpolicy/config.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { allocBatch } from '../offpolicy/replay.js';
import { OffPolicyTrainer } from '../offpolicy/trainer.js';

/** ms per update (median over rounds of `updates` updates, after one warm-up update; the actor runs on every second) and one instrumented pass by phase. */
export function benchFastTd3Update(cfg: OffPolicyConfig, obsDim: number, actDim: number, rounds: number, updates: number): Record<string, unknown> {
  const rng = new Rng(0);
  const learner = new OffPolicyLearner(cfg, obsDim, actDim, rng);
  const b = allocBatch(cfg.batchSize, obsDim, actDim);
  return updateCost(learner, b, rng, rounds, updates);
}

/** Transitions per second of the training loop past its warm-up and first updates (`vectorSteps` timed vector steps). */
export function benchFastTd3Loop(cfg: OffPolicyConfig, vectorSteps: number): Record<string, unknown> {
  const c = { ...cfg, bufferSize: Math.max(65_536, cfg.batchSize), totalTimesteps: cfg.learningStarts + (vectorSteps + 3) * cfg.numEnvs, evalEvery: 0 };
  const tr = new OffPolicyTrainer(c, Array.from({ length: c.numEnvs }, () => make(c.envId)));
  while (tr.globalStep <= c.learningStarts + c.numEnvs) tr.step(); // warm-up and the first updates, untimed
  const t0 = performance.now();
  for (let k = 0; k < vectorSteps; k++) tr.step();
  const s = (performance.now() - t0) / 1000;
  tr.close();
  return { timed_vector_steps: vectorSteps, seconds: +s.toFixed(2), env_steps_per_s: +((vectorSteps * c.numEnvs) / s).toFixed(3), vector_steps_per_s: +(vectorSteps / s).toFixed(4), updates_per_vector_step: c.updatesPerStep };
}

function costKeys(c: OffPolicyConfig): Record<string, unknown> {
  return { preset: c.preset, numEnvs: c.numEnvs, batchSize: c.batchSize, updatesPerStep: c.updatesPerStep, criticHidden: c.criticHidden, actorHidden: c.actorHidden, atoms: c.atoms, numCritics: c.numCritics };
}

export async function benchFastTd3(envId = 'dmc/cheetah-run', rounds = 3): Promise<Record<string, unknown>> {
  const { obsDim, actDim } = await envShapes([envId]);
  const out: Record<string, unknown> = { env: envId, obs_dim: obsDim, act_dim: actDim };
  const cpu = agentConfig('fasttd3', envId, { preset: 'cpu' });
  out['cpu'] = { ...costKeys(cpu), update: benchFastTd3Update(cpu, obsDim, actDim, rounds, 10), loop: benchFastTd3Loop(cpu, 20) };
  // the paper preset: batch 32 768 through 1024-wide critics needs more activation memory than the
  // engine's wasm arena addresses; recorded as such, then timed at the paper's widths and envs with
  // the largest power-of-two batch that fits, 4 096 (the update's cost is linear in the batch)
  const paper = agentConfig('fasttd3', envId, { preset: 'paper' as PresetName });
  let fullBatch: Record<string, unknown>;
  try {
    fullBatch = benchFastTd3Update(paper, obsDim, actDim, 1, 1);
  } catch (e) {
    fullBatch = { error: String(e).split('\n')[0] };
  }
  const p4k = { ...paper, batchSize: 4096 };
  const update = benchFastTd3Update(p4k, obsDim, actDim, 1, 2);
  out['paper'] = {
    ...costKeys(paper),
    update_at_batch_32768: fullBatch,
    update_at_batch_4096: update,
    ms_per_update_at_batch_32768_extrapolated_linear: r3((update['ms_per_update'] as number) * 8),
    loop_at_batch_4096: benchFastTd3Loop(p4k, 1),
  };
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await runBenchMain(benchFastTd3);
