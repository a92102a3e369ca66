/**
 * Who writes model bundles, without TensorFlow.js: what output-path checks (and the CLI,
 * before any work starts) need. `bundle.ts` re-exports these.
 */
import type { OutputOwner } from '../io/output.js';

export const BUNDLE_FORMAT = 'transferkit-bundle';

/** Who writes bundles of this kind (for output-path checks: `checkOutputDir(dir, bundleOwner(kind))`). */
export function bundleOwner(kind: string): OutputOwner {
  return { format: BUNDLE_FORMAT, kind, what: `${kind} bundle` };
}
