/** Pieces shared by the off-policy update benchmarks (bench/bro-update.ts, bench/fasttd3-update.ts). */
import { fillNormal, type Rng } from '../common/rng.js';
import type { OffPolicyLearner } from '../offpolicy/learner.js';
import type { Batch } from '../offpolicy/replay.js';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const r3 = (x: number) => +x.toFixed(3);

/** Fresh random data in b: N(0, 1) observations and rewards, uniform actions in [−1, 1]. */
export function randomBatch(b: Batch, rng: Rng): Batch {
  fillNormal(rng, b.obs);
  fillNormal(rng, b.nextObs);
  fillNormal(rng, b.rew);
  for (let k = 0; k < b.act.length; k++) b.act[k] = rng.uniform(-1, 1);
  return b;
}

/** ms per update in each of `rounds` rounds of `updates` updates, after one warm-up update; drawing the data (`fill`) is not timed. */
export function timeUpdates(learner: OffPolicyLearner, b: Batch, rng: Rng, rounds: number, updates: number, fill: (b: Batch, rng: Rng) => Batch = randomBatch): number[] {
  learner.update(fill(b, rng), rng);
  const perRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let spent = 0;
    for (let u = 0; u < updates; u++) {
      fill(b, rng);
      const t0 = performance.now();
      learner.update(b, rng);
      spent += performance.now() - t0;
    }
    perRound.push(spent / updates);
  }
  return perRound;
}
