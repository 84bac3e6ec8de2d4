/**
 * Environment registry, as `gymnasium.make`: an id maps to a constructor, a step limit and the PPO
 * preset family its defaults come from. `make(id)` returns the base env wrapped in NanGuard and
 * TimeLimit (Gymnasium puts TimeLimit there too).
 */
import { UsageError } from '../common/errors.js';
import { REGISTRY_NAME, registrationSource, setRegistrationSource } from '../common/registration.js';
import { PongAleEnv } from './atari/pong.js';
import { LunarLanderEnv } from './box2d/lunar-lander.js';
import { atariPreprocessing, NoopReset } from './wrappers/atari.js';
import { CartPoleEnv } from './classic/cartpole.js';
import { PendulumEnv } from './classic/pendulum.js';
import { GaussianBanditEnv } from './toy/gaussian-bandit.js';
import { AntV5 } from './mujoco/gymnasium/ant-v5.js';
import { HalfCheetahV5 } from './mujoco/gymnasium/half-cheetah-v5.js';
import { HopperV5 } from './mujoco/gymnasium/hopper-v5.js';
import { HumanoidV5 } from './mujoco/gymnasium/humanoid-v5.js';
import { InvertedDoublePendulumV5 } from './mujoco/gymnasium/inverted-double-pendulum-v5.js';
import { InvertedPendulumV5 } from './mujoco/gymnasium/inverted-pendulum-v5.js';
import { ReacherV5 } from './mujoco/gymnasium/reacher-v5.js';
import { SwimmerV5 } from './mujoco/gymnasium/swimmer-v5.js';
import { Walker2dV5 } from './mujoco/gymnasium/walker2d-v5.js';
import { initMujoco } from './mujoco/runtime.js';
import type { DmcEnv } from './dmc/dmc-env.js';
import { DmcAcrobotSwingup } from './dmc/tasks/acrobot.js';
import { DmcBallInCupCatch } from './dmc/tasks/ball-in-cup.js';
import { DmcFinger } from './dmc/tasks/finger.js';
import { DmcCartpole } from './dmc/tasks/cartpole.js';
import { DmcCheetahRun } from './dmc/tasks/cheetah.js';
import { DmcHopper } from './dmc/tasks/hopper.js';
import { DmcHumanoid } from './dmc/tasks/humanoid.js';
import { DmcPendulumSwingup } from './dmc/tasks/pendulum.js';
import { DmcPointMassEasy } from './dmc/tasks/point-mass.js';
import { DmcQuadruped } from './dmc/tasks/quadruped.js';
import { DmcReacher } from './dmc/tasks/reacher.js';
import { DmcWalker } from './dmc/tasks/walker.js';
import type { Env } from './env.js';
import { NanGuard } from './wrappers/nan-guard.js';
import { TimeLimit } from './wrappers/time-limit.js';

/** Which CleanRL script's defaults apply: `ppo.py` (classic control) or `ppo_continuous_action.py`. */
export type PresetFamily = 'classic' | 'continuous' | 'atari';

export interface EnvSpec {
  id: string;
  create: () => Env;
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  family: PresetFamily;
  /**
   * false when no transition is ever terminal (only the time limit ends an episode: Pendulum,
   * HalfCheetah, the DMC tasks); learned models then predict no termination. Default true.
   */
  terminates?: boolean;
  description: string;
  /** Asynchronous set-up `create` needs (loading MuJoCo's WASM module); see `prepareEnv`. */
  prepare?: () => Promise<unknown>;
}

const specs = new Map<string, EnvSpec>();
/** Who registered each id ('built in', a plug-in's file, 'the program'). */
const registeredBy = new Map<string, string>();
const FAMILIES: readonly PresetFamily[] = ['classic', 'continuous', 'atari'];

/** Add an environment id (internal form: every field given). A taken id is a UsageError naming who took it. */
export function register(spec: EnvSpec): void {
  const by = registeredBy.get(spec.id);
  if (by !== undefined) throw new UsageError(`environment id '${spec.id}' is already registered (${by === 'built in' ? 'built in' : `by ${by}`})`);
  specs.set(spec.id, spec);
  registeredBy.set(spec.id, registrationSource());
}

/** What `registerEnv` takes: an `EnvSpec` whose `family` and `description` may be left out. */
export interface EnvRegistration {
  /** The id `--env` and `makeEnv` use, e.g. 'my/GridWorld-v0': letters, digits, `_ . / -`. */
  id: string;
  /** Builds a fresh, unwrapped instance (makeEnv adds NanGuard and TimeLimit). */
  create: () => Env;
  /** Episode step limit (TimeLimit truncates there); absent: no limit. */
  maxEpisodeSteps?: number;
  rewardThreshold?: number;
  /**
   * Whose PPO defaults apply: 'classic' (CleanRL ppo.py), 'continuous' (ppo_continuous_action.py) or
   * 'atari'. Default: 'classic' for a Discrete action space, 'continuous' for a Box (read from one
   * instance made at registration; give it explicitly when `prepare` is needed first).
   */
  family?: PresetFamily;
  /** false when no transition is ever terminal (only the time limit ends episodes). Default true. */
  terminates?: boolean;
  description?: string;
  /** Asynchronous set-up that `create` needs (e.g. loading a WebAssembly module); run by prepareEnv. */
  prepare?: () => Promise<unknown>;
}

/**
 * Gymnasium's `register`: make a new environment id available to `makeEnv`, `pgvar train --env` and
 * the rest. Bad fields and ids that are taken are one-line UsageErrors naming the id.
 */
export function registerEnv(r: EnvRegistration): EnvSpec {
  if (r === null || typeof r !== 'object') throw new UsageError(`registerEnv: expected an object {id, create, …}, got ${r === null ? 'null' : typeof r}`);
  if (typeof r.id !== 'string' || !REGISTRY_NAME.test(r.id)) throw new UsageError(`registerEnv: environment id ${JSON.stringify(r.id)} is not valid: expected letters, digits and _ . / - such as 'my/GridWorld-v0'`);
  if (typeof r.create !== 'function') throw new UsageError(`registerEnv: environment '${r.id}' needs a create() function, got ${typeof r.create}`);
  if (r.maxEpisodeSteps !== undefined && !(Number.isInteger(r.maxEpisodeSteps) && r.maxEpisodeSteps > 0)) throw new UsageError(`registerEnv: environment '${r.id}': maxEpisodeSteps must be a positive integer, got ${JSON.stringify(r.maxEpisodeSteps)}`);
  if (r.family !== undefined && !FAMILIES.includes(r.family)) throw new UsageError(`registerEnv: environment '${r.id}': family must be one of ${FAMILIES.join('|')}, got ${JSON.stringify(r.family)}`);
  if (r.prepare !== undefined && typeof r.prepare !== 'function') throw new UsageError(`registerEnv: environment '${r.id}': prepare must be a function, got ${typeof r.prepare}`);
  const by = registeredBy.get(r.id);
  if (by !== undefined) throw new UsageError(`environment id '${r.id}' is already registered (${by === 'built in' ? 'built in' : `by ${by}`})`);
  let family = r.family;
  if (family === undefined) {
    if (r.prepare) throw new UsageError(`registerEnv: environment '${r.id}' has a prepare() step, so give its family ('classic' or 'continuous') explicitly`);
    const env = r.create();
    try {
      const kind = env?.actionSpace?.kind;
      if (kind !== 'discrete' && kind !== 'box') throw new UsageError(`registerEnv: environment '${r.id}': create() returned an env whose actionSpace is not a Discrete or Box space (got ${JSON.stringify(kind)})`);
      family = kind === 'discrete' ? 'classic' : 'continuous';
    } finally {
      env?.close?.();
    }
  }
  const spec: EnvSpec = { ...r, family, description: r.description ?? `${r.id} (registered by ${registrationSource()})` };
  register(spec);
  return spec;
}

export function envIds(): string[] {
  return [...specs.keys()];
}

export function envSpec(id: string): EnvSpec {
  const spec = specs.get(id);
  if (!spec) {
    const lower = id.toLowerCase();
    const close = envIds().filter((k) => k.toLowerCase().startsWith(lower.split('-')[0]!));
    const hint = close.length ? ` Did you mean ${close.join(' or ')}?` : '';
    throw new UsageError(`unknown environment id '${id}'. Valid ids: ${envIds().join(', ')}.${hint}`);
  }
  return spec;
}

/** Run an env's asynchronous set-up (idempotent). Call before `make` for MuJoCo tasks. */
export async function prepareEnv(id: string): Promise<void> {
  await envSpec(id).prepare?.();
}

export async function prepareAllEnvs(): Promise<void> {
  for (const id of envIds()) await prepareEnv(id);
}

export interface MakeOptions {
  /** Override the registered step limit (0 disables TimeLimit). */
  maxEpisodeSteps?: number;
}

export function make(id: string, options: MakeOptions = {}): Env {
  const spec = envSpec(id);
  let env: Env = new NanGuard(spec.create(), spec.id);
  const limit = options.maxEpisodeSteps ?? spec.maxEpisodeSteps;
  if (limit) env = new TimeLimit(env, limit);
  return env;
}

const sourceBefore = setRegistrationSource('built in');

register({
  id: 'CartPole-v1',
  create: () => new CartPoleEnv(),
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  family: 'classic',
  description: 'Gymnasium classic control: balance a pole on a cart (Barto, Sutton & Anderson 1983).',
});

register({
  id: 'Pendulum-v1',
  create: () => new PendulumEnv(),
  maxEpisodeSteps: 200,
  family: 'continuous',
  terminates: false,
  description: 'Gymnasium classic control: swing up and hold an inverted pendulum with bounded torque.',
});

register({
  id: 'LunarLander-v3',
  create: () => new LunarLanderEnv(false),
  maxEpisodeSteps: 1000,
  rewardThreshold: 200,
  family: 'classic',
  description: 'Gymnasium Box2D: land on the pad with four discrete engine actions (on @box2d/core).',
});

register({
  id: 'LunarLanderContinuous-v3',
  create: () => new LunarLanderEnv(true),
  maxEpisodeSteps: 1000,
  rewardThreshold: 200,
  family: 'continuous',
  description: 'Gymnasium Box2D: land on the pad with continuous main/side throttles (on @box2d/core).',
});

register({
  id: 'PongState-v0',
  create: () => new NoopReset(new PongAleEnv({ frameskip: 4, repeatActionProbability: 0.25, observation: 'state' }), 30),
  maxEpisodeSteps: 27_000,
  rewardThreshold: 20,
  family: 'classic',
  description: 'Pong (our own implementation of the Atari rules) with a 7-number state observation; frameskip 4, sticky actions 0.25, noop reset.',
});

register({
  id: 'Pong-v0',
  create: () => atariPreprocessing(new PongAleEnv({ frameskip: 1, repeatActionProbability: 0.25, observation: 'rgb' })),
  maxEpisodeSteps: 27_000,
  rewardThreshold: 20,
  family: 'atari',
  description: 'Pong (our own implementation of the Atari rules) on 84×84×4 frames: sticky actions 0.25, noop reset, max-and-skip 4, fire reset, grayscale, frame stack.',
});

register({
  id: 'pgvar/GaussianBandit-v0',
  create: () => new GaussianBanditEnv(),
  family: 'continuous',
  description: 'One-step Gaussian bandit, reward −(a − 1.5)²: the exact policy gradient is known (estimator tests).',
});

const GYM_MUJOCO = 'Gymnasium MuJoCo v5 on MuJoCo 3.3.8 WASM (our own MJCF from the fact sheets):';

/** Gymnasium MuJoCo v5 tasks: [id, constructor, step limit, reward threshold, description]. */
const GYM_MUJOCO_TASKS: [string, () => Env, number, number | undefined, string][] = [
  ['Hopper-v5', () => new HopperV5(), 1000, 3800, 'one-legged planar hopper, hop forward without falling.'],
  ['Walker2d-v5', () => new Walker2dV5(), 1000, undefined, 'two-legged planar walker, walk forward without falling.'],
  ['HalfCheetah-v5', () => new HalfCheetahV5(), 1000, 4800, 'planar cheetah, run forward; never terminates.'],
  ['InvertedPendulum-v5', () => new InvertedPendulumV5(), 1000, 950, 'keep a pole upright on a cart.'],
  ['InvertedDoublePendulum-v5', () => new InvertedDoublePendulumV5(), 1000, 9100, 'keep a two-link pole upright on a cart.'],
  ['Swimmer-v5', () => new SwimmerV5(), 1000, 360, 'three-link swimmer in a viscous fluid, swim forward.'],
  ['Reacher-v5', () => new ReacherV5(), 50, -3.75, 'two-link arm, bring the fingertip to a random target.'],
  ['Ant-v5', () => new AntV5(), 1000, 6000, 'four-legged ant, walk forward; contact forces observed.'],
  ['Humanoid-v5', () => new HumanoidV5(), 1000, undefined, '3-D humanoid, walk forward without falling.'],
];

/** The Gymnasium MuJoCo tasks that never terminate (no health condition). */
const NEVER_TERMINATE = new Set(['HalfCheetah-v5', 'Swimmer-v5', 'Reacher-v5']);

for (const [id, create, maxEpisodeSteps, rewardThreshold, what] of GYM_MUJOCO_TASKS) {
  register({ id, create, maxEpisodeSteps, rewardThreshold, family: 'continuous', terminates: !NEVER_TERMINATE.has(id), description: `${GYM_MUJOCO} ${what}`, prepare: initMujoco });
}

/** DeepMind Control Suite tasks: 1000 control steps, never terminating, rewards in [0, 1]. */
const DMC_TASKS: [string, () => DmcEnv, string][] = [
  ['cartpole-balance', () => new DmcCartpole('dmc/cartpole-balance', 1, false, false), 'keep a pole upright, starting near upright'],
  ['cartpole-balance_sparse', () => new DmcCartpole('dmc/cartpole-balance_sparse', 1, false, true), 'balance with a sparse reward'],
  ['cartpole-swingup', () => new DmcCartpole('dmc/cartpole-swingup', 1, true, false), 'swing a hanging pole up and balance it'],
  ['cartpole-swingup_sparse', () => new DmcCartpole('dmc/cartpole-swingup_sparse', 1, true, true), 'swing-up with a sparse reward'],
  ['cartpole-two_poles', () => new DmcCartpole('dmc/cartpole-two_poles', 2, true, false), 'swing up two chained poles'],
  ['cartpole-three_poles', () => new DmcCartpole('dmc/cartpole-three_poles', 3, true, false), 'swing up three chained poles'],
  ['cheetah-run', () => new DmcCheetahRun(), 'run forward (reward linear in speed up to 10 m/s)'],
  ['walker-stand', () => new DmcWalker('dmc/walker-stand', 0), 'stand up and stay upright'],
  ['walker-walk', () => new DmcWalker('dmc/walker-walk', 1), 'walk forward at 1 m/s'],
  ['walker-run', () => new DmcWalker('dmc/walker-run', 8), 'run forward at 8 m/s'],
  ['reacher-easy', () => new DmcReacher('dmc/reacher-easy', 0.05), 'touch a large random target'],
  ['reacher-hard', () => new DmcReacher('dmc/reacher-hard', 0.015), 'touch a small random target'],
  ['point_mass-easy', () => new DmcPointMassEasy(), 'bring a point mass to the centre'],
  ['finger-spin', () => new DmcFinger('dmc/finger-spin', null), 'flick the spinner to spin fast'],
  ['finger-turn_easy', () => new DmcFinger('dmc/finger-turn_easy', 0.07), 'turn the spinner tip onto a large target'],
  ['finger-turn_hard', () => new DmcFinger('dmc/finger-turn_hard', 0.03), 'turn the spinner tip onto a small target'],
  ['ball_in_cup-catch', () => new DmcBallInCupCatch(), 'swing the tethered ball into the cup'],
  ['acrobot-swingup', () => new DmcAcrobotSwingup(), 'swing the underactuated two-link arm up'],
  ['pendulum-swingup', () => new DmcPendulumSwingup(), 'swing a torque-limited pendulum up (sparse)'],
  ['hopper-stand', () => new DmcHopper('dmc/hopper-stand', false), 'stand the one-legged hopper up'],
  ['hopper-hop', () => new DmcHopper('dmc/hopper-hop', true), 'hop forward'],
  ['quadruped-walk', () => new DmcQuadruped('dmc/quadruped-walk', 0.5), 'quadruped: walk forward at 0.5 m/s'],
  ['quadruped-run', () => new DmcQuadruped('dmc/quadruped-run', 5), 'quadruped: run forward at 5 m/s'],
  ['humanoid-stand', () => new DmcHumanoid('dmc/humanoid-stand', 0), 'humanoid: get up and stand still'],
  ['humanoid-walk', () => new DmcHumanoid('dmc/humanoid-walk', 1), 'humanoid: walk at 1 m/s'],
  ['humanoid-run', () => new DmcHumanoid('dmc/humanoid-run', 10), 'humanoid: run at 10 m/s'],
];

for (const [name, create, what] of DMC_TASKS) {
  register({
    id: `dmc/${name}`,
    create,
    maxEpisodeSteps: 1000,
    family: 'continuous',
    terminates: false,
    description: `DeepMind Control Suite on MuJoCo 3.3.8 WASM (our own MJCF from the fact sheets): ${what}.`,
    prepare: initMujoco,
  });
}

setRegistrationSource(sourceBefore);
