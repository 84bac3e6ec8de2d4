/**
 * The replay of a multi-task run (BRC, spec baselines.md §8 and §12.8): one ring (offpolicy/replay.ts)
 * per task, each of the run's bufferSize, all with the largest observation and action sizes (shorter
 * observations zero-padded, actions as the actor emitted them). A minibatch row draws its task
 * uniformly, then a transition uniformly from that task's ring, and records the task in `batch.task`:
 * uniform over task × index, since the rings fill in lockstep (one env per task stepped together).
 * With one task it is that ring's own sampling, draw for draw.
 */
import type { Rng } from '../common/rng.js';
import type { Batch, ReplayBuffer } from './replay.js';

export class TaskReplay {
  constructor(readonly rings: readonly ReplayBuffer[]) {
    if (rings.length === 0) throw new Error('TaskReplay: at least one ring');
  }

  get tasks(): number {
    return this.rings.length;
  }

  /** Fills `out` with out.n rows, each of a uniformly drawn task and a uniform transition of its ring. */
  sample(rng: Rng, out: Batch): Batch {
    const T = this.rings.length;
    if (T === 1) {
      this.rings[0]!.sample(rng, out);
      out.task?.fill(0);
      return out;
    }
    if (!out.task) throw new Error('TaskReplay.sample: the batch has no task column');
    for (let r = 0; r < out.n; r++) {
      const k = rng.int(T);
      this.rings[k]!.sampleInto(rng, out, r);
      out.task[r] = k;
    }
    return out;
  }
}
