/**
 * The reset scheduler of the off-policy core (spec baselines.md §12.10): at configured env steps
 * (or update counts) it re-initialises chosen networks — critic (with its Polyak targets), actor
 * (with its target, TD3), temperature (α and its Adam) — fully or only their last k Linear layers,
 * keeping the replay buffer. The plasticity interventions it implements:
 *   - full-parameter resets of the Bitter Lesson study (§4: actor, critic and optimiser states
 *     re-initialised, buffer kept; its schedule and rankings are marked [unverified] in the spec);
 *   - BRO's resets (§6 [code]: every network, α and their optimiser states, buffer kept, at env
 *     steps 15001, 50001, 250001, …) and DAC's (§5 [code]);
 *   - partial ones (critic only, last layers only), the study's weaker variants.
 *
 * A reset is exactly a fresh construction: reset k (counted from 1) builds a new learner from the
 * seeded stream `offpolicy/reset/k` of the run (the same code path as the learner's first
 * construction, which draws from `offpolicy/init`) and copies the chosen tensors from it — their
 * parameters, their Adam moments (zero) and their Adam step counts (0, kept per tensor as PyTorch
 * does, so a partial reset leaves the other layers' moments and bias corrections alone). The
 * schedule's only state is the number of resets done; it travels in the trainer's state.
 *
 * DAC's and VPL's extra state: DAC's optimistic actor π_o follows the actor — the same tensors come
 * from the fresh learner's π_o (its own fresh network or a copy of its π_c, as optimisticInit says;
 * fresh Adam), so a full actor reset leaves π_o as DAC's start does — and its coefficients β_ub and λ restart with any actor reset; VPL's
 * learned β restarts with any critic reset. A full reset of every network is then DAC's and BRO's
 * (networks, optimisers and coefficients). pgvar's choice for partial resets: coefficients restart
 * too. The DAC refresh period runs on through a reset.
 *
 * pgvar's choices (not from a reference): an env-step reset happens after that step's updates; an
 * update reset right after that update; the learner's update counter (which phases the policy delay)
 * runs on through a reset.
 */
import type { EngineNet } from '../nets/engine/engine-net.js';
import type { ParamStore } from '../nets/engine/param-store.js';
import type { OffPolicyConfig, ResetTarget } from './config.js';
import type { Dual } from './dual.js';

/** What one reset re-initialises. */
export interface ResetSpec {
  networks: readonly ResetTarget[];
  /** 0: every layer; k: the last k Linear layers of each network. */
  layers: number;
}

/** A network a reset may re-initialise: its store, its networks in it, and target stores of the same shapes. */
export interface ResettableNets {
  store: ParamStore;
  nets: readonly EngineNet[];
  targets: readonly ParamStore[];
  /** Networks of the same shapes that reset with this one, layer for layer (DAC's π_o with the actor). */
  followers?: readonly ResettableNets[];
  /** Store tensors outside the networks that a full reset re-initialises too (BRC's task embedding). */
  tables?: readonly number[];
}

/** What a learner exposes to resets (offpolicy/learner.ts). */
export interface Resettable {
  resettable(): Record<Exclude<ResetTarget, 'temperature'>, ResettableNets>;
  readonly temperature: Dual | null;
  /** Learned coefficients that restart when a network resets (DAC's β_ub and λ with the actor, VPL's β with the critic). */
  coefficients?(): Partial<Record<Exclude<ResetTarget, 'temperature'>, readonly Dual[]>>;
}

/** The seed stream of reset k (k = 1, 2, …). */
export function resetStream(k: number): string {
  return `offpolicy/reset/${k}`;
}

/** The store tensors of a network's reset layers: all of them (layers 0) or those of its last `layers` Linear layers. */
export function resetTensors(net: EngineNet, layers: number): number[] {
  const all = net.layerTensors();
  return (layers === 0 ? all : all.slice(-layers)).flat();
}

/**
 * Copies the spec's parts of `fresh` (a learner just built from the reset's stream) into `learner`:
 * parameters, Adam moments and step counts of the chosen tensors, in a network and its followers;
 * targets get the fresh parameters (a fresh learner's targets equal its networks); the coefficients
 * that go with a reset network restart as the fresh learner's (value and Adam state). Everything else
 * is left untouched.
 */
export function applyReset(learner: Resettable, fresh: Resettable, spec: ResetSpec): void {
  for (const name of spec.networks) {
    if (name === 'temperature') {
      if (learner.temperature && fresh.temperature) learner.temperature.setState(fresh.temperature.getState());
      continue;
    }
    const mine = learner.resettable()[name];
    const theirs = fresh.resettable()[name];
    const pairs: [ResettableNets, ResettableNets][] = [[mine, theirs]];
    const followers = mine.followers ?? [];
    if (followers.length !== (theirs.followers ?? []).length) throw new Error(`reset: the fresh learner's ${name} has ${(theirs.followers ?? []).length} followers, this one ${followers.length}`);
    followers.forEach((f, i) => pairs.push([f, theirs.followers![i]!]));
    for (const [m, t] of pairs) {
      const tensors = [...m.nets.flatMap((net) => resetTensors(net, spec.layers)), ...(spec.layers === 0 ? (m.tables ?? []) : [])];
      m.store.copyTensorsFrom(t.store, tensors);
      for (const target of m.targets) target.copyTensorsFrom(t.store, tensors, ['p'], false);
    }
    const duals = learner.coefficients?.()[name] ?? [];
    const freshDuals = fresh.coefficients?.()[name] ?? [];
    if (duals.length !== freshDuals.length) throw new Error(`reset: the fresh learner has ${freshDuals.length} coefficients with its ${name}, this one ${duals.length}`);
    duals.forEach((d, i) => d.setState(freshDuals[i]!.getState()));
  }
}

/** When resets fall due: a strictly increasing list of counts of one unit; its state is the number done. */
export class ResetSchedule {
  /** Resets done so far. */
  done = 0;

  constructor(
    readonly at: readonly number[],
    readonly unit: OffPolicyConfig['resetUnit'],
    readonly spec: ResetSpec,
  ) {}

  static fromConfig(c: Pick<OffPolicyConfig, 'resetAt' | 'resetUnit' | 'resetNetworks' | 'resetLayers'>): ResetSchedule {
    return new ResetSchedule(c.resetAt, c.resetUnit, { networks: c.resetNetworks, layers: c.resetLayers });
  }

  /** Whether the next reset is due now that `unit` has counted to `count`; counts it as done if so. */
  due(unit: OffPolicyConfig['resetUnit'], count: number): boolean {
    if (unit !== this.unit || this.done >= this.at.length || count < this.at[this.done]!) return false;
    this.done += 1;
    return true;
  }
}
