/**
 * Keeping tfjs variables and their engine copy in step. The engine holds the live parameters; the
 * tfjs variables are refreshed from it after engine updates (`toTf`). Code that assigns a watched
 * tfjs variable itself (a test setting weights, a user's surgery, a checkpoint load) marks the mirror
 * stale, and the next engine call loads the variables first, so an assignment is never lost.
 */
import { tf } from '../tf.js';

export class TfMirror {
  private stale = false;
  private writing = false;
  /** How many times the engine was loaded from the variables (part of a network's version). */
  syncs = 0;

  constructor(readonly vars: tf.Variable[], private readonly read: () => Float32Array[], private readonly write: (values: Float32Array[]) => void) {
    for (const v of vars) {
      const assign = v.assign.bind(v);
      v.assign = (t: tf.Tensor) => {
        assign(t);
        if (!this.writing) this.stale = true;
      };
    }
    this.fromTf();
  }

  /** Load the tfjs variables into the engine now. */
  fromTf(): void {
    this.write(this.vars.map((v) => v.dataSync() as Float32Array));
    this.stale = false;
    this.syncs += 1;
  }

  /** Before an engine call: load the variables when they were assigned since the last sync. */
  fresh(): void {
    if (this.stale) this.fromTf();
  }

  /** Copy the engine's parameters into the tfjs variables. */
  toTf(): void {
    const values = this.read();
    this.writing = true;
    try {
      this.vars.forEach((v, i) => {
        const t = tf.tensor(values[i]!, v.shape);
        v.assign(t);
        t.dispose();
      });
    } finally {
      this.writing = false;
    }
  }
}
