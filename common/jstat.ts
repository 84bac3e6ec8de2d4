/**
 * jStat (Student-t, F and normal quantiles), for the modules that use it. The package is CommonJS:
 * required, not imported, which would make Node scan it for its export names (≈ 0.02 s per
 * process; see nets/tf.ts). The object is the same either way.
 */
import { createRequire } from 'node:module';
import type jStatModule from 'jstat';

export const jStat: typeof jStatModule = createRequire(import.meta.url)('jstat');
