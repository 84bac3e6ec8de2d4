/** Parameters ⇄ JSON (base64 float32), for checkpoints. */
import { tf } from './tf.js';

export interface SerializedTensor {
  name: string;
  shape: number[];
  b64: string;
}

/** A typed array's bytes as base64 (checkpoint state of networks and replay buffers). */
export function toBase64(a: Float32Array | Uint8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** The float32 values of base64 bytes written by `toBase64`. */
export function float32FromBase64(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function serializeVariables(vars: tf.Variable[]): SerializedTensor[] {
  return vars.map((v) => ({ name: v.name, shape: v.shape, b64: toBase64(v.dataSync() as Float32Array) }));
}

export function decodeTensor(t: SerializedTensor): Float32Array {
  return float32FromBase64(t.b64);
}

export function loadVariables(vars: tf.Variable[], saved: SerializedTensor[]): void {
  if (saved.length !== vars.length) throw new Error(`checkpoint has ${saved.length} parameter tensors, the model has ${vars.length}`);
  vars.forEach((v, i) => {
    const s = saved[i]!;
    if (s.shape.join('x') !== v.shape.join('x')) throw new Error(`checkpoint tensor ${s.name} has shape [${s.shape}], the model's ${v.name} has [${v.shape}]`);
    const t = tf.tensor(decodeTensor(s), s.shape);
    v.assign(t);
    t.dispose();
  });
}
