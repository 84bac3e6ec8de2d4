/**
 * Entry of a learner thread (see learner-pool.ts): builds the same network as the main thread, then
 * for each minibatch shard sets the parameters it is sent, differentiates ppoLoss on the shard and
 * writes gradients, statistics and loss into its shared result buffer.
 */
import { tf } from '../nets/tf.js';
import { workerData, parentPort } from 'node:worker_threads';
import { Rng } from '../common/rng.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { initBackend, type BackendChoice } from '../nets/backend.js';
import { LEARNER_DONE, LEARNER_ERROR_BYTES, LEARNER_FAILED, type LearnerSpec } from './learner-pool.js';
import { LOSS_STATS, ppoLoss, type ShardTotals } from './ppo-loss.js';
import { minibatchTensors, type MinibatchArrays } from './update.js';

const { spec, control, result, error } = workerData as { spec: LearnerSpec; control: Int32Array; result: Float32Array; error: Uint8Array };

function fail(e: unknown): void {
  const bytes = new TextEncoder().encode(e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)).subarray(0, LEARNER_ERROR_BYTES);
  error.set(bytes);
  Atomics.store(control, 1, bytes.length);
  Atomics.store(control, 0, LEARNER_FAILED);
  Atomics.notify(control, 0);
}

const ready = (async () => {
  await initBackend((spec.backend === 'tensorflow' ? 'node' : spec.backend) as BackendChoice, () => {});
  const agent = new ActorCritic(spec.observationSpace, spec.actionSpace, spec.options, new Rng(0));
  const shapes = agent.allParams.map((p) => p.shape);
  if (JSON.stringify(shapes) !== JSON.stringify(spec.shapes)) throw new Error(`learner thread: network shapes ${JSON.stringify(shapes)} differ from the main thread's ${JSON.stringify(spec.shapes)}`);
  return agent;
})();

parentPort!.on('message', (msg: { params: Float32Array[]; shard: MinibatchArrays; totals: ShardTotals }) => {
  ready
    .then((agent) => {
      const params = agent.allParams;
      tf.tidy(() => params.forEach((p, i) => p.assign(tf.tensor(msg.params[i]!, p.shape))));
      tf.tidy(() => {
        const kept: tf.Tensor[] = [];
        const mb = minibatchTensors(msg.shard, agent.obsDim, agent.actionDim);
        const { value: loss, grads } = tf.variableGrads(() => ppoLoss(agent, mb, spec.loss, kept, msg.totals), params);
        let o = 0;
        for (const p of params) {
          const g = grads[p.name]!.dataSync() as Float32Array;
          result.set(g, o);
          o += g.length;
        }
        result.set(kept[0]!.dataSync() as Float32Array, o);
        result[o + LOSS_STATS] = loss.dataSync()[0]!;
        kept[0]!.dispose();
      });
      Atomics.store(control, 0, LEARNER_DONE);
      Atomics.notify(control, 0);
    })
    .catch(fail);
});
