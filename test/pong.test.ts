import { tf } from '../nets/tf.js';
import t from 'tap';
import { Rng } from '../common/rng.js';
import { PONG_ACTIONS, PongAleEnv } from '../envs/atari/pong.js';
import { AGENT_X, BALL_H, COURT_BOTTOM, COURT_TOP, CPU_X, PADDLE_H, PADDLE_W, PongGame, renderPong, SCREEN_H, SCREEN_W, WIN_SCORE } from '../envs/atari/pong-game.js';
import type { Env } from '../envs/env.js';
import { make } from '../envs/registry.js';
import { MaxAndSkip, WarpFrame } from '../envs/wrappers/atari.js';
import { box, discrete } from '../envs/spaces.js';
import { ActorCritic } from '../nets/actor-critic.js';
import { conv2dByPatches } from '../nets/conv2d.js';
import { backend } from './helpers.js';

await backend();

/** Put the ball just in front of the agent's paddle, moving right, at a given offset from its centre. */
function aimAtAgent(g: PongGame, offset: number): void {
  const s = g.s;
  s.serveIn = 0;
  s.agentY = 100;
  s.ballX = AGENT_X - 3;
  s.ballY = s.agentY + PADDLE_H / 2 - BALL_H / 2 + offset;
  s.ballVX = 2;
  s.ballVY = 0;
}

t.test('paddle hits: the slope follows the hit point, speed rises, the ball goes back', async (t) => {
  const g = new PongGame(new Rng(1));
  aimAtAgent(g, 0);
  g.s.cpuY = 40;
  g.frame(0);
  t.ok(g.s.ballVX < 0, 'returned towards the opponent');
  t.ok(Math.abs(g.s.ballVY) < 1e-9, 'a centre hit goes back flat');
  t.equal(Math.abs(g.s.ballVX), 2.125, 'each hit speeds the ball up by 0.125');
  aimAtAgent(g, 9);
  g.frame(0);
  t.ok(g.s.ballVY > 2.5, `a hit near the lower edge goes steeply down (vy ${g.s.ballVY.toFixed(2)})`);
  aimAtAgent(g, -9);
  g.frame(0);
  t.ok(g.s.ballVY < -2.5, 'near the upper edge, steeply up');
});

t.test('walls reflect the ball; misses score; first to 21 ends the game', async (t) => {
  const g = new PongGame(new Rng(2));
  const s = g.s;
  s.serveIn = 0;
  s.ballX = 80;
  s.ballY = COURT_TOP + 1;
  s.ballVX = 2;
  s.ballVY = -3;
  g.frame(0);
  t.ok(s.ballVY > 0 && s.ballY >= COURT_TOP, 'bounced off the top wall');
  s.ballY = COURT_BOTTOM - BALL_H - 1;
  s.ballVY = 3;
  g.frame(0);
  t.ok(s.ballVY < 0 && s.ballY <= COURT_BOTTOM - BALL_H, 'bounced off the bottom wall');
  // a ball past the opponent scores +1 for the agent
  s.ballX = 0;
  s.ballVX = -3;
  s.ballY = 180;
  s.ballVY = 0;
  s.cpuY = COURT_TOP;
  t.equal(g.frame(0), 1, 'past the left edge: +1');
  t.equal(s.agentScore, 1);
  t.equal(s.serveIn, 30, 'the next serve comes after 30 frames');
  // past the agent: −1
  s.serveIn = 0;
  s.ballX = 158;
  s.ballVX = 3;
  s.ballY = 40;
  s.agentY = COURT_BOTTOM - PADDLE_H;
  t.equal(g.frame(0), -1, 'past the right edge: −1');
  s.cpuScore = WIN_SCORE - 1;
  s.serveIn = 0;
  s.ballX = 158;
  s.ballVX = 3;
  s.ballY = 40;
  g.frame(0);
  t.ok(g.over, 'the game ends at 21');
  t.equal(g.frame(1), 0, 'no more rewards after the end');
});

t.test('the opponent tracks the ball at limited speed', async (t) => {
  const g = new PongGame(new Rng(3));
  g.s.serveIn = 0;
  g.s.cpuY = COURT_TOP;
  g.s.ballY = COURT_BOTTOM - 10;
  g.s.ballX = 80;
  g.s.ballVX = -0.01;
  const y0 = g.s.cpuY;
  g.frame(0);
  t.equal(g.s.cpuY - y0, 2, 'moves 2 px per frame towards the ball');
  t.equal(CPU_X + PADDLE_W < AGENT_X, true);
});

t.test('ALE-shaped env: minimal action set, sticky actions, determinism, snapshots', async (t) => {
  const env = new PongAleEnv({ frameskip: 1, repeatActionProbability: 0.25, observation: 'state' });
  t.same([...PONG_ACTIONS], ['NOOP', 'FIRE', 'RIGHT', 'LEFT', 'RIGHTFIRE', 'LEFTFIRE']);
  t.same(env.actionSpace, discrete(6));
  t.equal(env.lives(), 0);
  env.reset({ seed: 5 });
  // from a state whose last executed action was DOWN, command UP: with p = 0.25 the paddle still goes down
  env.step(3);
  const snap = env.getState();
  let repeated = 0;
  const N = 4000;
  for (let i = 0; i < N; i++) {
    env.setState({ ...snap, rng: new Rng(1000 + i).getState() });
    const y0 = env.state.agentY;
    env.step(2);
    if (env.state.agentY > y0) repeated += 1;
  }
  t.ok(Math.abs(repeated / N - 0.25) < 0.03, `previous action used on ${(repeated / N).toFixed(3)} of frames (0.25)`);
  const run = (seed: number) => {
    const e = make('PongState-v0');
    const out = Array.from(e.reset({ seed }).obs);
    for (let i = 0; i < 300; i++) {
      const st = e.step(i % 6);
      out.push(...st.obs, st.reward);
    }
    return out;
  };
  t.same(run(4), run(4), 'same seed, same game');
  t.not(run(4).join(), run(5).join(), 'another seed, another game');
  const a = make('PongState-v0');
  a.reset({ seed: 6 });
  for (let i = 0; i < 100; i++) a.step(i % 6);
  const b = make('PongState-v0');
  b.setState(JSON.parse(JSON.stringify(a.getState())));
  let same = true;
  for (let i = 0; i < 100; i++) if (Array.from(a.step(i % 4).obs).join() !== Array.from(b.step(i % 4).obs).join()) same = false;
  t.ok(same, 'a restored snapshot plays on identically');
  t.throws(() => env.step(6), /action must be an integer in 0…5 \(NOOP, FIRE, RIGHT, LEFT, RIGHTFIRE, LEFTFIRE\), got 6/);
  t.throws(() => new PongAleEnv({ frameskip: 0, repeatActionProbability: 0, observation: 'rgb' }), /frameskip must be an integer ≥ 1, got 0/);
});

t.test('frames and the pixel stack: 210×160 RGB → 4 × 84 × 84 grayscale', async (t) => {
  const g = new PongGame(new Rng(1));
  g.s.serveIn = 0;
  const rgb = renderPong(g.s);
  t.equal(rgb.length, SCREEN_H * SCREEN_W * 3);
  const at = (x: number, y: number) => Array.from(rgb.subarray((y * SCREEN_W + x) * 3, (y * SCREEN_W + x) * 3 + 3));
  t.same(at(AGENT_X + 1, Math.round(g.s.agentY) + 2), [92, 186, 92], 'the agent’s paddle is green');
  t.same(at(CPU_X + 1, Math.round(g.s.cpuY) + 2), [213, 130, 74], 'the opponent’s is orange');
  t.same(at(5, 100), [144, 72, 17], 'background');
  const env = make('Pong-v0');
  t.same(env.observationSpace.kind === 'box' && env.observationSpace.shape, [4, 84, 84]);
  const r = env.reset({ seed: 2 });
  t.equal(r.obs.length, 4 * 84 * 84);
  t.ok(r.obs.every((v) => v >= 0 && v <= 255 && Number.isInteger(v)), 'grayscale values in 0…255');
  let reward = 0;
  let last = r.obs;
  for (let i = 0; i < 200; i++) {
    const st = env.step(i % 6);
    reward += st.reward;
    // frame stack: the newest three frames of the previous observation are the oldest three now
    if (i === 10) t.same(Array.from(st.obs.subarray(0, 3 * 84 * 84)), Array.from(last.subarray(84 * 84)), 'frames shift by one');
    last = st.obs;
  }
  t.ok(reward <= 0 && reward >= -21, `rewards are game points (${reward} over 200 steps)`);
});

t.test('Nature CNN: the im2col reference convolution equals tf.conv2d; a CNN agent acts and differentiates', async (t) => {
  for (const [H, C, k, s, O] of [[84, 4, 8, 4, 32], [20, 32, 4, 2, 64], [9, 64, 3, 1, 64]] as const) {
    const d = tf.tidy(() => {
      const x = tf.randomNormal([2, H, H, C], 0, 1, 'float32', 1) as tf.Tensor4D;
      const K = tf.randomNormal([k, k, C, O], 0, 1, 'float32', 2) as tf.Tensor4D;
      // conv2dValid's forward pass is tf.conv2d itself; the im2col reference its gradients are tested against (test/conv2d.test.ts) must equal it too
      return tf.max(tf.abs(tf.sub(tf.conv2d(x, K, s, 'valid'), conv2dByPatches(x, K, s)))).dataSync()[0]!;
    });
    t.ok(d < 1e-3, `conv ${k}×${k}/${s} on ${H}×${H}×${C}: max |Δ| ${d.toExponential(2)}`);
  }
  const agent = new ActorCritic(box(0, 255, [4, 84, 84]), discrete(6), { hiddenSizes: [], activation: 'relu', network: 'nature-cnn' }, new Rng(1));
  const n = agent.policyParams.reduce((a, p) => a + p.size, 0);
  t.equal(n, 32 * 4 * 64 + 32 + 64 * 32 * 16 + 64 + 64 * 64 * 9 + 64 + 3136 * 512 + 512 + 512 * 6 + 6, 'Nature CNN + policy head parameter count');
  const obs = Float32Array.from({ length: 2 * 4 * 84 * 84 }, (_, i) => (i * 37) % 256);
  const out = agent.act(obs, 2, agent.sampleNoise(2, new Rng(2)));
  t.ok(out.actions.every((a) => a >= 0 && a < 6) && out.values.every(Number.isFinite));
  const g = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => tf.sum(agent.value(tf.tensor2d(obs, [2, 4 * 84 * 84]))) as tf.Scalar, agent.trunk);
    return tf.addN(agent.trunk.map((p) => tf.sum(tf.abs(grads[p.name]!)))).dataSync()[0]!;
  });
  t.ok(Number.isFinite(g) && g > 0, 'gradients reach the trunk');
  t.throws(() => new ActorCritic(box(-1, 1, [8]), discrete(4), { hiddenSizes: [], activation: 'relu', network: 'nature-cnn' }, new Rng(1)), /network 'nature-cnn' needs C × 84 × 84 frame observations, got observation shape \[8\]/);
  agent.dispose();
});

/** Random 210 × 160 RGB frames (integers 0…255), one per step, from a seeded RNG. */
function noiseFrames(seed: number): Env {
  const rng = new Rng(seed);
  const frame = () => Float32Array.from({ length: SCREEN_H * SCREEN_W * 3 }, () => rng.int(256));
  return {
    id: 'noise',
    observationSpace: box(0, 255, [SCREEN_H, SCREEN_W, 3]),
    actionSpace: discrete(1),
    reset: () => ({ obs: frame(), info: {} }),
    step: () => ({ obs: frame(), reward: 0, terminated: false, truncated: false, info: {} }),
    getState: () => null,
    setState: () => undefined,
  };
}

t.test('WarpFrame is the luma area average (OpenCV INTER_AREA) and MaxAndSkip the pixel max of the last two frames', async (t) => {
  const rgb = noiseFrames(5).reset().obs;
  const warped = (new WarpFrame(noiseFrames(5), 84) as unknown as { observation(x: Float32Array): Float32Array }).observation(rgb);
  // reference: average of luma over the source rectangle of each output cell, partial pixels weighted by overlap
  let maxDiff = 0;
  const sy = SCREEN_H / 84;
  const sx = SCREEN_W / 84;
  for (let oy = 0; oy < 84; oy++) {
    for (let ox = 0; ox < 84; ox++) {
      let acc = 0;
      for (let y = Math.floor(oy * sy); y < Math.ceil((oy + 1) * sy); y++) {
        for (let x = Math.floor(ox * sx); x < Math.ceil((ox + 1) * sx); x++) {
          const w = (Math.min(y + 1, (oy + 1) * sy) - Math.max(y, oy * sy)) * (Math.min(x + 1, (ox + 1) * sx) - Math.max(x, ox * sx));
          const i = (y * SCREEN_W + x) * 3;
          acc += w * (0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!);
        }
      }
      maxDiff = Math.max(maxDiff, Math.abs(Math.round(acc / (sy * sx)) - warped[oy * 84 + ox]!));
    }
  }
  t.ok(maxDiff <= 1, `within one grey level of the direct area average (max |Δ| ${maxDiff})`);
  const ref = noiseFrames(6);
  ref.reset();
  const frames = [1, 2, 3, 4].map(() => ref.step(0).obs);
  const skip = new MaxAndSkip(noiseFrames(6), 4);
  skip.reset();
  const obs = skip.step(0).obs;
  t.ok(obs.every((v, i) => v === Math.max(frames[2]![i]!, frames[3]![i]!)), 'max of frames 3 and 4 of the skip');
});
