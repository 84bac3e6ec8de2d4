/** Shared by the off-policy learning tests: a Pendulum-v1 run and its wrong-way mutant. */
import { make } from '../envs/registry.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import { OffPolicyTrainer, type OffPolicyMetrics } from '../offpolicy/trainer.js';

/**
 * Trains `cfg` (on its env) to the end; the deterministic return of 5 evaluation episodes before and
 * after, the metrics rows and the learner's final pessimism β (vpl learns it). `flipTarget`: the mutant whose critic update points the
 * wrong way — scalar and quantile heads regress toward the negated Bellman target −y (every target
 * quantile negated); a categorical head, whose target is a distribution, ascends its cross-entropy.
 */
export function learnWithMutant(cfg: OffPolicyConfig, flipTarget: boolean): { before: number; after: number; rows: OffPolicyMetrics[]; beta: number } {
  const tr = new OffPolicyTrainer(cfg, make(cfg.envId), make(cfg.envId));
  if (flipTarget) {
    const learner = tr.learner;
    const tdTarget = learner.tdTarget.bind(learner);
    if (learner.head.kind === 'categorical') {
      const critics = learner.critics;
      const grad = critics.regressionGrad.bind(critics);
      critics.regressionGrad = (st, a, y, n) => {
        const r = grad(st, a, y, n);
        critics.store.scaleGrad(-1);
        return r;
      };
    } else learner.tdTarget = (b, rng, y) => {
      tdTarget(b, rng, y);
      for (let i = 0; i < b.n * learner.head.outputs; i++) y[i] = -y[i]!;
      return y;
    };
  }
  const before = tr.evaluate(5);
  const rows: OffPolicyMetrics[] = [];
  while (!tr.done) rows.push(tr.iterate().metrics);
  const after = tr.evaluate(5);
  tr.close();
  return { before, after, rows, beta: tr.learner.beta };
}
