// A pgvar plug-in that registers an estimator:
//   pgvar train --plugin examples/custom-estimator.js --estimator batch-mean --env CartPole-v1
//
// `batch-mean`: a single-action estimator whose baseline is the batch's mean return instead of the
// critic. Each visited state gets one row (its sampled action) with advantage G_t − mean(G), where
// G_t is the discounted return-to-go (bootstrapped by the critic where the rollout stops or the time
// limit cuts the episode: GAE with λ = 1). The critic still learns, regressing G_t.

/** @param {typeof import('pgvar')} pgvar */
export default function register(pgvar) {
  pgvar.registerEstimator({
    name: 'batch-mean',
    aliases: ['mean-baseline'],
    description: 'Single action per state; advantage = return-to-go minus the batch mean return (no critic baseline).',
    extraActionsPerState: '0',
    create(options) {
      const keys = Object.keys(options);
      if (keys.length) throw new pgvar.UsageError(`estimator 'batch-mean' takes no options, got ${keys.join(', ')}`);
      return {
        name: 'batch-mean',
        /** @param {import('pgvar').Rollout} r @param {import('pgvar').EstimatorContext} ctx @returns {import('pgvar').EstimatorBatch} */
        prepare(r, ctx) {
          const { returns } = pgvar.computeGae({ ...r, gamma: ctx.gamma, lambda: 1, bootstrapTruncation: ctx.bootstrapTruncation });
          const n = r.numSteps * r.numEnvs;
          const mean = returns.reduce((s, g) => s + g, 0) / n;
          return {
            numStates: n,
            policy: {
              obs: r.obs,
              actions: r.actions,
              oldLogProbs: r.logProbs,
              advantages: returns.map((g) => g - mean),
              weights: new Float32Array(n).fill(1),
              stateIndex: Int32Array.from({ length: n }, (_, i) => i),
            },
            value: { obs: r.obs, returns, oldValues: r.values },
            stats: { baseline: mean },
          };
        },
      };
    },
  });
}
