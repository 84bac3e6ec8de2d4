import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf } from '../nets/tf.js';
import t from 'tap';
import { NonFiniteError } from '../common/errors.js';
import { CartPoleEnv } from '../envs/classic/cartpole.js';
import type { Action, StepResult } from '../envs/env.js';
import { register } from '../envs/registry.js';
import { resolveConfig } from '../experiment/build.js';
import { RunDir } from '../experiment/run-dir.js';
import { trainRun } from '../experiment/train-run.js';
import { backend, tmpDir } from './helpers.js';

await backend();

/** CartPole whose observation turns NaN after `after` steps of this instance. */
class NaNAfter extends CartPoleEnv {
  private n = 0;
  constructor(private readonly after: number) {
    super();
  }
  override step(a: Action): StepResult {
    const r = super.step(a);
    this.n += 1;
    if (this.n > this.after) r.obs[2] = NaN;
    return r;
  }
}
register({ id: 'Test/NaNCartPole-v0', create: () => new NaNAfter(1000), maxEpisodeSteps: 500, family: 'classic', description: 'test only' });

const cfg = (envId: string) => resolveConfig({}, { envId, totalTimesteps: 8192, numEnvs: 2, numSteps: 128, seed: 1 });

t.test('NaN from an env stops the run naming env, step and quantity; the last checkpoint is intact and resumable', async (t) => {
  const out = path.join(tmpDir(), 'run');
  const err = await trainRun({ out, config: cfg('Test/NaNCartPole-v0'), progress: false }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, NonFiniteError);
  const msg = (err as Error).message;
  t.match(msg, /environment Test\/NaNCartPole-v0/);
  t.match(msg, /observation\[2\] = NaN/);
  t.match(msg, /at step 1001/, 'the env’s own step count');
  t.match(msg, /last checkpoint .* is intact/);
  const run = new RunDir(out);
  const ck = run.loadCheckpoint();
  // each env hits NaN at its 1001st step, inside iteration 8 (steps 897–1024 per env)
  t.equal(ck.trainer.iteration, 7);
  t.equal(run.readMetrics().length, 7, 'logs hold exactly the checkpointed iterations');
});

t.test('NaN from the network (diverged weights) is caught; resume continues from the last good checkpoint', async (t) => {
  const out = path.join(tmpDir(), 'run');
  const err = await trainRun({
    out,
    config: cfg('CartPole-v1'),
    progress: false,
    onIteration: (tr) => {
      if (tr.iteration === 3) {
        const w = tr.agent.critic.params[2]!;
        w.assign(tf.fill(w.shape, Infinity));
      }
    },
  }).then(
    () => null,
    (e: unknown) => e,
  );
  t.type(err, NonFiniteError);
  t.match((err as Error).message, /non-finite value estimate from the policy network at step \d+/);
  const summary = await trainRun({ out, resume: true, progress: false });
  t.equal(summary.steps, 8192);
  t.equal(new RunDir(out).readMetrics().length, 32);
  t.ok(fs.existsSync(path.join(out, 'summary.json')));
});
