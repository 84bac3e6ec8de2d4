// A pgvar plug-in that registers a tiny environment:
//   pgvar train --plugin examples/custom-env.js --env examples/LineWalk-v0 --steps 20k
//   pgvar check-env --plugin examples/custom-env.js examples/LineWalk-v0
//
// LineWalk: a walker on the segment [-1, 1] starts near 0; action 0 steps left, 1 steps right, each
// step blown by a little seeded wind. Reaching x = 1 pays +1 and ends the episode; every step costs
// 0.01. The observation is [x, steps taken / 100].
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
      const a = typeof action === 'number' ? action : action[0];
      this.x = Math.max(-1, Math.min(1, this.x + (a === 1 ? 0.1 : -0.1) + this.rng.uniform(-0.02, 0.02)));
      this.t += 1;
      const terminated = this.x >= 1;
      return { obs: this.observe(), reward: (terminated ? 1 : 0) - 0.01, terminated, truncated: false, info: {} };
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

  pgvar.registerEnv({ id: 'examples/LineWalk-v0', create: () => new LineWalk(), maxEpisodeSteps: 200, description: 'example plug-in: walk right along a windy line' });
}
