/**
 * LunarLander-v3 and LunarLanderContinuous-v3 as Gymnasium 1.x `box2d/lunar_lander.py` defines them
 * (spec ppo-and-envs.md §4.3), on `@box2d/core` (a TypeScript port of Box2D 2.4; Gymnasium uses
 * pybox2d 2.3, so trajectories agree in law, not bit for bit). Wind is not implemented (off by default
 * in Gymnasium too); particles are decoration only (Gymnasium skips them when not rendering).
 *
 * - World: gravity −10, FPS 50, 6·30 velocity and 2·30 position iterations per step.
 * - Terrain: 11 chunks over W = 20, heights U(0, H/2) smoothed over 3 neighbours, a flat helipad at
 *   H/4 between chunks 4 and 6, all from the env's seeded RNG.
 * - Lander: the 6-vertex hull (density 5, friction 0.1), an initial force U(±1000)² at the centre,
 *   two legs (box 2×8 px, density 1) on revolute joints with motors (torque 40) and limits.
 * - Engines per step: main (action 2 / continuous a0 > 0, power 1 or (clip(a0,0,1)+1)/2) and side
 *   (actions 1, 3 / |a1| > 0.5, power 1 or clip(|a1|, 0.5, 1)) impulses with random dispersion, at
 *   Gymnasium's application points (including the orientation-dependent side-engine torque quirk).
 * - Observation: (x, y) relative to the helipad centre, velocities scaled by (W/2)/FPS and (H/2)/FPS,
 *   angle, 20·ω/FPS, the two leg contacts. Reward: Δshaping − 0.3·main power − 0.03·side power,
 *   shaping = −100‖(x,y)‖ − 100‖(vx,vy)‖ − 100|angle| + 10·leg1 + 10·leg2; −100 and terminated when
 *   the hull touches the ground or |x| ≥ 1; +100 and terminated when the lander's body falls asleep.
 *   The registry adds the 1000-step TimeLimit.
 * - Like Gymnasium, `reset` takes one no-op step and returns its observation.
 *
 * Snapshots (`getState`/`setState`, used by checkpoints and simulator rewinding) store the RNG state
 * before the episode's terrain and the actions taken since; `setState` rebuilds the world and
 * replays them, which restores the exact Box2D state (contact caches and sleep timers included).
 */
import { createRequire } from 'node:module';
import type * as Box2d from '@box2d/core';
import type { b2Body, b2Contact } from '@box2d/core';
import { Rng, type RngState } from '../../common/rng.js';
import type { Action, Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { box, discrete } from '../spaces.js';

// @box2d/core is CommonJS: required, not imported, which would make Node scan its 50 files for their export names (≈ 0.09 s per process; see nets/tf.ts)
const { b2BodyType, b2ContactListener, b2EdgeShape, b2PolygonShape, b2RevoluteJointDef, b2World } = createRequire(import.meta.url)('@box2d/core') as typeof Box2d;
type b2World = Box2d.b2World;

const FPS = 50;
const SCALE = 30.0;
const MAIN_ENGINE_POWER = 13.0;
const SIDE_ENGINE_POWER = 0.6;
const INITIAL_RANDOM = 1000.0;
const LANDER_POLY: [number, number][] = [[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]];
const LEG_AWAY = 20;
const LEG_DOWN = 18;
const LEG_W = 2;
const LEG_H = 8;
const LEG_SPRING_TORQUE = 40;
const SIDE_ENGINE_HEIGHT = 14;
const SIDE_ENGINE_AWAY = 12;
const MAIN_ENGINE_Y_LOCATION = 4;
const VIEWPORT_W = 600;
const VIEWPORT_H = 400;
const W = VIEWPORT_W / SCALE;
const H = VIEWPORT_H / SCALE;
const CHUNKS = 11;

interface LanderSnapshot {
  resetRng: RngState;
  actions: number[][];
  /** RNG state when no episode is running (before the first reset). */
  rng: RngState;
  started: boolean;
}

export class LunarLanderEnv implements Env {
  readonly id: string;
  readonly observationSpace = box([-2.5, -2.5, -10, -10, -2 * Math.PI, -10, 0, 0].map(Math.fround), [2.5, 2.5, 10, 10, 2 * Math.PI, 10, 1, 1].map(Math.fround), [8]);
  readonly actionSpace;
  private readonly rng = new Rng(0);
  private world: b2World | null = null;
  private lander: b2Body | null = null;
  private legs: b2Body[] = [];
  private legContact = [false, false];
  private gameOver = false;
  private prevShaping: number | null = null;
  private resetRng: RngState | null = null;
  private actions: number[][] = [];
  /** Terrain, for rendering and tests. */
  helipadY = 0;
  helipadX: [number, number] = [0, 0];
  terrain: [number, number][] = [];

  constructor(readonly continuous = false) {
    this.id = continuous ? 'LunarLanderContinuous-v3' : 'LunarLander-v3';
    this.actionSpace = continuous ? box(-1, 1, [2]) : discrete(4);
  }

  private build(): void {
    const world = b2World.Create({ x: 0, y: -10 });
    const env = this;
    class ContactDetector extends b2ContactListener {
      override BeginContact(c: b2Contact): void {
        const a = c.GetFixtureA().GetBody();
        const b = c.GetFixtureB().GetBody();
        if (env.lander === a || env.lander === b) env.gameOver = true;
        env.legs.forEach((leg, i) => {
          if (leg === a || leg === b) env.legContact[i] = true;
        });
      }
      override EndContact(c: b2Contact): void {
        const a = c.GetFixtureA().GetBody();
        const b = c.GetFixtureB().GetBody();
        env.legs.forEach((leg, i) => {
          if (leg === a || leg === b) env.legContact[i] = false;
        });
      }
    }
    world.SetContactListener(new ContactDetector());
    this.world = world;
    this.gameOver = false;
    this.prevShaping = null;
    this.legContact = [false, false];

    const height = Array.from({ length: CHUNKS + 1 }, () => this.rng.uniform(0, H / 2));
    const chunkX = Array.from({ length: CHUNKS }, (_, i) => (W / (CHUNKS - 1)) * i);
    const mid = Math.floor(CHUNKS / 2);
    this.helipadX = [chunkX[mid - 1]!, chunkX[mid + 1]!];
    this.helipadY = H / 4;
    for (let j = mid - 2; j <= mid + 2; j++) height[j] = this.helipadY;
    const smoothY = Array.from({ length: CHUNKS }, (_, i) => 0.33 * (height[(i - 1 + height.length) % height.length]! + height[i]! + height[i + 1]!));
    const moon = world.CreateBody({ type: b2BodyType.b2_staticBody });
    moon.CreateFixture({ shape: new b2EdgeShape().SetTwoSided({ x: 0, y: 0 }, { x: W, y: 0 }) });
    this.terrain = [];
    for (let i = 0; i < CHUNKS - 1; i++) {
      const p1 = { x: chunkX[i]!, y: smoothY[i]! };
      const p2 = { x: chunkX[i + 1]!, y: smoothY[i + 1]! };
      moon.CreateFixture({ shape: new b2EdgeShape().SetTwoSided(p1, p2), density: 0, friction: 0.1 });
      this.terrain.push([p1.x, p1.y]);
      if (i === CHUNKS - 2) this.terrain.push([p2.x, p2.y]);
    }

    const x0 = W / 2;
    const y0 = H;
    const hull = new b2PolygonShape();
    hull.Set(LANDER_POLY.map(([x, y]) => ({ x: x / SCALE, y: y / SCALE })));
    const lander = world.CreateBody({ type: b2BodyType.b2_dynamicBody, position: { x: x0, y: y0 }, angle: 0 });
    lander.CreateFixture({ shape: hull, density: 5.0, friction: 0.1, restitution: 0.0, filter: { categoryBits: 0x0010, maskBits: 0x001 } });
    this.lander = lander;
    lander.ApplyForceToCenter({ x: this.rng.uniform(-INITIAL_RANDOM, INITIAL_RANDOM), y: this.rng.uniform(-INITIAL_RANDOM, INITIAL_RANDOM) }, true);

    this.legs = [];
    for (const i of [-1, 1]) {
      const leg = world.CreateBody({ type: b2BodyType.b2_dynamicBody, position: { x: x0 - (i * LEG_AWAY) / SCALE, y: y0 }, angle: i * 0.05 });
      leg.CreateFixture({ shape: new b2PolygonShape().SetAsBox(LEG_W / SCALE, LEG_H / SCALE), density: 1.0, restitution: 0.0, filter: { categoryBits: 0x0020, maskBits: 0x001 } });
      const rjd = new b2RevoluteJointDef();
      rjd.bodyA = lander;
      rjd.bodyB = leg;
      rjd.localAnchorA.Set(0, 0);
      rjd.localAnchorB.Set((i * LEG_AWAY) / SCALE, LEG_DOWN / SCALE);
      rjd.enableMotor = true;
      rjd.enableLimit = true;
      rjd.maxMotorTorque = LEG_SPRING_TORQUE;
      rjd.motorSpeed = 0.3 * i;
      if (i === -1) {
        rjd.lowerAngle = 0.9 - 0.5;
        rjd.upperAngle = 0.9;
      } else {
        rjd.lowerAngle = -0.9;
        rjd.upperAngle = -0.9 + 0.5;
      }
      world.CreateJoint(rjd);
      this.legs.push(leg);
    }
  }

  reset(options: ResetOptions = {}): ResetResult {
    if (options.seed !== undefined) this.rng.seed(options.seed);
    this.resetRng = this.rng.getState();
    this.actions = [];
    this.build();
    return { obs: this.step(this.continuous ? [0, 0] : 0).obs, info: {} };
  }

  private parseAction(action: Action): number[] {
    if (this.continuous) {
      const a = typeof action === 'number' ? [action] : Array.from(action as ArrayLike<number>);
      if (a.length !== 2 || !a.every(Number.isFinite)) throw new Error(`${this.id}: action must be 2 finite numbers (Box(-1, 1, (2,))), got [${a.join(', ')}]`);
      return a.map((v) => Math.max(-1, Math.min(1, v)));
    }
    const a = typeof action === 'number' ? action : (action as ArrayLike<number>)[0]!;
    if (!(a === 0 || a === 1 || a === 2 || a === 3)) throw new Error(`${this.id}: action must be 0, 1, 2 or 3 (Discrete(4)), got ${a}`);
    return [a];
  }

  step(action: Action): StepResult {
    if (!this.world || !this.lander) throw new Error(`${this.id}: call reset() before step()`);
    const act = this.parseAction(action);
    this.actions.push(act);
    const lander = this.lander;
    const angle = lander.GetAngle();
    const tip = [Math.sin(angle), Math.cos(angle)] as const;
    const side = [-tip[1], tip[0]] as const;
    const dispersion = [this.rng.uniform(-1, 1) / SCALE, this.rng.uniform(-1, 1) / SCALE] as const;
    const pos0 = lander.GetPosition();

    let mPower = 0;
    if ((this.continuous && act[0]! > 0) || (!this.continuous && act[0] === 2)) {
      mPower = this.continuous ? (Math.max(0, Math.min(1, act[0]!)) + 1) * 0.5 : 1;
      const ox = tip[0] * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * dispersion[0]) + side[0] * dispersion[1];
      const oy = -tip[1] * (MAIN_ENGINE_Y_LOCATION / SCALE + 2 * dispersion[0]) - side[1] * dispersion[1];
      const at = { x: pos0.x + ox, y: pos0.y + oy };
      lander.ApplyLinearImpulse({ x: -ox * MAIN_ENGINE_POWER * mPower, y: -oy * MAIN_ENGINE_POWER * mPower }, at, true);
    }
    let sPower = 0;
    if ((this.continuous && Math.abs(act[1]!) > 0.5) || (!this.continuous && (act[0] === 1 || act[0] === 3))) {
      const direction = this.continuous ? Math.sign(act[1]!) : act[0]! - 2;
      sPower = this.continuous ? Math.max(0.5, Math.min(1, Math.abs(act[1]!))) : 1;
      const ox = tip[0] * dispersion[0] + side[0] * (3 * dispersion[1] + (direction * SIDE_ENGINE_AWAY) / SCALE);
      const oy = -tip[1] * dispersion[0] - side[1] * (3 * dispersion[1] + (direction * SIDE_ENGINE_AWAY) / SCALE);
      // Gymnasium's quirk: 17 (not SIDE_ENGINE_HEIGHT) along the tip's x: an orientation-dependent torque
      const at = { x: pos0.x + ox - (tip[0] * 17) / SCALE, y: pos0.y + oy + (tip[1] * SIDE_ENGINE_HEIGHT) / SCALE };
      lander.ApplyLinearImpulse({ x: -ox * SIDE_ENGINE_POWER * sPower, y: -oy * SIDE_ENGINE_POWER * sPower }, at, true);
    }

    this.world.Step(1.0 / FPS, { velocityIterations: 6 * 30, positionIterations: 2 * 30 });

    const pos = lander.GetPosition();
    const vel = lander.GetLinearVelocity();
    const state = [
      (pos.x - W / 2) / (W / 2),
      (pos.y - (this.helipadY + LEG_DOWN / SCALE)) / (H / 2),
      (vel.x * (W / 2)) / FPS,
      (vel.y * (H / 2)) / FPS,
      lander.GetAngle(),
      (20.0 * lander.GetAngularVelocity()) / FPS,
      this.legContact[0] ? 1 : 0,
      this.legContact[1] ? 1 : 0,
    ];
    const shaping = -100 * Math.hypot(state[0]!, state[1]!) - 100 * Math.hypot(state[2]!, state[3]!) - 100 * Math.abs(state[4]!) + 10 * state[6]! + 10 * state[7]!;
    let reward = this.prevShaping === null ? 0 : shaping - this.prevShaping;
    this.prevShaping = shaping;
    reward -= mPower * 0.3;
    reward -= sPower * 0.03;
    let terminated = false;
    if (this.gameOver || Math.abs(state[0]!) >= 1.0) {
      terminated = true;
      reward = -100;
    }
    if (!lander.IsAwake()) {
      terminated = true;
      reward = 100;
    }
    return { obs: Float32Array.from(state), reward, terminated, truncated: false, info: {} };
  }

  getState(): LanderSnapshot {
    return { resetRng: this.resetRng ?? this.rng.getState(), actions: this.actions.map((a) => [...a]), rng: this.rng.getState(), started: this.world !== null };
  }

  setState(state: unknown): void {
    const s = state as LanderSnapshot;
    if (!s.started) {
      this.world = null;
      this.lander = null;
      this.rng.setState(s.rng);
      return;
    }
    this.rng.setState(s.resetRng);
    this.resetRng = [...s.resetRng] as RngState;
    this.actions = [];
    this.build();
    for (const a of s.actions) this.step(this.continuous ? a : a[0]!);
  }
}
