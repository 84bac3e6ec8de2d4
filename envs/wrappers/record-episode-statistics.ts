/**
 * Gymnasium `RecordEpisodeStatistics`: at episode end puts `info.episode = {r, l, t}` (return,
 * length, seconds since the wrapper was created). Placed before any reward normalisation so the
 * recorded return is the environment's own.
 */
import { Wrapper, type Action, type Env, type ResetOptions, type ResetResult, type StepResult } from '../env.js';

export interface EpisodeStats {
  r: number;
  l: number;
  t: number;
}

export class RecordEpisodeStatistics extends Wrapper {
  private episodeReturn = 0;
  private episodeLength = 0;
  private readonly t0 = performance.now();
  override reset(options?: ResetOptions): ResetResult {
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return this.env.reset(options);
  }
  override step(action: Action): StepResult {
    const r = this.env.step(action);
    this.episodeReturn += r.reward;
    this.episodeLength += 1;
    if (r.terminated || r.truncated) {
      const episode: EpisodeStats = { r: this.episodeReturn, l: this.episodeLength, t: (performance.now() - this.t0) / 1000 };
      r.info = { ...r.info, episode };
    }
    return r;
  }
  override getState(): unknown {
    return { ret: this.episodeReturn, len: this.episodeLength, inner: this.env.getState() };
  }
  override setState(s: unknown): void {
    const st = s as { ret: number; len: number; inner: unknown };
    this.episodeReturn = st.ret;
    this.episodeLength = st.len;
    this.env.setState(st.inner);
  }
}
