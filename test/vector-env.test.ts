import t from 'tap';
import { make } from '../envs/registry.js';
import { RecordEpisodeStatistics } from '../envs/wrappers/record-episode-statistics.js';
import { SyncVectorEnv } from '../envs/vector.js';

const mk = () => new RecordEpisodeStatistics(make('CartPole-v1', { maxEpisodeSteps: 3 }));

t.test('same-step autoreset: final obs kept, obs is the reset obs, episode stats in finalInfos', async (t) => {
  const v = new SyncVectorEnv([mk(), mk()], 'same-step');
  const ref = mk();
  const r0 = v.reset({ seed: 10 });
  const refObs = ref.reset({ seed: 11 }).obs; // env 1 is seeded with seed + 1
  t.same(Array.from(r0.obs.subarray(4, 8)), Array.from(refObs));
  let s;
  for (let k = 0; k < 3; k++) {
    s = v.step([0, 1]);
    const rr = ref.step(1);
    if (k < 2) {
      t.equal(s.truncated[1], 0);
      t.same(Array.from(s.obs.subarray(4, 8)), Array.from(rr.obs));
    } else {
      t.equal(s.truncated[1], 1, 'truncated on the third step');
      t.equal(s.terminated[1], 0);
      t.equal(s.rewards[1], 1);
      t.same(Array.from(s.finalObs[1]!), Array.from(rr.obs), 'final obs = the truncated episode’s last obs');
      t.same(s.finalInfos[1]!['episode'] && (s.finalInfos[1]!['episode'] as { l: number }).l, 3);
      const reset = ref.reset().obs;
      t.same(Array.from(s.obs.subarray(4, 8)), Array.from(reset), 'returned obs = first obs of the next episode');
    }
  }
  t.equal(s!.autoresetMask[1], 0);
});

t.test('next-step autoreset: the step after the end ignores the action and returns reset obs, reward 0', async (t) => {
  const v = new SyncVectorEnv([mk()], 'next-step');
  v.reset({ seed: 1 });
  let s = v.step([1]);
  s = v.step([1]);
  s = v.step([1]);
  t.equal(s.truncated[0], 1);
  t.equal(s.finalObs[0], null, 'no final_obs in next-step mode: obs is the terminal obs');
  s = v.step([7]); // an invalid action is ignored on the autoreset step
  t.equal(s.autoresetMask[0], 1);
  t.equal(s.rewards[0], 0);
  t.equal(s.truncated[0], 0);
  t.equal(s.terminated[0], 0);
  s = v.step([0]);
  t.equal(s.autoresetMask[0], 0);
  t.equal(s.rewards[0], 1);
});

t.test('vector env state round-trips', async (t) => {
  const v = new SyncVectorEnv([mk(), mk()]);
  v.reset({ seed: 5 });
  v.step([0, 1]);
  const st = JSON.parse(JSON.stringify(v.getState()));
  const a = [v.step([1, 1]), v.step([0, 0])].map((s) => Array.from(s.obs));
  v.setState(st);
  const b = [v.step([1, 1]), v.step([0, 0])].map((s) => Array.from(s.obs));
  t.same(a, b);
});
