/**
 * The estimator registry without the estimators: every registered name, alias, description and row
 * count, `registerEstimator` and `estimatorInfo`. It loads neither tfjs nor any estimator's
 * implementation, so the CLI validates `--estimator NAME` and lists the estimators without them. The
 * built-in estimators' `create` works once estimators/index.ts (which imports every implementation
 * and installs them here) has loaded; `createEstimator` lives there.
 */
import { UsageError } from '../common/errors.js';
import { REGISTRY_NAME, registrationSource, setRegistrationSource } from '../common/registration.js';
import type { Estimator, EstimatorInfo } from './estimator.js';

export type BuiltinEstimatorName = 'single' | 'qma' | 'daa' | 'mbpo' | 'mc' | 'ac' | 'mac' | 'wmpg';

/** What the registry knows of a built-in estimator before its implementation loads. */
export type EstimatorMeta = Omit<EstimatorInfo, 'create'>;

/** The built-in estimators in registration order (`pgvar estimators` lists them so); each implementation file spreads its entry into its `…Info`. */
export const BUILTIN_ESTIMATORS: { readonly [K in BuiltinEstimatorName]: EstimatorMeta } = {
  single: {
    name: 'single',
    aliases: ['gae'],
    description: 'Single-action estimator: the sampled action per visited state with its GAE advantage (standard PPO).',
    extraActionsPerState: '0',
  },
  qma: {
    name: 'qma',
    aliases: [],
    description: 'Many-actions estimator with learned Q: N extra actions per state valued by min of two Q-networks trained on TD(λ) targets (the QMA baseline).',
    extraActionsPerState: 'N',
  },
  daa: {
    name: 'daa',
    aliases: ['mbma'],
    description: 'Many-actions estimator (DAA/MBMA): N extra actions per state valued by critic-bootstrapped rollouts in a learned dynamics model; presets paper|code|cpu.',
    extraActionsPerState: 'N',
  },
  mbpo: {
    name: 'mbpo',
    aliases: [],
    description: 'Model-rollout baseline (on-policy MBPO): imagined states from the learned model added to the PPO batch; same model and presets as daa.',
    extraActionsPerState: 'N imagined states',
  },
  mc: {
    name: 'mc',
    aliases: ['simulator'],
    description: 'Many-actions estimator valuing N extra actions per state by rewinding the real simulator for H steps (ground truth for MBMA; costs env steps).',
    extraActionsPerState: 'N',
  },
  ac: {
    name: 'ac',
    aliases: ['actor-critic'],
    description: "Actor-critic: the executed action with a state-value baseline, GAE advantages with its own λ (lambda: 0 = one-step TD); the WMPG paper's AC baseline.",
    extraActionsPerState: '0',
  },
  mac: {
    name: 'mac',
    aliases: ['mean-actor-critic'],
    description: 'Mean Actor-Critic (Discrete actions): Σ_a ∇π(a|s) Q̂(s,a) over all actions with a Q-network trained by expected-SARSA from replay.',
    extraActionsPerState: '|A| − 1',
  },
  wmpg: {
    name: 'wmpg',
    aliases: ['world-model-pg'],
    description: 'World-model policy gradient (Discrete actions): k actions per state by Gumbel-top-k, valued by imagined rollouts in a learned world model, combined without replacement (usbl|us|iw) with the imagined return of π as baseline.',
    extraActionsPerState: 'k − 1 (+1 imagined baseline rollout)',
  },
};

/** Every registered estimator, built-in ones first, then those of `registerEstimator` in registration order. */
export const ESTIMATORS: EstimatorInfo[] = [];
/** Who registered each name and alias ('built in', a plug-in's file, 'the program'). */
const registeredBy = new Map<string, string>();

/** What `registerEstimator` takes: an `EstimatorInfo` whose aliases, description and row count may be left out. */
export interface EstimatorRegistration {
  /** The name `--estimator` and config files use: letters, digits, `_ . / -`, no commas or spaces. */
  name: string;
  aliases?: string[];
  description?: string;
  /** Extra (state, action) rows per visited state, in words ("0", "N", …); default "?". */
  extraActionsPerState?: string;
  /** Builds the estimator from its options (`--estimator-options`); throw a `UsageError` for bad options. */
  create(options: Record<string, unknown>): Estimator;
}

/**
 * Add an estimator under a new name (and aliases). A name or alias that is already registered, or one
 * that is not a plain identifier, is a UsageError naming it and who registered it first.
 */
export function registerEstimator(r: EstimatorRegistration): EstimatorInfo {
  const where = registrationSource();
  if (r === null || typeof r !== 'object') throw new UsageError(`registerEstimator: expected an object {name, create, …}, got ${r === null ? 'null' : typeof r}`);
  const aliases = r.aliases ?? [];
  if (!Array.isArray(aliases)) throw new UsageError(`registerEstimator: 'aliases' of estimator '${String(r.name)}' must be an array of names, got ${typeof aliases}`);
  for (const n of [r.name, ...aliases]) {
    if (typeof n !== 'string' || !REGISTRY_NAME.test(n)) throw new UsageError(`registerEstimator: estimator name ${JSON.stringify(n)} is not valid: expected letters, digits and _ . / - (no commas or spaces)`);
    const by = registeredBy.get(n);
    if (by !== undefined) throw new UsageError(`estimator name '${n}' is already registered (${by === 'built in' ? 'built in' : `by ${by}`})`);
  }
  if (new Set([r.name, ...aliases]).size !== aliases.length + 1) throw new UsageError(`registerEstimator: estimator '${r.name}' repeats a name among its aliases`);
  if (typeof r.create !== 'function') throw new UsageError(`registerEstimator: estimator '${r.name}' needs a create(options) function, got ${typeof r.create}`);
  const create = r.create.bind(r);
  const info: EstimatorInfo = where === 'built in' && r.aliases && r.description && r.extraActionsPerState ? (r as EstimatorInfo) : {
    name: r.name,
    aliases: [...aliases],
    description: r.description ?? `estimator '${r.name}' (registered by ${where})`,
    extraActionsPerState: r.extraActionsPerState ?? '?',
    create(options) {
      const est = create(options);
      if (est === null || typeof est !== 'object' || typeof (est as Partial<Estimator>).prepare !== 'function') throw new UsageError(`estimator '${r.name}' (registered by ${where}): create() must return an object with a prepare(rollout, ctx) method, got ${est === null ? 'null' : typeof est}`);
      return est;
    },
  };
  for (const n of [r.name, ...aliases]) registeredBy.set(n, where);
  ESTIMATORS.push(info);
  return info;
}

/** The built-in implementations, by name: installed by estimators/index.ts. */
const implementations = new Map<string, EstimatorInfo>();

/** estimators/index.ts hands over the built-in estimators' implementations (their `…Info`) when it loads. */
export function installBuiltinEstimators(infos: readonly EstimatorInfo[]): void {
  for (const info of infos) {
    const meta = (BUILTIN_ESTIMATORS as Record<string, EstimatorMeta | undefined>)[info.name];
    if (!meta) throw new Error(`installBuiltinEstimators: '${info.name}' is not a built-in estimator`);
    implementations.set(info.name, info);
  }
}

{
  const before = setRegistrationSource('built in');
  for (const meta of Object.values(BUILTIN_ESTIMATORS)) {
    const name = meta.name;
    registerEstimator({
      ...meta,
      aliases: [...meta.aliases],
      create(options) {
        const impl = implementations.get(name);
        if (!impl) throw new Error(`estimator '${name}': its implementation is not loaded; create estimators with createEstimator (estimators/index.js)`);
        return impl.create(options);
      },
    });
  }
  setRegistrationSource(before);
}

export function estimatorInfo(name: string): EstimatorInfo {
  const info = ESTIMATORS.find((e) => e.name === name || e.aliases.includes(name));
  if (!info) throw new UsageError(`unknown estimator '${name}'. Valid estimators: ${ESTIMATORS.map((e) => e.name).join(', ')}`);
  return info;
}
