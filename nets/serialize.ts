/** Parameters ⇄ JSON (base64 float32), for checkpoints. */
import * as tf from '@tensorflow/tfjs';

export interface SerializedTensor {
  name: string;
  shape: number[];
  b64: string;
}

export function serializeVariables(vars: tf.Variable[]): SerializedTensor[] {
  return vars.map((v) => {
    const data = v.dataSync() as Float32Array;
    return { name: v.name, shape: v.shape, b64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') };
  });
}

export function decodeTensor(t: SerializedTensor): Float32Array {
  const buf = Buffer.from(t.b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
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
