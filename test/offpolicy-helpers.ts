/** Shared by the off-policy learning tests: a Pendulum-v1 run and its wrong-way mutant. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { make } from '../envs/registry.js';
import type { OffPolicyConfig } from '../offpolicy/config.js';
import type { OffPolicyLearner } from '../offpolicy/learner.js';
import { OffPolicyTrainer, type OffPolicyMetrics } from '../offpolicy/trainer.js';
import { BIN, spawn } from './helpers.js';

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
      ascendCriticLoss(learner.critics);
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

/**
 * Runs `pgvar <args> --out <out>` and kills it with SIGKILL once its checkpoint is at or past `step`
 * and metrics rows (one every `logEvery` steps) are logged beyond it: the resume must cut them and
 * write them again.
 */
export async function killAfterCheckpoint(args: string[], out: string, step: number, logEvery = 200): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args, '--out', out], { stdio: 'ignore' });
  const ckFile = path.join(out, 'checkpoint', 'checkpoint.json');
  const metrics = path.join(out, 'metrics.jsonl');
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      let at = -1;
      try {
        at = JSON.parse(fs.readFileSync(ckFile, 'utf8')).trainer.globalStep;
      } catch {
        /* not written yet */
      }
      const rows = fs.existsSync(metrics) ? fs.readFileSync(metrics, 'utf8').split('\n').length - 1 : 0;
      if (at >= step && rows > at / logEvery) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => child.on('exit', r));
}

/** The mutant whose critics ascend their loss: every critic gradient negated after it is computed. */
export function ascendCriticLoss(critics: OffPolicyLearner['critics']): void {
  const grad = critics.regressionGrad.bind(critics);
  critics.regressionGrad = (st, a, y, n, ...rest) => {
    const r = grad(st, a, y, n, ...rest);
    critics.store.scaleGrad(-1);
    return r;
  };
}
