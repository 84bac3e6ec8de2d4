/**
 * What one update of each issue-18 agent costs at its defaults (CleanRL's SAC and TD3, sac-ln-reset,
 * vpl, dac), on an env's shapes (default dmc/cheetah-run: obs 17, act 6), batch 256: ms per update
 * (offpolicy-bench's timeUpdates: median over rounds of fresh random batches, drawing them not timed,
 * after one warm-up update; vpl's β step on a second, held-out batch as in training), and the update time alone of a 300k-step run at the agent's replay
 * ratio (env stepping and evaluation not counted). The machine's load average is recorded: these are
 * for planning runs, not a comparison with other code.
 *   node dist/bench/agent-updates.js [--agents sac,td3,sac-ln-reset,vpl,dac] [--env ID] [--rounds 3] [--updates 40] [--out FILE]
 */
import * as os from 'node:os';
import { benchArg, runBenchMain } from './bench-main.js';
import { envShapes, median, r3, randomBatch, timeUpdates } from './offpolicy-bench.js';
import { Rng } from '../common/rng.js';
import { agentConfig } from '../offpolicy/agents.js';
import { OFF_POLICY_ALGOS, type OffPolicyAlgo } from '../offpolicy/config.js';
import { OffPolicyLearner } from '../offpolicy/learner.js';
import { allocBatch } from '../offpolicy/replay.js';
import { engineKernels } from '../nets/engine/arena.js';

const STEPS = 300_000;

await runBenchMain(async (envId, rounds) => {
  const agents = benchArg('agents', 'sac,td3,sac-ln-reset,vpl,dac').split(',');
  for (const a of agents) {
    if (!(OFF_POLICY_ALGOS as readonly string[]).includes(a)) {
      process.stderr.write(`agent-updates: --agents ${a}: expected some of ${OFF_POLICY_ALGOS.join(', ')}\n`);
      process.exit(2);
    }
  }
  const updates = Number(benchArg('updates', '40'));
  const { obsDim, actDim } = await envShapes([envId]);
  const loadBefore = os.loadavg()[0]!;
  const rows = agents.map((algo) => {
    const cfg = agentConfig(algo as OffPolicyAlgo, envId, {});
    const rng = new Rng(0);
    const learner = new OffPolicyLearner(cfg, obsDim, actDim, rng);
    const b = allocBatch(cfg.batchSize, obsDim, actDim);
    const val = cfg.validationEvery > 0 ? allocBatch(cfg.batchSize, obsDim, actDim) : null;
    const perRound = timeUpdates(learner, b, rng, rounds, updates, randomBatch, val);
    const ms = median(perRound);
    process.stderr.write(`agent-updates: ${algo} ${ms.toFixed(1)} ms per update\n`);
    return { algo, batch_size: cfg.batchSize, updates_per_step: cfg.updatesPerStep, ms_per_update_rounds: perRound.map(r3), ms_per_update: r3(ms), update_hours_per_300k_steps: r3((ms * cfg.updatesPerStep * STEPS) / 3.6e6) };
  });
  return { bench: 'agent-updates', kernels: engineKernels(), env: envId, obs_dim: obsDim, act_dim: actDim, note: 'load average is the 1-minute figure', load_average: [r3(loadBefore), r3(os.loadavg()[0]!)], agents: rows };
});
