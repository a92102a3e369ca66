/**
 * Who writes model bundles, without TensorFlow.js: what output-path checks (and the CLI,
 * before any work starts) need. `bundle.ts` re-exports these.
 */
import { checkOutputDir, type OutputOwner } from '../io/output.js';

export const BUNDLE_FORMAT = 'transferkit-bundle';
export const MANIFEST_FILE = 'manifest.json';

/** Who writes bundles of this kind (for output-path checks: `checkOutputDir(dir, bundleOwner(kind))`). */
export function bundleOwner(kind: string): OutputOwner {
  return { format: BUNDLE_FORMAT, kind, what: `${kind} bundle`, listsFiles: true, folderName: 'bundle' };
}

/**
 * Throw unless a bundle of `kind` can be saved to `dir`: `checkOutputDir`'s rules (a new path, an
 * empty folder, or a bundle of this kind), and — since saving replaces the whole folder — the bundle
 * there may hold only its manifest and the files that manifest lists (the owner's `listsFiles`).
 * Anything else in it (notes, a model.json of your own put into a bundle saved without a model) is
 * not the bundle's to delete.
 */
export async function checkBundleOutput(dir: string, kind: string): Promise<void> {
  await checkOutputDir(dir, bundleOwner(kind));
}
