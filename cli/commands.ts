/** Sub-commands of `pgvar`. Every public option is listed in `--help` and in the README. */
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { UsageError } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic-fs.js';
import { ESTIMATORS, estimatorInfo } from '../estimators/registry.js';
import { BACKEND_CHOICES, initBackend, type BackendChoice } from '../nets/backend.js';
import { VECTOR_ENVS, type PpoConfig } from '../ppo/config.js';
import { readConfigFile } from '../experiment/config-file.js';
import { SETTING_NAMES, settingsHelp } from '../experiment/settings.js';
import { EXPORT_FORMATS, type ExportFormat } from '../experiment/export-formats.js';
import { ALGOS, readRunConfig, runKindOf, runKindOfDir } from '../experiment/run-config.js';
import { agentConfig, scaledStepNote } from '../offpolicy/agents.js';
import { OFF_POLICY_KEY_HELP } from '../offpolicy/config.js';
import { agentsHelp, agentsJson, agentsTable, OFF_FLAGS, OFF_SWITCHES, SHARED_FLAGS } from './offpolicy-flags.js';
import type { ProtocolName } from '../analysis/variance.js';
import { registerSweepCommands } from './sweep-commands.js';
import { choiceFlag, floatFlag, floatListFlag, intFlag, intListFlag, jsonObjectFlag, stepsFlag } from './options.js';

// The modules that train, evaluate, measure and report (and with them tfjs, the estimators, the envs
// and vega) are imported by the commands that use them, when they run: `--help`, usage errors and
// the listing commands start in a fraction of the time.

type Parser = (v: string) => unknown;
/** PPO flags: [flag, config key, parser, help]. Only flags given on the command line override. */
const PPO_FLAGS: [string, keyof PpoConfig, Parser | null, string][] = [
  ['--env <id>', 'envId', null, 'environment id (see `pgvar envs`)'],
  ['--algo <name>', 'algo', choiceFlag(ALGOS), `algorithm: ppo (default) or an off-policy agent (${ALGOS.filter((a) => a !== 'ppo').join(', ')}; listed below)`],
  ['--estimator <name>', 'estimator', (v) => estimatorInfo(v).name, 'policy-gradient estimator (see `pgvar estimators`)'],
  ['--estimator-options <json>', 'estimatorOptions', jsonObjectFlag, 'estimator options as a JSON object, e.g. \'{"preset":"paper"}\''],
  ['--setting <name>', 'setting', null, `apply a paper's PPO and estimator settings together: ${SETTING_NAMES.join(' | ')} (values listed below; flags and --config keys override them)`],
  ['--steps <n>', 'totalTimesteps', stepsFlag, 'total environment steps (200000, 200k, 1M)'],
  ['--seed <s>', 'seed', intFlag(0), 'random seed (everything derives from it)'],
  ['--num-envs <n>', 'numEnvs', intFlag(1), 'parallel environment copies'],
  ['--num-steps <n>', 'numSteps', intFlag(1), 'rollout length per env per iteration'],
  ['--lr <x>', 'learningRate', floatFlag(0), 'Adam learning rate (initial value when annealed)'],
  ['--gamma <x>', 'gamma', floatFlag(0, 1), 'discount factor'],
  ['--gae-lambda <x>', 'gaeLambda', floatFlag(0, 1), 'GAE λ'],
  ['--num-minibatches <n>', 'numMinibatches', intFlag(1), 'minibatches per epoch'],
  ['--update-epochs <n>', 'updateEpochs', intFlag(1), 'epochs per iteration'],
  ['--clip-coef <x>', 'clipCoef', floatFlag(0), 'surrogate (and value) clip ε'],
  ['--ent-coef <x>', 'entCoef', floatFlag(0), 'entropy bonus coefficient'],
  ['--vf-coef <x>', 'vfCoef', floatFlag(0), 'value loss coefficient'],
  ['--max-grad-norm <x>', 'maxGradNorm', floatFlag(0), 'global gradient-norm clip'],
  ['--target-kl <x>', 'targetKl', floatFlag(0), 'stop the epochs early when approx_kl exceeds this'],
  ['--hidden-sizes <list>', 'hiddenSizes', intListFlag, 'hidden layer widths of both MLPs, e.g. 64,64'],
  ['--actor-hidden-sizes <list>', 'actorHiddenSizes', intListFlag, 'hidden layer widths of the actor MLP only (default: --hidden-sizes)'],
  ['--critic-hidden-sizes <list>', 'criticHiddenSizes', intListFlag, 'hidden layer widths of the critic MLP only (default: --hidden-sizes)'],
  ['--network <name>', 'network', (v) => v, "policy/value network: 'mlp' or 'nature-cnn' (pixel envs; the default for Pong-v0)"],
  ['--action-repeat <k>', 'actionRepeat', intFlag(1), 'apply each action k times (DMC: 4 in the MBMA paper, 1 in BRO)'],
  ['--track-variance <every>', 'trackVarianceEvery', intFlag(0), 'measure gradient variance every n iterations into variance.jsonl (0 = off)'],
  ['--track-estimators <list>', 'trackVarianceEstimators', (v) => v.split(',').map((x) => estimatorInfo(x.trim()).name), 'estimators measured by --track-variance (default: single)'],
  ['--track-batches <k>', 'trackVarianceBatches', intFlag(2), 'batches per --track-variance measurement (default 8)'],
  ['--learner-threads <n>', 'learnerThreads', intFlag(1), 'threads sharing each minibatch gradient (default 1; 2 uses a second core for the Nature CNN update, numbers equal up to float rounding)'],
  ['--engine <name>', 'engine', choiceFlag(['auto', 'wasm', 'tfjs'] as const), "network engine: 'auto' (default: the wasm engine for MLPs, tfjs for the Nature CNN or learner threads), 'wasm' or 'tfjs' (the reference)"],
  ['--vector-env <kind>', 'vectorEnv', choiceFlag(VECTOR_ENVS), "where the sub-envs step: 'sync' (this thread, default) or 'async' (a worker thread; same numbers)"],
  ['--checkpoint-every <n>', 'checkpointEvery', (v) => (/^\d+(\.\d+)?[kKmM]$/.test(v.trim()) ? stepsFlag(v) : intFlag(1)(v)), 'write a checkpoint every n iterations (ppo) / every n env steps (sac, td3: default 10000)'],
  ['--snapshot-every <steps>', 'snapshotEvery', stepsFlag, 'also keep checkpoint/step-<N>.json each time training passes a multiple of this many steps (e.g. 100k), for `variance --at`'],
];
const PPO_SWITCHES: [string, keyof PpoConfig, boolean, string][] = [
  ['--no-anneal-lr', 'annealLr', false, 'keep the learning rate constant'],
  ['--no-norm-adv', 'normAdv', false, 'no per-minibatch advantage normalisation'],
  ['--no-clip-vloss', 'clipVloss', false, 'unclipped value loss'],
  ['--cleanrl-compat', 'bootstrapTruncation', false, "treat truncation as termination (no bootstrap), as CleanRL's table does"],
];

function backendOption(): Option {
  return new Option('--backend <name>', 'tensor backend').choices(BACKEND_CHOICES as unknown as string[]).default('auto');
}

/** Collects repeated `--plugin` values; run.ts has loaded them before commander parses anything. */
function pluginOption(): Option {
  return new Option('--plugin <file>', 'ES module registering environments or estimators, loaded first (path from the current directory; repeatable)').argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

function writeJson(file: string | undefined, obj: unknown): void {
  const text = JSON.stringify(obj, null, 2) + '\n';
  if (file) {
    writeFileAtomic(file, text);
    process.stderr.write(`wrote ${file}\n`);
  }
  process.stdout.write(text);
}

const id8 = (status: string) => (status === 'ok' ? 'ok     ' : status === 'failed' ? 'FAILED ' : 'skipped');

export function registerCommands(program: Command): void {
  const train = program
    .command('train')
    .description('train an agent; writes config.json, metrics.jsonl, episodes.csv, checkpoint/ and summary.json to --out')
    .option('--config <file>', 'JSON file of settings (camelCase keys as in config.json; its "algo" selects PPO or an off-policy agent); flags override it. PPO order: family defaults → --setting → --config → flags; off-policy: agent defaults → --config → flags')
    .option('--out <dir>', 'run directory (default runs/<env>_<estimator or algo>_seed<seed>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option('--print-config', 'print the resolved config as JSON and exit without training (off-policy agents without --env: their defaults)')
    .option('--quiet', 'no progress bar')
    .addOption(pluginOption())
    .addOption(backendOption());
  const GENERAL = new Set(['config', 'out', 'resume', 'printConfig', 'quiet', 'backend', 'plugin']);
  const shared = new Set(Object.keys(SHARED_FLAGS));
  const ppoOnly = 'PPO options (--algo ppo):';
  const offOnly = `Off-policy options (--algo ${ALGOS.filter((a) => a !== 'ppo').join(' | ')}; defaults: \`pgvar agents\`):`;
  for (const [flag, , parser, help] of PPO_FLAGS) {
    const o = new Option(flag, help);
    if (parser) o.argParser(parser as (v: string, p: unknown) => unknown);
    if (!shared.has(flag)) o.helpGroup(ppoOnly);
    train.addOption(o);
  }
  for (const [flag, , , help] of PPO_SWITCHES) train.addOption(new Option(flag, help).helpGroup(ppoOnly));
  for (const [flag, key, parser] of OFF_FLAGS) train.addOption(new Option(flag, OFF_POLICY_KEY_HELP[key]).argParser(parser as (v: string, p: unknown) => unknown).helpGroup(offOnly));
  for (const [flag, key] of OFF_SWITCHES) train.addOption(new Option(flag, OFF_POLICY_KEY_HELP[key]).helpGroup(offOnly));
  train.addHelpText('after', `\n${agentsHelp()}\n\n${settingsHelp()}\n`);
  train.action(async (opts: Record<string, unknown>, cmd: Command) => {
    const given = (k: string) => cmd.getOptionValueSource(k) === 'cli';
    const attr = (flag: string) => cmd.options.find((o) => o.flags === flag)!.attributeName();
    const long = (flag: string) => flag.split(' ')[0]!;
    const ppoFlags = [...PPO_FLAGS.map(([f]) => f), ...PPO_SWITCHES.map(([f]) => f)];
    const offFlags = [...Object.keys(SHARED_FLAGS), ...OFF_FLAGS.map(([f]) => f), ...OFF_SWITCHES.map(([f]) => f)];
    const givenFlags = cmd.options.filter((o) => !GENERAL.has(o.attributeName()) && given(o.attributeName())).map((o) => o.flags);
    const ppoFlagValues = (): Partial<Record<keyof PpoConfig, unknown>> => {
      const flagValues: Partial<Record<keyof PpoConfig, unknown>> = {};
      for (const [flag, key] of PPO_FLAGS) if (given(attr(flag))) flagValues[key] = opts[attr(flag)];
      for (const [flag, key, value] of PPO_SWITCHES) if (given(attr(flag))) flagValues[key] = value;
      return flagValues;
    };
    if (opts['resume']) {
      const dir = opts['resume'] as string;
      if (runKindOfDir(dir) === 'offpolicy') {
        const extra = givenFlags.map(long).concat(given('config') ? ['--config'] : [], given('out') ? ['--out'] : [], given('printConfig') ? ['--print-config'] : []);
        if (extra.length) throw new UsageError(`--resume continues the run with its saved config.json; remove ${extra.map((k) => `'${k}'`).join(', ')} (an off-policy run changes nothing on resume)`);
        const { trainOffPolicyRun } = await import('../experiment/offpolicy-run.js');
        writeJson(undefined, await trainOffPolicyRun({ out: dir, resume: true, progress: !opts['quiet'] }));
        return;
      }
      const flagValues = ppoFlagValues();
      // --learner-threads and --vector-env are the settings a resumed run may change: they move work between cores, not the algorithm
      const extra = Object.keys(flagValues).filter((k) => k !== 'learnerThreads' && k !== 'vectorEnv').concat(givenFlags.filter((f) => !ppoFlags.includes(f)).map(long), given('config') ? ['config'] : [], given('out') ? ['out'] : []);
      if (extra.length) throw new UsageError(`--resume continues the run with its saved config.json; remove ${extra.map((k) => `'${k}'`).join(', ')} (only --learner-threads and --vector-env may change on resume)`);
      const { trainRun } = await import('../experiment/train-run.js');
      await initBackend(opts['backend'] as BackendChoice);
      const summary = await trainRun({ out: dir, resume: true, learnerThreads: flagValues.learnerThreads as number | undefined, vectorEnv: flagValues.vectorEnv as PpoConfig['vectorEnv'] | undefined, progress: !opts['quiet'] });
      writeJson(undefined, summary);
      return;
    }
    const fileValues = opts['config'] ? readConfigFile(opts['config'] as string) : {};
    const where = opts['config'] ? `config ${opts['config']}` : 'config';
    const algo = given('algo') ? (opts['algo'] as string) : fileValues['algo'];
    const kind = runKindOf(algo, where);
    // flags of the other family are rejected with the list of this one's
    const valid = kind === 'ppo' ? ppoFlags : offFlags;
    const foreign = givenFlags.filter((f) => !valid.includes(f));
    if (foreign.length) {
      const name = kind === 'ppo' ? 'ppo' : String(algo);
      throw new UsageError(`${foreign.map((f) => `'${long(f)}'`).join(', ')} ${foreign.length > 1 ? 'are not options' : 'is not an option'} of --algo ${name}; valid options of ${name}: ${valid.map(long).join(', ')} (and --config, --out, --resume, --print-config, --quiet, --plugin)`);
    }
    if (kind === 'offpolicy') {
      // plug-ins are loaded by run.ts (--plugin and the file's "plugins") and recorded below, absolute
      const { plugins: _plugins, ...offFile } = fileValues;
      const flagValues: Record<string, unknown> = {};
      // the specific hidden-size flags win over --hidden-sizes
      const order = [...Object.keys(SHARED_FLAGS)].sort((a, b) => SHARED_FLAGS[b]!.length - SHARED_FLAGS[a]!.length);
      for (const flag of order) if (given(attr(flag))) for (const key of SHARED_FLAGS[flag]!) flagValues[key] = opts[attr(flag)];
      for (const [flag, key] of OFF_FLAGS) if (given(attr(flag))) flagValues[key] = opts[attr(flag)];
      // a pair (--x / --no-x) shares one attribute: its value says which of the two was given last
      for (const [flag, key, value] of OFF_SWITCHES) if (given(attr(flag)) && opts[attr(flag)] === value) flagValues[key] = value;
      if (opts['printConfig'] && flagValues['envId'] === undefined && offFile['envId'] === undefined) {
        const { envId: _e, ...defaults } = agentConfig(String(algo), '-', { ...offFile, ...flagValues }, where);
        writeJson(undefined, defaults);
        return;
      }
      const { resolveOffPolicyConfig } = await import('../experiment/offpolicy-config.js');
      const config = await resolveOffPolicyConfig(offFile, flagValues, where);
      const plugins = (await import('../experiment/plugins.js')).loadedPlugins();
      if (plugins.length) config.plugins = plugins;
      // a multi-task run's per-task step defaults are scaled by the task count: said on stderr
      const note = scaledStepNote(config.envId, { ...offFile, ...flagValues });
      if (note) process.stderr.write(`${note}\n`);
      if (opts['printConfig']) {
        writeJson(undefined, config);
        return;
      }
      const out = (opts['out'] as string | undefined) ?? path.join('runs', `${config.envId.replace(/[^\w.-]+/g, '-')}_${config.algo}_seed${config.seed}`);
      const { trainOffPolicyRun } = await import('../experiment/offpolicy-run.js');
      process.stderr.write(`pgvar: training ${config.algo} on ${config.envId}, ${config.totalTimesteps} steps, seed ${config.seed} → ${out}\n`);
      writeJson(undefined, await trainOffPolicyRun({ out, config, progress: !opts['quiet'] }));
      return;
    }
    const flagValues = ppoFlagValues();
    const [{ resolveConfig }, { loadedPlugins }, { trainRun }] = await Promise.all([import('../experiment/build.js'), import('../experiment/plugins.js'), import('../experiment/train-run.js')]);
    const config = resolveConfig(fileValues, flagValues as Partial<PpoConfig>, where);
    // the plug-ins (--plugin and the config file's "plugins", loaded by run.ts) are recorded absolute: --resume, eval and variance load them again
    const plugins = loadedPlugins();
    if (plugins.length) config.plugins = plugins;
    else delete config.plugins;
    if (opts['printConfig']) {
      writeJson(undefined, config);
      return;
    }
    const out = (opts['out'] as string | undefined) ?? path.join('runs', `${config.envId.replace(/[^\w.-]+/g, '-')}_${config.estimator}_seed${config.seed}`);
    await initBackend(opts['backend'] as BackendChoice);
    process.stderr.write(`pgvar: training ${config.algo} on ${config.envId} with estimator ${config.estimator}, ${config.totalTimesteps} steps, seed ${config.seed} → ${out}\n`);
    const summary = await trainRun({ out, config, progress: !opts['quiet'] });
    writeJson(undefined, summary);
  });

  program
    .command('agents')
    .description('list the off-policy agents (train --algo NAME) with every default, what it means and where it comes from')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) => {
      if (opts.json) writeJson(undefined, agentsJson());
      else process.stdout.write(agentsTable());
    });

  program
    .command('eval')
    .description('evaluate the policy of a run at its last checkpoint (or at a kept snapshot)')
    .requiredOption('--run <dir>', 'run directory')
    .option('--at <steps>', 'evaluate the snapshot kept at the first step ≥ this (train --snapshot-every) instead of the last checkpoint', stepsFlag)
    .option('--episodes <n>', 'episodes to run', intFlag(1), 10)
    .option('--deterministic', 'take the mode of the policy (argmax / Gaussian mean) instead of sampling (off-policy runs: the default)')
    .option('--stochastic', 'off-policy runs: act as in training (SAC samples π, TD3 adds its exploration noise) instead of the deterministic tanh(μ(s)); PPO runs sample anyway')
    .option('--seed <s>', 'seed of the evaluation env (default: the run seed + 10000)', intFlag(0))
    .option('--out <file>', 'also write the JSON result to this file')
    .addOption(pluginOption())
    .addOption(backendOption())
    .action(async (opts: { run: string; at?: number; episodes: number; deterministic?: boolean; stochastic?: boolean; seed?: number; out?: string; backend: BackendChoice }) => {
      if (opts.deterministic && opts.stochastic) throw new UsageError('--deterministic and --stochastic exclude each other');
      if (runKindOfDir(opts.run) === 'offpolicy') {
        if (opts.at !== undefined) throw new UsageError(`--at: ${opts.run} is an off-policy run; it keeps only its last checkpoint (no snapshots)`);
        const seed = opts.seed ?? readRunConfig(opts.run).seed + 10_000;
        const { evaluateOffPolicyRun } = await import('../experiment/offpolicy-run.js');
        writeJson(opts.out, await evaluateOffPolicyRun(opts.run, opts.episodes, !opts.stochastic, seed));
        return;
      }
      const [{ loadRun }, { evaluate }] = await Promise.all([import('../experiment/load-run.js'), import('../experiment/evaluate.js')]);
      await initBackend(opts.backend);
      const run = await loadRun(opts.run, opts.at);
      writeJson(opts.out, evaluate(run, opts.episodes, !!opts.deterministic, opts.seed ?? run.config.seed + 10_000));
    });

  program
    .command('export')
    .description("write a run's policy (PPO, SAC or TD3) in another framework's format: 'tfjs' = a TensorFlow.js Layers model (model.json + weights.bin, loadable with tf.loadLayersModel) with the observation normaliser inside, and pgvar-export.json (log-std, action bounds, normaliser values) beside it")
    .requiredOption('--run <dir>', 'run directory')
    .requiredOption('--format <name>', `output format: ${EXPORT_FORMATS.join(' | ')}`, choiceFlag(EXPORT_FORMATS))
    .option('--out <dir>', 'output directory (default <run>/export-<format>)')
    .option('--at <steps>', 'export the snapshot kept at the first step ≥ this (train --snapshot-every) instead of the last checkpoint', stepsFlag)
    .addOption(pluginOption())
    .addOption(backendOption())
    .action(async (opts: { run: string; format: ExportFormat; out?: string; at?: number; backend: BackendChoice }) => {
      const { exportTfjs } = await import('../experiment/export-tfjs.js');
      await initBackend(opts.backend);
      const res = await exportTfjs({ run: opts.run, out: opts.out ?? path.join(opts.run, `export-${opts.format}`), at: opts.at });
      const m = res.metadata;
      process.stdout.write(
        `exported the ${m.algo} policy of ${opts.run} (${m.env_id}, step ${m.step}) as a tfjs Layers model:\n` +
          `  ${res.files.model}\n  ${res.files.weights}\n  ${res.files.metadata}\n` +
          `input: raw observations [batch, ${m.input.shape[0]}]${m.observation_normalizer ? ' (normaliser inside the model)' : ''}; output: ${m.output.kind.replace('_', ' ')} [batch, ${m.output.size}]\n`,
      );
    });

  program
    .command('envs')
    .description('list the registered environments and their spaces')
    .option('--json', 'machine-readable output')
    .addOption(pluginOption())
    .action(async (opts: { json?: boolean }) => {
      const [{ envIds, envSpec, make, prepareAllEnvs }, { describeSpace, formatSpace }] = await Promise.all([import('../envs/registry.js'), import('../envs/spaces.js')]);
      await prepareAllEnvs();
      const rows = envIds().map((id) => {
        const spec = envSpec(id);
        const env = make(id);
        env.close?.();
        return { id, spec, env };
      });
      if (opts.json) {
        writeJson(
          undefined,
          rows.map(({ id, spec, env }) => ({
            id,
            observation_space: describeSpace(env.observationSpace),
            action_space: describeSpace(env.actionSpace),
            max_episode_steps: spec.maxEpisodeSteps ?? null,
            reward_threshold: spec.rewardThreshold ?? null,
            ppo_preset: spec.family,
            description: spec.description,
          })),
        );
        return;
      }
      for (const { id, spec, env } of rows) {
        process.stdout.write(`${id.padEnd(28)} obs ${formatSpace(env.observationSpace)}  action ${formatSpace(env.actionSpace)}  limit ${spec.maxEpisodeSteps ?? '-'}  preset ${spec.family}\n    ${spec.description}\n`);
      }
    });

  program
    .command('estimators')
    .description('list the policy-gradient estimators')
    .option('--json', 'machine-readable output')
    .addOption(pluginOption())
    .action((opts: { json?: boolean }) => {
      if (opts.json) {
        writeJson(undefined, ESTIMATORS.map((e) => ({ name: e.name, aliases: e.aliases, extra_actions_per_state: e.extraActionsPerState, description: e.description })));
        return;
      }
      for (const e of ESTIMATORS) process.stdout.write(`${e.name.padEnd(10)} extra actions/state: ${e.extraActionsPerState.padEnd(4)} ${e.description}${e.aliases.length ? ` (aliases: ${e.aliases.join(', ')})` : ''}\n`);
    });

  program
    .command('variance')
    .description("measure the variance of policy-gradient estimates at a run's latest policy (gradients are never applied)")
    .requiredOption('--run <dir>', 'run directory')
    .option('--at <steps>', 'use the snapshot kept at the first step ≥ this (train --snapshot-every) instead of the last checkpoint', stepsFlag)
    .option('--estimators <list>', 'comma-separated estimators to measure (default: the run\'s estimator)')
    .option('--protocol <name>', "measurement preset: 'app-c4' = the MBMA paper's App. C.4 (125 estimates × 2 500 states per estimator, reference pool of 125 AC estimates)", choiceFlag(['app-c4'] as const))
    .option('--batches <k>', 'number of independent batches K (default 16)', intFlag(2))
    .option('--batch-size <n>', "steps per batch (default: the run's numEnvs × numSteps)", intFlag(1))
    .option('--reference <estimator>', "estimator of the reference pool: 'single' (the AC gradient, default) or e.g. 'mc' (simulator-rewind many-actions)")
    .option('--reference-batches <k>', 'estimates in the reference pool, each from its own batch (default: --batches)', intFlag(2))
    .option('--envs-per-call <m>', 'envs stepped per policy call: batches are collected side by side', intFlag(1), 256)
    .option('--engine <name>', "network engine for the measurement: 'auto' (default: the wasm engine for MLPs, whatever the run trained on), 'wasm' or 'tfjs'", choiceFlag(['auto', 'wasm', 'tfjs'] as const), 'auto')
    .option('--seed <s>', 'seed of the measurement envs and sampling (default: run seed + 20000)', intFlag(0))
    .option('--normalize-advantages', 'normalise advantages per batch as PPO does (default: raw advantages)')
    .option('--bootstrap <b>', "percentile-bootstrap resamples for the old `ci95` (0 = none; it under-covers — use `intervals`)", intFlag(0), 0)
    .option('--sweep <sizes>', 'sample-size sweep: repeat the measurement for each comma-separated batch size (output {sweep: [reports]})', intListFlag)
    .option('--fit-batches <m>', 'batches of the frozen policy used to fit the Q-networks / models of estimators the run did not train (≥ 1 when there are any)', intFlag(0), 10)
    .option('--estimator-options <json>', 'options per estimator, e.g. \'{"daa":{"preset":"paper"}}\'', jsonObjectFlag)
    .option('--decompose', 'add a `decomposition` object: Lemma 3.1 split with lag autocovariances, Eq. 6 variance by N, the Eq. 14 decision over a δ grid, and Tucker\'s Σ_τ/Σ_a/Σ_s (rewinds the simulator)')
    .option('--decomp-steps <n>', "trajectory length per env for --decompose (default: the run's numSteps, at most 1024)", intFlag(2))
    .option('--decomp-segments <k>', 'trajectories per env for --decompose', intFlag(1), 1)
    .option('--decomp-rollouts <m>', 'rollouts per valued action for --decompose (≥ 2)', intFlag(2), 4)
    .option('--decomp-horizon <h>', 'steps per rollout for --decompose (critic-bootstrapped)', intFlag(1), 20)
    .option('--max-lag <l>', 'largest lag of the autocovariances α̃_t, α_t (larger lags taken as zero)', intFlag(0), 100)
    .option('--deltas <list>', 'δ grid of the Eq. 14 decision (relative cost of an action sample)', (v: string) => floatListFlag(v), [0.01, 0.03, 0.1, 0.3, 1, 3])
    .option('--decomp-actions <list>', 'actions per state N at which Eq. 6 and Eq. 14 are evaluated', intListFlag, [1, 2, 4, 8])
    .option('--out <file>', 'also write the JSON report to this file')
    .addOption(pluginOption())
    .addOption(backendOption())
    .action(async (opts: { decompose?: boolean; decompSteps?: number; decompSegments: number; decompRollouts: number; decompHorizon: number; maxLag: number; deltas: number[]; decompActions: number[]; run: string; estimators?: string; protocol?: ProtocolName; batches?: number; batchSize?: number; reference?: string; referenceBatches?: number; envsPerCall: number; engine: 'auto' | 'wasm' | 'tfjs'; seed?: number; normalizeAdvantages?: boolean; bootstrap: number; fitBatches: number; sweep?: number[]; estimatorOptions?: Record<string, Record<string, unknown>>; out?: string; at?: number; backend: BackendChoice }) => {
      const [{ measureVariance, PROTOCOLS, sampleSizeSweep }, { measureDecomposition }, { loadRun }] = await Promise.all([import('../analysis/variance.js'), import('../analysis/decomposition-measure.js'), import('../experiment/load-run.js')]);
      const names = opts.estimators?.split(',').map((s) => s.trim()).filter(Boolean);
      names?.forEach((n) => estimatorInfo(n));
      if (opts.reference !== undefined) estimatorInfo(opts.reference);
      const preset = opts.protocol ? PROTOCOLS[opts.protocol] : undefined;
      if (preset) {
        const fixed = (['batches', 'batchSize', 'referenceBatches'] as const).filter((k) => opts[k] !== undefined);
        if (fixed.length) throw new UsageError(`--protocol ${opts.protocol} fixes K = ${preset.batches}, n = ${preset.batchSize}, K_ref = ${preset.referenceBatches}; drop ${fixed.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} or drop --protocol`);
      }
      await initBackend(opts.backend);
      const run = await loadRun(opts.run, opts.at, opts.engine);
      const batches = preset?.batches ?? opts.batches ?? 16;
      const common = {
        protocol: opts.protocol ?? ('custom' as const),
        reference: opts.reference,
        referenceBatches: preset?.referenceBatches ?? opts.referenceBatches,
        envsPerCall: opts.envsPerCall,
        batches,
        estimators: names ?? [run.config.estimator],
        seed: opts.seed ?? run.config.seed + 20_000,
        normalizeAdvantages: !!opts.normalizeAdvantages,
        bootstrap: opts.bootstrap,
        fitBatches: opts.fitBatches,
        estimatorOptions: opts.estimatorOptions,
        onProgress: (m: string) => process.stderr.write(`${m}\n`),
      };
      if (opts.sweep) {
        writeJson(opts.out, { sweep: sampleSizeSweep(run, opts.sweep, common) });
        return;
      }
      const report: Record<string, unknown> = { ...measureVariance(run, { ...common, batchSize: preset?.batchSize ?? opts.batchSize ?? run.config.numEnvs * run.config.numSteps }) };
      if (opts.decompose) {
        report['decomposition'] = measureDecomposition(run, {
          segments: opts.decompSegments,
          steps: opts.decompSteps ?? Math.min(run.config.numSteps, 1024),
          rollouts: opts.decompRollouts,
          horizon: opts.decompHorizon,
          maxLag: opts.maxLag,
          deltas: opts.deltas,
          actions: opts.decompActions,
          seed: common.seed + 500,
          onProgress: common.onProgress,
        });
      }
      writeJson(opts.out, report);
    });

  program
    .command('check-env')
    .description("check environments as Gymnasium's check_env does: spaces, reset/step signatures and dtypes, observations in bounds and finite, seeding determinism, the getState/setState round trip; exit code 1 if any check fails")
    .argument('<ids...>', 'environment ids (see `pgvar envs`)')
    .option('--seed <s>', 'seed of the resets', intFlag(0), 0)
    .option('--steps <n>', 'random-action steps of the step check', intFlag(1), 200)
    .option('--json', 'machine-readable output')
    .addOption(pluginOption())
    .action(async (ids: string[], opts: { seed: number; steps: number; json?: boolean }) => {
      const [{ envSpec, prepareEnv }, { checkEnv }] = await Promise.all([import('../envs/registry.js'), import('../envs/check-env.js')]);
      ids.forEach((id) => envSpec(id)); // unknown ids: a usage error before anything runs
      const results = [];
      for (const id of ids) {
        await prepareEnv(id);
        const spec = envSpec(id);
        // the env as registered, without makeEnv's NanGuard and TimeLimit: the checks are about it
        const env = spec.create();
        try {
          results.push({ ...checkEnv(env, { seed: opts.seed, steps: opts.steps, factory: spec.create }), id });
        } finally {
          env.close?.();
        }
      }
      if (opts.json) writeJson(undefined, results);
      else {
        for (const r of results) {
          for (const c of r.checks) process.stdout.write(`${id8(c.status)} ${r.id === ids[0] && results.length === 1 ? '' : `${r.id} `}${c.message}\n`);
          const failed = r.checks.filter((c) => c.status === 'failed').length;
          process.stdout.write(failed ? `${r.id}: ${failed} check${failed > 1 ? 's' : ''} failed\n` : `${r.id}: all checks passed\n`);
        }
      }
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });

  program
    .command('analyze')
    .description('one HTML report (and JSON beside it) over run directories (PPO and off-policy runs together) and variance files: learning curves per estimator or agent against env steps and wall time, best/final returns over seeds, bias/variance over training, sample-size sweeps, variance decompositions')
    .argument('[runs...]', 'run directories (their variance.jsonl is included)')
    .option('--variance <files...>', '`pgvar variance --out` files: reports, --sweep results or JSONL')
    .option('--out <file>', 'report file', 'runs/analysis.html')
    .option('--title <text>', 'report title')
    .action(async (runs: string[], opts: { variance?: string[]; out: string; title?: string }) => {
      const { analyze } = await import('../experiment/analyze.js');
      const res = await analyze({ runs, variance: opts.variance ?? [], out: opts.out, title: opts.title });
      process.stdout.write(`report: ${res.report}\nnumbers: ${res.json}\n`);
    });

  registerSweepCommands(program);

  program
    .command('demo')
    .description("the quick-start demo (npm start): PPO learns CartPole-v1 over three seeds; the gradient variance of 'single' and of 'mc' (4 extra actions per state) is measured during training and compared at the final policy with intervals; one HTML report that opens with the finding")
    .option('--out <dir>', 'output directory', 'runs/demo')
    .option('--steps <n>', 'training steps per seed', stepsFlag, 100_000)
    .option('--seed <s>', 'first seed', intFlag(0), 1)
    .option('--seeds <n>', 'training runs (seeds seed, seed + 1, …)', intFlag(1), 3)
    .option('--estimators <list>', 'estimators compared (the first is the baseline)', 'single,mc')
    .option('--measurements <n>', 'variance measurements during each run', intFlag(1), 4)
    .option('--track-batches <k>', 'batches per variance measurement during training', intFlag(2), 16)
    .option('--batches <k>', 'batches K of the final comparison (its reference pool has as many)', intFlag(4), 64)
    .option('--batch-size <n>', 'steps per batch of the final comparison', intFlag(1), 512)
    .addOption(backendOption())
    .action(async (opts: { out: string; steps: number; seed: number; seeds: number; estimators: string; measurements: number; trackBatches: number; batches: number; batchSize: number; backend: BackendChoice }) => {
      const estimators = opts.estimators.split(',').map((x) => estimatorInfo(x.trim()).name);
      const { runDemo } = await import('../experiment/demo.js');
      await initBackend(opts.backend);
      const res = await runDemo({ ...opts, estimators });
      process.stdout.write(`report: ${res.report}\nnumbers: ${res.json}\nfinal-policy measurement: ${res.variance}\n`);
    });
}
