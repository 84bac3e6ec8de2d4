/**
 * VPL's pessimism update (Nauman, Ostaszewski, Cygan, "A Case for Validation Buffer in Pessimistic
 * Actor-Critic", arXiv 2403.01014). The paper's abstract says that VPL keeps a small validation buffer
 * of transitions the critic is never trained on and adjusts the pessimism β on it, so that the critic
 * targets' approximation error is as small as possible. The method section was not accessible to the
 * spec's authors: the update below is the spec's reconstruction (baselines.md §7, marked
 * [unverified]; check it against the paper's Algorithm 1).
 *
 * The target, with the group's parametrisation (spec §1):
 *   y_β = r + γm·(mean_k Q̄_k(s′, a′) − β·spread(Q̄(s′, a′)) − α log π(a′|s′)),  a′ ~ π(·|s′)
 * On a validation minibatch, with the critics fixed:
 *   L_val(β) = E[Σ_k (Q_k(s, a) − y_β)²]
 *   ∂L_val/∂β = E[Σ_k 2·(Q_k(s, a) − y_β)·γm·spread]
 * and one Adam step on β. Held-out predictions above their β-targets lower β (the targets rise);
 * below, β rises.
 */
import { ensembleSpread } from './critics.js';

export interface ValidationTd {
  /** L_val(β): the validation TD loss. */
  loss: number;
  /** ∂L_val/∂β. */
  dBeta: number;
}

/**
 * L_val(β) and its derivative from the online critics' values q[k][i] of (s_i, a_i), the target
 * critics' values qTarget[k][i] of (s′_i, a′_i), rewards, termination flags (m = 1 − terminated) and
 * the entropy term α·log π(a′_i|s′_i).
 */
export function validationTd(q: Float32Array[], qTarget: Float32Array[], rew: Float32Array, terminated: Float32Array, entropyTerm: Float32Array, gamma: number, beta: number): ValidationTd {
  const n = rew.length;
  const K = qTarget.length;
  const qt = new Float64Array(K);
  let loss = 0;
  let dBeta = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) qt[k] = qTarget[k]![i]!;
    let mean = 0;
    for (let k = 0; k < K; k++) mean += qt[k]! / K;
    const spread = ensembleSpread(qt);
    const gm = gamma * (1 - terminated[i]!);
    const y = rew[i]! + gm * (mean - beta * spread - entropyTerm[i]!);
    for (const qk of q) {
      const e = qk[i]! - y;
      loss += (e * e) / n;
      dBeta += (2 * e * gm * spread) / n;
    }
  }
  return { loss, dBeta };
}
