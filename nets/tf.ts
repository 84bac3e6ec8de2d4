/**
 * TensorFlow.js, for every pgvar module that uses it: `import { tf } from '…/nets/tf.js'`, then
 * `tf.tidy(…)`, `tf.Tensor2D`, as with `import * as tf from '@tensorflow/tfjs'`.
 *
 * Loaded with `require`: the package is CommonJS, and an ES `import` of it makes Node scan the
 * sources of tfjs and of the six packages it re-exports for their export names (cjs-module-lexer),
 * about 0.25 s of CPU in every process that loads tfjs — more than requiring it (0.1 s). The object
 * is the same module either way.
 */
import { createRequire } from 'node:module';
import type * as Tfjs from '@tensorflow/tfjs';

export const tf: typeof Tfjs = createRequire(import.meta.url)('@tensorflow/tfjs');

/** The tfjs types pgvar names as `tf.X` (a type-only namespace, merged with the value above). */
export declare namespace tf {
  export type Tensor<R extends Tfjs.Rank = Tfjs.Rank> = Tfjs.Tensor<R>;
  export type Scalar = Tfjs.Scalar;
  export type Tensor1D = Tfjs.Tensor1D;
  export type Tensor2D = Tfjs.Tensor2D;
  export type Tensor4D = Tfjs.Tensor4D;
  export type Variable<R extends Tfjs.Rank = Tfjs.Rank> = Tfjs.Variable<R>;
  export type GradSaveFunc = Tfjs.GradSaveFunc;
  export type SymbolicTensor = Tfjs.SymbolicTensor;
  export type LayersModel = Tfjs.LayersModel;
  export namespace layers {
    export type Layer = Tfjs.layers.Layer;
  }
  export namespace io {
    export type ModelJSON = Tfjs.io.ModelJSON;
    export type IOHandler = Tfjs.io.IOHandler;
  }
}
