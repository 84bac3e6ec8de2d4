/**
 * Settings: named bundles of PPO and estimator values that reproduce a paper's configuration with one
 * switch (`pgvar train --setting mbma-paper`, or `"setting": "mbma-paper"` in a `--config` file).
 *
 * Resolution order (experiment/build.ts resolveConfig): family defaults → setting → config file →
 * flags, so a config key or a flag given alongside overrides the setting's value. `hiddenSizes`
 * means "both networks": given in a later layer without `actorHiddenSizes` / `criticHiddenSizes`,
 * it replaces the setting's separate widths. The setting's estimator options lie under the user's
 * `estimatorOptions` (merged key by key, the user's keys win).
 *
 * `mbma-paper`: Nauman & Cygan, "On Many-Actions Policy Gradient" (ICML 2023), table C.5 and the
 * paper's text; what the table leaves open (activation, depth, tanh mean, normalisation, value
 * clipping, entropy, truncation) comes from the released code. `mbma-code`: the released code's
 * defaults (`mbma/args.py`, `mbma.py`, `ppo_utils.py`) where they differ from the table: critic 512
 * wide, and the estimators' `code` preset (horizon 8, buffer 200 000, 640 model updates, model Adam
 * ε 1e-8, 40k-step warm-up with an 8× first training). Spec: estimators.md §1.7 (code-level procedure
 * items 5–7) and §1.8.
 */
import { UsageError } from '../common/errors.js';
import type { PpoConfig } from '../ppo/config.js';

export const SETTING_NAMES = ['mbma-paper', 'mbma-code'] as const;
export type SettingName = (typeof SETTING_NAMES)[number];

export const SETTING_DESCRIPTIONS: Record<SettingName, string> = {
  'mbma-paper': 'MBMA paper (Nauman & Cygan, ICML 2023): table C.5, gaps filled from the released code',
  'mbma-code': "MBMA's released code (mbma/*.py): its defaults where they differ from table C.5",
};

/** Where a value comes from: T = the paper's table C.5, P = the paper's text, C = the released code. */
export interface SettingRow {
  key: keyof PpoConfig;
  values: Record<SettingName, unknown>;
  source: string;
  /** Applied only to DeepMind Control Suite envs (`dmc/*`). */
  dmcOnly?: boolean;
}

const both = (v: unknown): Record<SettingName, unknown> => ({ 'mbma-paper': v, 'mbma-code': v });

export const SETTING_ROWS: SettingRow[] = [
  { key: 'normAdv', values: both(false), source: 'P (deliberately, to keep the SPG variance), C norm_adv off' },
  { key: 'hiddenSizes', values: both([512, 512]), source: "= the actor's widths" },
  { key: 'actorHiddenSizes', values: both([512, 512]), source: 'T actor 512; C 2 hidden layers' },
  { key: 'criticHiddenSizes', values: { 'mbma-paper': [1024, 1024], 'mbma-code': [512, 512] }, source: 'T critic 1024 / C hidden_dim 512' },
  { key: 'activation', values: both('leaky_relu'), source: 'C LeakyReLU (slope 0.01)' },
  { key: 'tanhMean', values: both(true), source: 'C Gaussian mean = tanh(actor MLP), state-independent log-std' },
  { key: 'network', values: both('mlp'), source: 'C separate actor and critic MLPs' },
  { key: 'actionRepeat', values: both(4), source: 'T, C (dmc/* envs only; other envs keep their default)', dmcOnly: true },
  { key: 'learningRate', values: both(3e-4), source: 'T, C' },
  { key: 'annealLr', values: both(true), source: 'C anneal-lr (linear to 0)' },
  { key: 'numEnvs', values: both(1), source: 'C' },
  { key: 'numSteps', values: both(2048), source: 'T (batch size T = 2048), C' },
  { key: 'numMinibatches', values: both(32), source: 'T minibatch 64 = 2048/32, C' },
  { key: 'updateEpochs', values: both(10), source: 'T, C' },
  { key: 'clipCoef', values: both(0.2), source: 'T, C' },
  { key: 'clipVloss', values: both(true), source: 'C' },
  { key: 'entCoef', values: both(0), source: 'C' },
  { key: 'vfCoef', values: both(0.5), source: 'T, C' },
  { key: 'maxGradNorm', values: both(0.5), source: 'T, C' },
  { key: 'targetKl', values: both(null), source: 'C' },
  { key: 'gamma', values: both(0.99), source: 'T, C' },
  { key: 'gaeLambda', values: both(0.95), source: 'T, C' },
  { key: 'clipAction', values: both(true), source: 'C clip to [-1, 1] when stepping, log-prob of the unclipped action' },
  { key: 'normalizeObservation', values: both(false), source: 'C normalize_states off' },
  { key: 'clipObservation', values: both(0), source: 'C (no clip)' },
  { key: 'normalizeReward', values: both(false), source: "C (the flag is on but its normaliser's forward is the identity)" },
  { key: 'clipReward', values: both(0), source: 'C (no clip)' },
  { key: 'bootstrapTruncation', values: both(false), source: "C (CleanRL GAE on dmc2gym's done: the time limit ends the episode, no bootstrap)" },
];

/** Estimator options each setting puts under the user's, by estimator name (aliases resolved). */
export interface SettingEstimatorRow {
  estimator: string;
  values: Record<SettingName, Record<string, unknown>>;
  source: string;
}

export const SETTING_ESTIMATOR_ROWS: SettingEstimatorRow[] = [
  { estimator: 'daa', values: { 'mbma-paper': { preset: 'paper' }, 'mbma-code': { preset: 'code' } }, source: 'T / C (see the daa presets)' },
  { estimator: 'mbpo', values: { 'mbma-paper': { preset: 'paper' }, 'mbma-code': { preset: 'code' } }, source: 'T / C (same model and presets as daa)' },
  { estimator: 'qma', values: both({ actions: 8, hidden: [1024, 1024], lr: 3e-4 }) as Record<SettingName, Record<string, unknown>>, source: 'T Q-net 1024, lr 3e-4, 8 actions (QMA code not released: both settings)' },
];

/** What the settings cannot express; printed with the list and in the README. */
export const SETTING_NOT_EXPRESSED = [
  "the code's evaluation (every 5 iterations, 4 stochastic episodes) is not part of training: use `pgvar eval` on snapshots",
  'QMA: only the Q-net width and lr are given (code not released); its fitting epochs and minibatch stay at pgvar\'s defaults',
  'totalTimesteps is not set: the continuous-control default 1M agent steps is the DMC-14 budget (pass --steps for the 3M/6M tasks)',
  'estimators other than daa, mbpo and qma keep their own options',
];

export function isSettingName(v: unknown): v is SettingName {
  return typeof v === 'string' && (SETTING_NAMES as readonly string[]).includes(v);
}

/** The setting named `v`, or a UsageError naming the value and the valid settings. */
export function settingName(v: unknown, where = 'setting'): SettingName {
  if (isSettingName(v)) return v;
  throw new UsageError(`${where}: unknown setting ${typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}; valid settings: ${SETTING_NAMES.join(', ')}`);
}

/** The PPO config values a setting applies on `envId` (its estimator options come from settingEstimatorOptions). */
export function settingValues(name: SettingName, envId: string): Partial<PpoConfig> {
  const isDmc = envId.startsWith('dmc/');
  const out: Record<string, unknown> = {};
  for (const row of SETTING_ROWS) if (!row.dmcOnly || isDmc) out[row.key] = structuredClone(row.values[name]);
  return out as Partial<PpoConfig>;
}

/** The estimator options a setting gives `estimator` (a canonical name), {} for estimators it does not configure. */
export function settingEstimatorOptions(name: SettingName, estimator: string): Record<string, unknown> {
  const row = SETTING_ESTIMATOR_ROWS.find((r) => r.estimator === estimator);
  return row ? structuredClone(row.values[name]) : {};
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.join(',');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The table printed by `pgvar train --help`. */
export function settingsHelp(): string {
  const w = [22, 12, 12];
  const row = (cells: string[], source: string) => `  ${cells.map((c, i) => c.padEnd(w[i]!)).join(' ')} ${source}`;
  const lines = [
    'Settings (--setting NAME, or "setting" in the --config file):',
    ...SETTING_NAMES.map((n) => `  ${n}: ${SETTING_DESCRIPTIONS[n]}`),
    'Resolution order: family defaults → setting → --config file → flags (a config key or flag overrides the',
    "setting's value; --hidden-sizes replaces both widths). Sources: T = table C.5, P = paper text, C = released code.",
    row(['key', ...SETTING_NAMES], 'source'),
    ...SETTING_ROWS.map((r) => row([r.key, ...SETTING_NAMES.map((n) => show(r.values[n]))], r.source)),
    "  Adam ε 1e-5 (T, C) is pgvar's fixed value for the agent.",
    "  Estimator options, placed under the user's --estimator-options (other estimators: unchanged):",
    ...SETTING_ESTIMATOR_ROWS.map((r) => `  ${r.estimator.padEnd(w[0]!)} ${SETTING_NAMES.map((n) => `${n} ${show(r.values[n])}`).join(', ')}   ${r.source}`),
    '  Not expressed:',
    ...SETTING_NOT_EXPRESSED.map((s) => `    - ${s}`),
  ];
  return lines.join('\n');
}
