/**
 * The schedules of the learned-model estimators against the released MBMA code
 * (naumix/CHANGES_ICML2023 @ cfc8c3d, mbma/mbma.py and mbma/mbpo.py): the annealing clock of N and H
 * (spec estimators.md §1.7 step 3) and MBPO's imagination horizon (§1.9).
 */
import t from 'tap';
import type { EstimatorContext } from '../estimators/estimator.js';
import type { LearnedModelEstimator } from '../estimators/learned-model-estimator.js';
import { resolveConfig } from '../experiment/build.js';
import { createTrainer } from '../experiment/train-run.js';
import { backend } from './helpers.js';

await backend();

/** CPython's float `a // b` (Objects/floatobject.c, float_divmod): fmod first, then floor with its rounding fix; a ≥ 0, b > 0. */
function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  const div = (a - mod) / b;
  if (div === 0) return 0;
  const floor = Math.floor(div);
  return div - floor > 0.5 ? floor + 1 : floor;
}

/**
 * The released schedule, mbma.py:119–127: `wm_step += 1` runs before
 * `num_actions = int(wm_step * args.action_samples // (num_updates * args.anneal_limit) + 1)` (the
 * horizon with `+ 2`), then the cap at the maximum; so wm_step = 1 on the model's first active iteration.
 */
function released(wmStep: number, max: number, offset: number, U: number, f: number): number {
  return Math.min(max, Math.trunc(pyFloorDiv(wmStep * max, U * f) + offset));
}

/** A Pendulum trainer whose estimator trains its model from the first rollout (64 steps per iteration). */
function modelTrainer(estimator: 'daa' | 'mbpo', iterations: number, options: Record<string, unknown>) {
  const config = resolveConfig({}, {
    envId: 'Pendulum-v1', totalTimesteps: 64 * iterations, numEnvs: 1, numSteps: 64, numMinibatches: 1, seed: 1, estimator,
    estimatorOptions: { warmupSteps: 0, firstTrainMultiplier: 1, modelUpdates: 1, modelBatch: 32, hidden: [8], bufferSize: 4096, ...options },
  });
  return createTrainer(config);
}

t.test('N and H anneal on the released clock (wm_step = 1 at the first active iteration), U = 488, N = 8, H = 10', async (t) => {
  const U = 488;
  const f = 0.15;
  const tr = modelTrainer('daa', U, { actions: 8, horizon: 10, annealFraction: f });
  t.equal(tr.numIterations, U);
  const est = tr.estimator as LearnedModelEstimator;
  // the first ten active iterations through the estimator: the released values change at w = 8 (H) and w = 10 (N)
  const got: [number, number][] = [];
  for (let w = 1; w <= 10; w++) {
    const b = est.prepare(tr.collector.collect(64, (w - 1) * 64), tr.estimatorContext());
    t.equal(b.stats['model_active'], 1);
    got.push([b.stats['extra_actions']!, b.stats['horizon']!]);
  }
  const want = Array.from({ length: 10 }, (_, i): [number, number] => [released(i + 1, 8, 1, U, f), released(i + 1, 10, 2, U, f)]);
  t.same(got, want, `(N, H) at w = 1…10: ${JSON.stringify(want)}`);
  t.same(want.slice(6, 10), [[1, 2], [1, 3], [1, 3], [2, 3]], 'the released values themselves (H steps up at w = 8, N at w = 10)');
  // the rest of the schedule, to its end (N reaches 8 at w = 65, H 10 at w = 59)
  const ctx: EstimatorContext = tr.estimatorContext();
  for (let w = 11; w <= 80; w++) {
    est.learner.modelSteps = w;
    t.equal(est.learner.annealed(8, 1, ctx), released(w, 8, 1, U, f), `N at w = ${w}`);
    t.equal(est.learner.annealed(10, 2, ctx), released(w, 10, 2, U, f), `H at w = ${w}`);
  }
  t.equal(est.learner.annealed(8, 1, { ...ctx, progress: { ...ctx.progress, fullStrength: true } }), 8, 'full strength: the maximum');
  est.learner.modelSteps = 1;
  t.equal(est.learner.annealed(10, 2, { ...ctx, progress: { ...ctx.progress, fullStrength: true } }), 10, 'full strength at the first active iteration too');
  tr.dispose();
});

t.test('mbpo honours horizon: h = min(H, N + 2) imagined steps, min(N, h − 1) imagined states per real state', async (t) => {
  for (const [H, N, h, states] of [[3, 8, 3, 2], [10, 3, 5, 3]] as const) {
    const tr = modelTrainer('mbpo', 10, { actions: N, horizon: H, annealFraction: 0 });
    const b = tr.estimator.prepare(tr.collector.collect(64, 0), tr.estimatorContext());
    t.equal(b.stats['model_active'], 1);
    t.equal(b.stats['horizon'], h, `H ${H}, N ${N}: the imagination ran ${h} steps`);
    t.equal(b.stats['imagined_states'], states, `H ${H}, N ${N}: ${states} imagined states per real state`);
    const P = b.policy;
    t.equal(P.stateIndex.length, 64 * (states + 1), 'rows: each real state and its imagined states');
    const perState = new Array<number>(64).fill(0);
    for (const s of P.stateIndex) perState[s]! += 1;
    t.ok(perState.every((c) => c === states + 1), 'every real state has the same number of rows');
    tr.dispose();
  }
});
