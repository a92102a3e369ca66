/**
 * Who writes model bundles, without TensorFlow.js: what output-path checks (and the CLI,
 * before any work starts) need. `bundle.ts` re-exports these.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { checkOutputDir, type OutputOwner } from '../io/output.js';

export const BUNDLE_FORMAT = 'transferkit-bundle';
export const MANIFEST_FILE = 'manifest.json';

/** Who writes bundles of this kind (for output-path checks: `checkOutputDir(dir, bundleOwner(kind))`). */
export function bundleOwner(kind: string): OutputOwner {
  return { format: BUNDLE_FORMAT, kind, what: `${kind} bundle` };
}

/**
 * Throw unless a bundle of `kind` can be saved to `dir`: `checkOutputDir`'s rules (a new path, an
 * empty folder, or a bundle of this kind), and — since saving replaces the whole folder — the bundle
 * there may hold only its manifest and the files that manifest lists. Anything else in it (notes, a
 * model.json of your own put into a bundle saved without a model) is not the bundle's to delete.
 */
export async function checkBundleOutput(dir: string, kind: string): Promise<void> {
  const owner = bundleOwner(kind);
  await checkOutputDir(dir, owner);
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  if (entries.length === 0) return;
  // checkOutputDir has read this manifest: it is JSON with the bundle format and this kind.
  const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as { files?: unknown };
  const files = manifest.files !== null && typeof manifest.files === 'object' && !Array.isArray(manifest.files) ? manifest.files : {};
  const listed = new Set(Object.keys(files));
  const foreign = entries.filter((e) => e.name !== MANIFEST_FILE && !(listed.has(e.name) && !e.isDirectory())).map((e) => e.name).sort();
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 5).map((n) => `'${n}'`).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  throw new InvalidArgumentError(
    `refusing to write the ${owner.what} to ${dir}: the bundle there does not list ${foreign.length === 1 ? 'its file' : 'its files'} ${shown}, and saving would delete ${foreign.length === 1 ? 'it' : 'them'}`,
    { hint: `move ${foreign.length === 1 ? 'it' : 'them'} out of ${dir} and save again, or choose another output path` },
  );
}
