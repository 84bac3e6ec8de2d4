/**
 * Fixes from the review of `brc` and `fasttd3` (spec baselines.md §1, §8, §9): a multi-task run's
 * per-task step defaults scaled by the task count (BRC's train.py counts steps per task); the actor
 * and temperature steps of a multi-task learner reading the task embedding after the critic's
 * optimiser step; the floor ε² on FastTD3's normalisers' variance; FastTD3's CDQ choosing between the
 * projected target members; taskRewardNormalization's one-line config errors; the policy delay
 * counted within a vector step when updatesPerStep > 1.
 */
import t from 'tap';
import { AGENT_DEFAULTS, agentConfig, scaledStepNote } from '../offpolicy/agents.js';

const TASKS3 = 'Pendulum-v1,LunarLanderContinuous-v3,pgvar/GaussianBandit-v0';

t.test('multi-task: the per-task step defaults are scaled by the task count unless set (BRC counts steps per task)', async (t) => {
  const d = AGENT_DEFAULTS.brc;
  const c = agentConfig('brc', TASKS3);
  t.equal(c.learningStarts, 3 * 5000, 'learningStarts 3·5 000');
  t.equal(c.totalTimesteps, 3 * 1_000_000, 'totalTimesteps 3·1M');
  t.equal(c.evalEvery, 3 * 50_000, 'evalEvery 3·50k');
  t.equal(c.logEvery, 3 * d.logEvery, 'logEvery ×3');
  t.equal(c.checkpointEvery, 3 * d.checkpointEvery, 'checkpointEvery ×3');
  t.equal(c.batchSize, 1024, 'batch 1024 (not scaled)');
  t.equal(c.bufferSize, d.bufferSize, 'bufferSize is per task already (not scaled)');
  const cpu = agentConfig('brc', TASKS3, { preset: 'cpu' });
  t.equal(cpu.learningStarts, 15_000, 'the cpu preset scales too');
  const o = agentConfig('brc', TASKS3, { learningStarts: 700, totalTimesteps: 9000, evalEvery: 0 });
  t.same([o.learningStarts, o.totalTimesteps, o.evalEvery, o.logEvery], [700, 9000, 0, 3 * d.logEvery], 'a value set is taken as given; the rest scale');
  const s = agentConfig('brc', 'Pendulum-v1');
  t.same([s.learningStarts, s.totalTimesteps, s.evalEvery], [5000, 1_000_000, 50_000], 'single-task: unchanged');
  t.equal(scaledStepNote('Pendulum-v1'), undefined, 'single-task: no note');
  t.match(scaledStepNote(TASKS3, { evalEvery: 0 }) ?? '', /3 tasks: the defaults of learningStarts, totalTimesteps, logEvery, checkpointEvery are per task and scaled ×3/, 'the note names the scaled keys');
});
