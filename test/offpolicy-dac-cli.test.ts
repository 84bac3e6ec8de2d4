/**
 * `pgvar train --algo dac|vpl|bro` end to end through the CLI (dist/): the run directory with the agents'
 * own metrics (kl, optimism, kl_weight; pessimism, val_td_loss), exact `--resume` after SIGKILL
 * (metrics, episodes, replay segments and the final trainer state equal an uninterrupted run's,
 * across DAC's optimistic-actor refreshes, VPL's held-out split and BRO's resets; bro under
 * `--preset cpu` with flags on top), `eval`, `--print-config`,
 * `agents` and `--help` showing both with their sources (VPL's [unverified] marks), and one-line
 * errors for inconsistent settings. Small runs on Pendulum-v1: 2 000 steps, 16-16 networks, UTD 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { agentColumns } from '../cli/offpolicy-flags.js';
import { AGENT_DEFAULTS, AGENT_PRESETS, presetDefaults } from '../offpolicy/agents.js';
import { OFF_POLICY_ALGOS } from '../offpolicy/config.js';
import { cli, cliInProcess, deterministicMetrics, tmpDir } from './helpers.js';
import { killAfterCheckpoint } from './offpolicy-helpers.js';

const dir = tmpDir('pgvar-daccli-');
type Algo = 'dac' | 'vpl' | 'bro';
const extra: Record<Algo, string[]> = {
  dac: ['--optimistic-refresh-every', '500', '--dual-lr', '1e-3'],
  vpl: ['--dual-lr', '1e-2', '--validation-every', '5'],
  // the specific widths win over --hidden-sizes (one width each: BroNets); resets before and after the kill's checkpoint
  bro: ['--preset', 'cpu', '--critic-hidden-sizes', '16', '--actor-hidden-sizes', '16', '--critic-blocks', '1', '--quantiles', '8', '--reset-at', '500,1300', '--dual-lr', '1e-3'],
};
const small = (algo: Algo) => ['train', '--algo', algo, '--env', 'Pendulum-v1', '--steps', '2000', '--seed', '3', '--learning-starts', '200', '--buffer-size', '1500', '--batch-size', '32', '--updates-per-step', '2', '--hidden-sizes', '16,16', '--log-every', '200', '--checkpoint-every', '600', '--eval-every', '1000', '--eval-episodes', '1', '--quiet', ...extra[algo]];
const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');
const json = (...p: string[]) => JSON.parse(read(...p));

t.test('train --algo dac|vpl|bro: config, their metrics, summary', async (t) => {
  for (const algo of ['dac', 'vpl', 'bro'] as const) {
    const r = cli([...small(algo), '--out', path.join(dir, `${algo}-ref`)]);
    t.equal(r.status, 0, r.stderr);
    const run = path.join(dir, `${algo}-ref`);
    const config = json(run, 'config.json');
    t.equal(config.algo, algo);
    const rows = deterministicMetrics(path.join(run, 'metrics.jsonl'));
    t.equal(rows.length, 10, `${algo}: one row per --log-every`);
    const last = rows.at(-1)!;
    const own = algo === 'vpl' ? ['pessimism', 'val_td_loss'] : ['optimistic_actor_loss', 'kl', 'optimism', 'kl_weight'];
    for (const k of own) t.equal(typeof last[k], 'number', `${algo}: rows have ${k}`);
    t.equal(json(run, 'summary.json').steps, 2000);
  }
  const dac = json(dir, 'dac-ref', 'config.json');
  t.same([dac.optimisticActor, dac.criticLayerNorm, dac.init, dac.criticHidden, dac.updatesPerStep, dac.optimisticRefreshEvery], [true, true, 'orthogonal', [16, 16], 2, 500], "dac: flags over DAC's defaults");
  const vpl = json(dir, 'vpl-ref', 'config.json');
  t.same([vpl.learnPessimism, vpl.validationEvery, vpl.targetAggregator, vpl.qLr], [true, 5, 'mean-spread', 1e-3], "vpl: flags over VPL's defaults (SAC's otherwise)");
  const bro = json(dir, 'bro-ref', 'config.json');
  t.same([bro.preset, bro.criticHidden, bro.actorHidden, bro.updatesPerStep, bro.quantiles, bro.valueHead, bro.optimisticMode, bro.qOptimizer], ['cpu', [16], [16], 2, 8, 'quantile', 'shift', 'adamw'], 'bro: flags over the cpu preset over the defaults, the preset recorded');
  t.equal(deterministicMetrics(path.join(dir, 'bro-ref', 'metrics.jsonl')).at(-1)!['resets'], 2, 'bro: both resets happened');
});

t.test('killed with SIGKILL after a checkpoint, --resume gives the uninterrupted run’s metrics, episodes, replay and state', async (t) => {
  for (const [algo, step] of [['dac', 600], ['vpl', 1200], ['bro', 600]] as const) {
    const ref = path.join(dir, `${algo}-ref`);
    const out = path.join(dir, `${algo}-killed`);
    await killAfterCheckpoint(small(algo), out, step);
    t.notOk(fs.existsSync(path.join(out, 'summary.json')), `${algo}: killed mid-run`);
    const res = cli(['train', '--resume', out, '--quiet']);
    t.equal(res.status, 0, res.stderr);
    t.same(deterministicMetrics(path.join(out, 'metrics.jsonl')), deterministicMetrics(path.join(ref, 'metrics.jsonl')), `${algo}: metrics equal`);
    t.equal(read(out, 'episodes.csv'), read(ref, 'episodes.csv'), `${algo}: episodes.csv equal`);
    const idx = json(out, 'checkpoint', 'replay', 'index.json');
    t.same(idx, json(ref, 'checkpoint', 'replay', 'index.json'), `${algo}: the same segments`);
    for (const s of idx.segments) t.same(fs.readFileSync(path.join(out, 'checkpoint', 'replay', s.file)), fs.readFileSync(path.join(ref, 'checkpoint', 'replay', s.file)), `${algo}: ${s.file} byte-equal`);
    const state = json(out, 'checkpoint', 'checkpoint.json').trainer;
    t.same(state, json(ref, 'checkpoint', 'checkpoint.json').trainer, `${algo}: final trainer state equal (weights, Adam moments, coefficients, RNG streams)`);
    if (algo === 'vpl') t.ok(state.learner.pessimism, 'vpl: β is in the checkpoint');
    else t.ok(state.learner.stores.optimisticActor && state.learner.optimistic.klWeight, `${algo}: π_o and β_ub, λ are in the checkpoint`);
  }
});

t.test('eval --run of a dac run: deterministic tanh(μ_c) by default; --stochastic explores (π_o itself is checked in offpolicy-dac.test.ts)', async (t) => {
  const run = path.join(dir, 'dac-ref');
  const e = JSON.parse(cli(['eval', '--run', run, '--episodes', '1']).stdout);
  t.same([e.algo, e.deterministic, e.lengths], ['dac', true, [200]]);
  const s = JSON.parse(cli(['eval', '--run', run, '--episodes', '1', '--stochastic']).stdout);
  t.not(s.return_mean, e.return_mean, 'exploration differs');
});

t.test('--print-config, agents and --help show dac and vpl with their sources', async (t) => {
  // in this process (runCli, what bin/pgvar.js runs; cli.test.ts compares the two): nothing here trains;
  // the defaults the expected values read are checked at the end to be as they were before the commands
  const pristine = structuredClone({ AGENT_DEFAULTS, AGENT_PRESETS });
  t.same(JSON.parse((await cliInProcess(['train', '--algo', 'dac', '--print-config'])).stdout), AGENT_DEFAULTS.dac, 'dac defaults');
  t.same(JSON.parse((await cliInProcess(['train', '--algo', 'vpl', '--print-config'])).stdout), AGENT_DEFAULTS.vpl, 'vpl defaults');
  const pc = JSON.parse((await cliInProcess(['train', '--algo', 'dac', '--env', 'Pendulum-v1', '--optimism', '-0.25', '--kl-target', '0.1', '--std-multiplier', '1.5', '--no-optimistic-actor', '--print-config'])).stdout);
  t.same([pc.optimism, pc.klTarget, pc.stdMultiplier, pc.optimisticActor, pc.updatesPerStep], [-0.25, 0.1, 1.5, false, 15], 'dac flags (a negative value too) over its defaults');
  const pr = JSON.parse((await cliInProcess(['train', '--algo', 'dac', '--env', 'Pendulum-v1', '--reset-at', '50k,250k', '--reset-networks', 'critic,actor', '--print-config'])).stdout);
  t.same([pr.resetAt, pr.resetNetworks, pr.optimisticActor], [[50_000, 250_000], ['critic', 'actor'], true], 'dac takes the reset flags');
  t.same([AGENT_DEFAULTS.dac.resetAt, AGENT_DEFAULTS.dac.resetNetworks, AGENT_DEFAULTS.dac.resetLayers], [[50e3, 250e3, 500e3, 750e3, 1e6, 1.25e6, 1.5e6, 2e6, 2.5e6], ['critic', 'actor', 'temperature'], 0], "dac's default full resets are the reference schedule (spec §5)");
  t.same(JSON.parse((await cliInProcess(['train', '--algo', 'dac', '--env', 'Pendulum-v1', '--reset-at', 'none', '--print-config'])).stdout).resetAt, [], '--reset-at none turns them off');
  const pv = JSON.parse((await cliInProcess(['train', '--algo', 'vpl', '--env', 'Pendulum-v1', '--validation-every', '20', '--pessimism-min', '-0.5', '--no-learn-pessimism', '--print-config'])).stdout);
  t.same([pv.validationEvery, pv.pessimismMin, pv.learnPessimism], [20, -0.5, false], 'vpl flags');
  const ag = await cliInProcess(['agents']);
  t.equal(ag.status, 0);
  t.match(ag.stdout, /\n\s+dac\s+DAC, decoupled optimistic exploration actor/);
  t.match(ag.stdout, /\n\s+vpl\s+VPL, pessimism β learned on a validation buffer, on SAC .*\[unverified\]/);
  t.match(ag.stdout, /\nupdatesPerStep --updates-per-step\s+1\s+1\s+15\s+1\s/);
  // one column per agent and preset (0.5 but bro's 0.05), then the meaning
  t.match(ag.stdout, new RegExp(`\\nklTarget --kl-target${agentColumns().map((c) => `\\s+${String(c.defaults.klTarget).replace('.', '\\.')}`).join('')}\\s+dac, bro: target KL.*\\(dac: 0\\.5 per action dimension`));
  t.match(ag.stdout, /\nvalidationEvery --validation-every\s+0\s+0\s+0\s+10\s.*vpl: every 10th transition.*\[unverified\]/);
  t.match(ag.stdout, /\noptimisticRefreshEvery --optimistic-refresh-every\s+25000\s/);
  t.same(JSON.parse((await cliInProcess(['train', '--algo', 'bro', '--print-config'])).stdout), AGENT_DEFAULTS.bro, 'bro defaults (the paper preset)');
  t.same(JSON.parse((await cliInProcess(['train', '--algo', 'bro-fast', '--preset', 'cpu', '--print-config'])).stdout), presetDefaults('bro-fast', 'cpu'), 'bro-fast --preset cpu: every value of the preset');
  t.match(ag.stdout, /\n\s+bro\s+BRO, Bigger Regularized Optimistic/);
  t.match(ag.stdout, /\nupdatesPerStep --updates-per-step(\s+\d+){5}\s+10\s+2\s+2\s+1\s/, 'bro, bro:cpu, bro-fast, bro-fast:cpu columns');
  const h = await cliInProcess(['train', '--help']);
  t.match(h.stdout, /Off-policy options \(--algo sac \| td3 \| dac \| vpl/);
  t.match(h.stdout, /--preset <name>\s+the agent's preset/);
  t.match(h.stdout, /Presets \(--preset NAME.*bro \(paper, cpu\); bro-fast \(paper, cpu\)/);
  t.match(h.stdout, /\n\s+vpl\s+VPL, .*\[unverified\]/);
  t.match(h.stdout, /--kl-target <x>\s+dac, bro: target KL/);
  t.same({ AGENT_DEFAULTS, AGENT_PRESETS }, pristine, 'the commands left the agent defaults and presets as they were');
});

t.test('inconsistent dac/vpl settings: one line naming the problem, exit code 2', async (t) => {
  const short = (name: string) => ['--steps', '300', '--out', path.join(dir, name)];
  const cases: [string[], RegExp][] = [
    [['train', '--algo', 'vpl', '--env', 'Pendulum-v1', '--validation-every', '0', ...short('e1')], /learnPessimism needs a validation buffer/],
    [['train', '--algo', 'vpl', '--env', 'Pendulum-v1', '--validation-every', '1', ...short('e2')], /validationEvery.*must be 0 \(no validation buffer\) or at least 2/],
    [['train', '--algo', 'vpl', '--env', 'Pendulum-v1', '--target-aggregator', 'min', ...short('e3')], /learnPessimism learns the β of targetAggregator 'mean-spread', not 'min'/],
    [['train', '--algo', 'vpl', '--env', 'Pendulum-v1', '--pessimism', '3', ...short('e4')], /pessimism 3 must lie strictly between pessimismMin -1 and pessimismMax 2/],
    [['train', '--algo', 'dac', '--env', 'Pendulum-v1', '--optimism', '-1.5', ...short('e5')], /optimism -1\.5 must exceed −pessimism \(-1\)/],
    [['train', '--algo', 'dac', '--env', 'Pendulum-v1', '--policy', 'deterministic', '--no-autotune', ...short('e6')], /optimisticActor needs policy 'tanh-gaussian'/],
    [['train', '--algo', 'sac', '--env', 'Pendulum-v1', '--preset', 'cpu', ...short('e7')], /agent 'sac' has no preset 'cpu'; its presets: paper/],
    [['train', '--algo', 'bro', '--env', 'Pendulum-v1', '--preset', 'gpu', ...short('e8')], /--preset.*gpu/],
    [['train', '--algo', 'bro', '--env', 'Pendulum-v1', '--value-head', 'categorical', ...short('e9')], /targetAggregator 'mean-spread' would combine atom probabilities element-wise into no distribution/],
  ];
  // in this process (runCli, what bin/pgvar.js runs): a process start per case would cost more than the cases
  for (const [args, re] of cases) {
    const r = await cliInProcess(args);
    t.equal(r.status, 2, `exit 2 for ${args.join(' ')} (stderr: ${r.stderr.trim()})`);
    t.match(r.stderr, re, args.join(' '));
    t.notMatch(r.stderr, /\n\s+at .*\.[jt]s:\d+/, 'no stack trace (in-process: the frames are .ts files)');
  }
  // and the binary answers exactly so
  t.same(cli(cases[4]![0]), await cliInProcess(cases[4]![0]), `bin/pgvar.js ${cases[4]![0].join(' ')}: the same exit code, stdout and stderr as in-process`);
});
