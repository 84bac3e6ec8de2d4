/**
 * Gymnasium `NormalizeObservation(epsilon=1e-8)`: (obs − mean)/sqrt(var + eps) with running
 * statistics updated on every observation (reset and step). `frozen = true` stops the updates
 * (evaluation, variance measurement at a fixed policy).
 */
import { RunningMeanStd, type RunningMeanStdState } from '../../common/running-mean-std.js';
import { ObservationWrapper, type Env } from '../env.js';
import { box, flatSize, type Space } from '../spaces.js';

export class NormalizeObservation extends ObservationWrapper {
  readonly rms: RunningMeanStd;
  frozen = false;
  private readonly space: Space;
  constructor(env: Env, readonly epsilon = 1e-8) {
    super(env);
    const n = flatSize(env.observationSpace);
    this.rms = new RunningMeanStd(n);
    this.space = box(-Infinity, Infinity, [n]);
  }
  override get observationSpace(): Space {
    return this.space;
  }
  protected observation(obs: Float32Array): Float32Array {
    if (!this.frozen) this.rms.update(obs);
    const out = new Float32Array(obs.length);
    for (let i = 0; i < obs.length; i++) out[i] = (obs[i]! - this.rms.mean[i]!) / Math.sqrt(this.rms.var[i]! + this.epsilon);
    return out;
  }
  override getState(): unknown {
    return { rms: this.rms.getState(), inner: this.env.getState() };
  }
  override setState(s: unknown): void {
    const st = s as { rms: RunningMeanStdState; inner: unknown };
    this.rms.setState(st.rms);
    this.env.setState(st.inner);
  }
}
