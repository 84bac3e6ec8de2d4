/**
 * The off-policy agents' flags of `pgvar train` (every OffPolicyConfig key has one) and the
 * `pgvar agents` table of their defaults. Flags shared with PPO (--env, --steps, --seed, --gamma, the
 * hidden sizes, --checkpoint-every) are declared once, with the PPO flags, and mapped here.
 */
import { AGGREGATOR_NAMES } from '../offpolicy/critics.js';
import { AGENT_SOURCES, agentPresets, PGVAR_KEYS, presetDefaults } from '../offpolicy/agents.js';
import { OFF_POLICY_ALGOS, OFF_POLICY_KEY_HELP, OPTIMISTIC_INITS, OPTIMISTIC_MODES, OPTIMIZERS, PRESETS, RESET_TARGETS, RESET_UNITS, TRUNKS, type OffPolicyAlgo, type OffPolicyConfig } from '../offpolicy/config.js';
import { C51_EDGES, CATEGORICAL_TARGETS, VALUE_HEADS } from '../offpolicy/heads.js';
import { choiceFlag, choiceListFlag, floatFlag, intFlag, stepListFlag, stepsFlag } from './options.js';

type Parser = (v: string) => unknown;
type Key = keyof OffPolicyConfig;

/** Step counts that may be 0 (warm-up, evaluation period). */
function stepsOrZero(v: string): number {
  return v.trim() === '0' ? 0 : stepsFlag(v);
}

/** Flags declared with PPO's, by flag: the off-policy keys they set. */
export const SHARED_FLAGS: Record<string, Key[]> = {
  '--env <id>': ['envId'],
  '--algo <name>': ['algo'],
  '--steps <n>': ['totalTimesteps'],
  '--seed <s>': ['seed'],
  '--gamma <x>': ['gamma'],
  '--hidden-sizes <list>': ['criticHidden', 'actorHidden'],
  '--actor-hidden-sizes <list>': ['actorHidden'],
  '--critic-hidden-sizes <list>': ['criticHidden'],
  '--checkpoint-every <n>': ['checkpointEvery'],
  '--num-envs <n>': ['numEnvs'],
  '--vector-env <kind>': ['vectorEnv'],
};

/** Off-policy-only flags: [flag, key, parser]; the help is the key's OFF_POLICY_KEY_HELP line. */
export const OFF_FLAGS: [string, Key, Parser][] = [
  ['--buffer-size <n>', 'bufferSize', stepsFlag],
  ['--batch-size <n>', 'batchSize', intFlag(1)],
  ['--tau <x>', 'tau', floatFlag(0, 1)],
  ['--learning-starts <n>', 'learningStarts', stepsOrZero],
  ['--updates-per-step <n>', 'updatesPerStep', intFlag(1)],
  ['--policy-lr <x>', 'policyLr', floatFlag(0)],
  ['--q-lr <x>', 'qLr', floatFlag(0)],
  ['--alpha-lr <x>', 'alphaLr', floatFlag(0)],
  ['--policy-frequency <n>', 'policyFrequency', intFlag(1)],
  ['--actor-updates-per-delay <n>', 'actorUpdatesPerDelay', intFlag(1)],
  ['--target-network-frequency <n>', 'targetNetworkFrequency', intFlag(1)],
  ['--q-optimizer <name>', 'qOptimizer', choiceFlag(OPTIMIZERS)],
  ['--q-weight-decay <x>', 'qWeightDecay', floatFlag(0)],
  ['--policy-optimizer <name>', 'policyOptimizer', choiceFlag(OPTIMIZERS)],
  ['--policy-weight-decay <x>', 'policyWeightDecay', floatFlag(0)],
  ['--reset-at <list>', 'resetAt', stepListFlag],
  ['--reset-unit <unit>', 'resetUnit', choiceFlag(RESET_UNITS)],
  ['--reset-networks <list>', 'resetNetworks', choiceListFlag(RESET_TARGETS)],
  ['--reset-layers <n>', 'resetLayers', intFlag(0)],
  ['--policy <name>', 'policy', choiceFlag(['tanh-gaussian', 'deterministic'] as const)],
  ['--alpha <x>', 'alpha', floatFlag(0)],
  ['--alpha-beta1 <x>', 'alphaBeta1', floatFlag(0, 1)],
  ['--target-entropy-scale <x>', 'targetEntropyScale', floatFlag()],
  ['--log-std-min <x>', 'logStdMin', floatFlag()],
  ['--log-std-max <x>', 'logStdMax', floatFlag()],
  ['--exploration-noise <x>', 'explorationNoise', floatFlag(0)],
  ['--policy-noise <x>', 'policyNoise', floatFlag(0)],
  ['--noise-clip <x>', 'noiseClip', floatFlag(0)],
  ['--num-critics <n>', 'numCritics', intFlag(1)],
  ['--activation <name>', 'activation', choiceFlag(['relu', 'tanh', 'leaky_relu'] as const)],
  ['--critic-trunk <kind>', 'criticTrunk', choiceFlag(TRUNKS)],
  ['--critic-blocks <n>', 'criticBlocks', intFlag(1)],
  ['--actor-trunk <kind>', 'actorTrunk', choiceFlag(TRUNKS)],
  ['--actor-blocks <n>', 'actorBlocks', intFlag(1)],
  ['--value-head <kind>', 'valueHead', choiceFlag(VALUE_HEADS)],
  ['--quantiles <n>', 'quantiles', intFlag(1)],
  ['--huber-kappa <x>', 'huberKappa', floatFlag(0)],
  ['--atoms <n>', 'atoms', intFlag(2)],
  ['--v-min <x>', 'vMin', floatFlag()],
  ['--v-max <x>', 'vMax', floatFlag()],
  ['--categorical-target <kind>', 'categoricalTarget', choiceFlag(CATEGORICAL_TARGETS)],
  ['--hl-gauss-sigma <x>', 'hlGaussSigma', floatFlag(0)],
  ['--c51-edge <rule>', 'c51Edge', choiceFlag(C51_EDGES)],
  ['--target-aggregator <name>', 'targetAggregator', choiceFlag(AGGREGATOR_NAMES)],
  ['--actor-aggregator <name>', 'actorAggregator', choiceFlag(AGGREGATOR_NAMES)],
  ['--eval-every <n>', 'evalEvery', stepsOrZero],
  ['--eval-episodes <n>', 'evalEpisodes', intFlag(1)],
  ['--log-every <n>', 'logEvery', stepsFlag],
  // dac, vpl and bro
  ['--preset <name>', 'preset', choiceFlag(PRESETS)],
  ['--init <name>', 'init', choiceFlag(['torch', 'orthogonal'] as const)],
  ['--pessimism <x>', 'pessimism', floatFlag()],
  ['--pessimism-min <x>', 'pessimismMin', floatFlag()],
  ['--pessimism-max <x>', 'pessimismMax', floatFlag()],
  ['--validation-every <k>', 'validationEvery', intFlag(0)],
  ['--optimistic-mode <mode>', 'optimisticMode', choiceFlag(OPTIMISTIC_MODES)],
  ['--optimistic-init <how>', 'optimisticInit', choiceFlag(OPTIMISTIC_INITS)],
  ['--optimism <x>', 'optimism', floatFlag()],
  ['--kl-weight <x>', 'klWeight', floatFlag(0)],
  ['--kl-weight-max <x>', 'klWeightMax', floatFlag(0)],
  ['--kl-target <x>', 'klTarget', floatFlag(0)],
  ['--std-multiplier <x>', 'stdMultiplier', floatFlag(0)],
  ['--dual-lr <x>', 'dualLr', floatFlag(0)],
  ['--dual-beta1 <x>', 'dualBeta1', floatFlag(0, 1)],
  ['--optimistic-refresh-every <n>', 'optimisticRefreshEvery', stepsOrZero],
  // fasttd3
  ['--noise-std-min <x>', 'noiseStdMin', floatFlag(0)],
  ['--noise-std-max <x>', 'noiseStdMax', floatFlag(0)],
  ['--obs-norm-eps <x>', 'obsNormEps', floatFlag(0)],
  ['--policy-phase <n>', 'policyPhase', intFlag(0)],
  ['--actor-last-layer-std <x>', 'actorLastLayerStd', floatFlag(0)],
  ['--n-step <n>', 'nStep', intFlag(1)],
  // brc
  ['--task-embedding-dim <n>', 'taskEmbeddingDim', intFlag(0)],
];

/** Off-policy switches: [flag, key, value when given]. */
export const OFF_SWITCHES: [string, Key, boolean][] = [
  ['--no-autotune', 'autotune', false],
  ['--critic-layer-norm', 'criticLayerNorm', true],
  ['--no-optimistic-actor', 'optimisticActor', false],
  ['--no-learn-pessimism', 'learnPessimism', false],
  ['--mixed-noise', 'mixedNoise', true],
  ['--no-mixed-noise', 'mixedNoise', false],
  ['--obs-normalization', 'obsNormalization', true],
  ['--no-obs-normalization', 'obsNormalization', false],
  ['--no-target-actor', 'targetActor', false],
  ['--target-actor', 'targetActor', true],
  ['--reward-normalization', 'rewardNormalization', true],
  ['--no-reward-normalization', 'rewardNormalization', false],
  ['--task-reward-normalization', 'taskRewardNormalization', true],
  ['--no-task-reward-normalization', 'taskRewardNormalization', false],
];

/** The flag that sets a key (the specific one where a shared flag sets several). */
export function flagOfKey(key: Key): string | undefined {
  const f = OFF_FLAGS.find(([, k]) => k === key)?.[0] ?? Object.entries(SHARED_FLAGS).find(([, ks]) => ks.length === 1 && ks[0] === key)?.[0];
  if (f) return f;
  const s = OFF_SWITCHES.find(([, k]) => k === key);
  return s ? s[0] : undefined;
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(',') : 'none';
  return String(v);
}

const NAME_WIDTH = Math.max(...OFF_POLICY_ALGOS.map((a) => a.length));

/** The columns of `pgvar agents`: each agent's defaults ('paper'), then its other presets as `agent:preset`. */
export function agentColumns(): { label: string; algo: OffPolicyAlgo; defaults: Omit<OffPolicyConfig, 'envId'> }[] {
  return OFF_POLICY_ALGOS.flatMap((a) => agentPresets(a).map((p) => ({ label: p === 'paper' ? a : `${a}:${p}`, algo: a, defaults: presetDefaults(a, p) })));
}

/** The lines under `pgvar train --help`. */
export function agentsHelp(): string {
  const presets = OFF_POLICY_ALGOS.filter((a) => agentPresets(a).length > 1).map((a) => `${a} (${agentPresets(a).join(', ')})`);
  return [
    'Off-policy agents (--algo NAME; their flags are under "Off-policy options", the shared ones under "Options"):',
    ...OFF_POLICY_ALGOS.map((a) => `  ${a.padEnd(NAME_WIDTH)} ${AGENT_SOURCES[a].summary}`),
    `Presets (--preset NAME, applied over the agent's defaults and under --config keys and flags): paper (every agent: the reference's values); ${presets.join('; ')}.`,
    'Every default and preset value: `pgvar agents`, or the resolved config: `pgvar train --algo sac --env ID --print-config`.',
  ].join('\n');
}

/** `pgvar agents`: one row per key, the defaults of each agent and preset, what the key means and where a value comes from. */
export function agentsTable(): string {
  const keys = (Object.keys(OFF_POLICY_KEY_HELP) as Key[]).filter((k) => k !== 'envId' && k !== 'algo' && k !== 'plugins');
  const cols = agentColumns();
  const w0 = Math.max(...keys.map((k) => `${k} ${flagOfKey(k)?.split(' ')[0] ?? ''}`.length)) + 1;
  // a column as wide as its widest value (a reset list is long)
  const width = cols.map((c) => Math.max(13, c.label.length, ...keys.map((k) => show(c.defaults[k as keyof typeof c.defaults]).length)));
  const lines = [
    'Off-policy agents (pgvar train --algo NAME [--preset P] --env ID [flags]); defaults below (agent:preset columns: a preset\'s values), overridden by --config keys, then flags.',
    ...OFF_POLICY_ALGOS.map((a) => `  ${a.padEnd(NAME_WIDTH)} ${AGENT_SOURCES[a].summary}`),
    '',
    `${'key (flag)'.padEnd(w0)} ${cols.map((c, i) => c.label.padEnd(width[i]!)).join(' ')} meaning; source where the agents' references differ`,
  ];
  for (const k of keys) {
    const notes = OFF_POLICY_ALGOS.map((a) => AGENT_SOURCES[a].keys[k] ? `${a}: ${AGENT_SOURCES[a].keys[k]}` : '').filter(Boolean);
    if (PGVAR_KEYS.includes(k)) notes.push("pgvar's, not CleanRL's");
    const flag = flagOfKey(k)?.split(' ')[0] ?? '';
    lines.push(`${`${k} ${flag}`.padEnd(w0)} ${cols.map((c, i) => show(c.defaults[k as keyof typeof c.defaults]).padEnd(width[i]!)).join(' ')} ${OFF_POLICY_KEY_HELP[k]}${notes.length ? ` (${notes.join('; ')})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** `pgvar agents --json`. */
export function agentsJson(): object {
  return OFF_POLICY_ALGOS.map((a) => ({
    name: a,
    summary: AGENT_SOURCES[a].summary,
    defaults: presetDefaults(a),
    presets: Object.fromEntries(agentPresets(a).filter((p) => p !== 'paper').map((p) => [p, presetDefaults(a, p)])),
    sources: AGENT_SOURCES[a].keys,
  }));
}
