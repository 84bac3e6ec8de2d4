// A pgvar plug-in that registers two tiny environments:
//   pgvar train --plugin examples/custom-env.js --env examples/LineWalk-v0 --steps 20k
//   pgvar train --plugin examples/custom-env.js --algo sac --env examples/LineWalkContinuous-v0 --steps 5k --learning-starts 500
//   pgvar check-env --plugin examples/custom-env.js examples/LineWalk-v0
//
// LineWalk: a walker on the segment [-1, 1] starts near 0; action 0 steps left, 1 steps right, each
// step blown by a little seeded wind. Reaching x = 1 pays +1 and ends the episode; every step costs
// 0.01. The observation is [x, steps taken / 100]. LineWalkContinuous is the same walk with a Box
// action a ∈ [-1, 1] that moves the walker by 0.1·a (for the off-policy agents, which need Box actions).
//
// A plug-in's default export is called with pgvar's public API, so the file needs no import of
// 'pgvar' and works wherever it lies. (`import { registerEnv } from 'pgvar'` at the top level works
// too when pgvar is installed in the project.)

/** @param {typeof import('pgvar')} pgvar */
export default function register(pgvar) {
  /** @implements {import('pgvar').Env} */
  class LineWalk {
    id = 'examples/LineWalk-v0';
    observationSpace = pgvar.box([-1, 0], [1, 10], [2]);
    actionSpace = pgvar.discrete(2);
    rng = new pgvar.Rng(0);
    x = 0;
    t = 0;

    /** @param {{seed?: number}} [options] */
    reset(options = {}) {
      if (options.seed !== undefined) this.rng.seed(options.seed); // seeds once; later resets continue the stream
      this.x = this.rng.uniform(-0.05, 0.05);
      this.t = 0;
      return { obs: this.observe(), info: {} };
    }

    /** @param {import('pgvar').Action} action */
    step(action) {
      this.x = Math.max(-1, Math.min(1, this.x + this.move(action) + this.rng.uniform(-0.02, 0.02)));
      this.t += 1;
      const terminated = this.x >= 1;
      return { obs: this.observe(), reward: (terminated ? 1 : 0) - 0.01, terminated, truncated: false, info: {} };
    }

    /** @param {import('pgvar').Action} action */
    move(action) {
      const a = typeof action === 'number' ? action : action[0];
      return a === 1 ? 0.1 : -0.1;
    }

    observe() {
      return Float32Array.of(this.x, Math.min(this.t / 100, 10));
    }

    // snapshots as plain JSON: checkpoints (exact --resume) and simulator-rewinding estimators use them
    getState() {
      return { x: this.x, t: this.t, rng: this.rng.getState() };
    }

    /** @param {any} s */
    setState(s) {
      this.x = s.x;
      this.t = s.t;
      this.rng.setState(s.rng);
    }
  }

  class LineWalkContinuous extends LineWalk {
    id = 'examples/LineWalkContinuous-v0';
    actionSpace = pgvar.box(-1, 1, [1]);

    /** @param {import('pgvar').Action} action */
    move(action) {
      const a = typeof action === 'number' ? action : action[0];
      return 0.1 * Math.max(-1, Math.min(1, a));
    }
  }

  pgvar.registerEnv({ id: 'examples/LineWalk-v0', create: () => new LineWalk(), maxEpisodeSteps: 200, description: 'example plug-in: walk right along a windy line' });
  pgvar.registerEnv({ id: 'examples/LineWalkContinuous-v0', create: () => new LineWalkContinuous(), maxEpisodeSteps: 200, description: 'example plug-in: the windy line walk with a continuous step' });
}
