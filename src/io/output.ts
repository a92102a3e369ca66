/**
 * Guards for output paths, checked before any work starts and again by the
 * atomic writers: transferkit never replaces a folder it did not write.
 *
 * A directory output (model bundle, index) may go where nothing exists yet, into
 * an empty directory, or over an earlier transferkit output of the same format
 * (and kind, for bundles). A file output replaces a file of that name, as `cp` or
 * `gcc -o` do (the file named is what the user asked for), never a directory.
 * In every case the nearest existing ancestor must be a directory.
 */
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

/** Who writes a directory: the `format` (and optional `kind`) its manifest.json records. */
export interface OutputOwner {
  format: string;
  kind?: string;
  /** Words for messages, e.g. "model bundle", "index". */
  what: string;
  /**
   * The manifest lists every file of the output under `files` (a name → entry object). An existing
   * output is then replaced only while its folder holds nothing but manifest.json and those files:
   * anything else in it (notes, a file of your own) would be deleted with it, so it is refused by name.
   */
  listsFiles?: boolean;
  /** How messages name the folder itself ("the bundle there"); default `what`. */
  folderName?: string;
}

const MANIFEST = 'manifest.json';

async function statOrNull(path: string) {
  return stat(path).catch(() => null);
}

async function checkAncestors(path: string): Promise<void> {
  let dir = dirname(resolve(path));
  for (;;) {
    const s = await statOrNull(dir);
    if (s) {
      if (!s.isDirectory()) {
        throw new InvalidArgumentError(`cannot write ${path}: ${dir} is a file, not a folder`, { hint: 'choose an output path inside a folder' });
      }
      return;
    }
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Throw unless `dir` can receive a directory output of `owner` (see module doc). */
export async function checkOutputDir(dir: string, owner: OutputOwner): Promise<void> {
  await checkAncestors(dir);
  const s = await statOrNull(dir);
  if (!s) return;
  const refuse = (why: string) =>
    new InvalidArgumentError(`refusing to write the ${owner.what} to ${dir}: ${why}`, {
      hint: 'choose another output path (or remove it yourself if you really mean to replace it)',
    });
  if (!s.isDirectory()) throw refuse('a file with that name exists');
  const entries = await readdir(dir);
  if (entries.length === 0) return;
  let manifest: { format?: unknown; kind?: unknown } | undefined;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8'));
  } catch {
    manifest = undefined;
  }
  if (!manifest || manifest.format !== owner.format) throw refuse(`the folder exists and does not hold a transferkit ${owner.what}`);
  if (owner.kind !== undefined && manifest.kind !== owner.kind) {
    throw refuse(`it holds a transferkit output of kind '${String(manifest.kind)}', not '${owner.kind}'`);
  }
  if (owner.listsFiles) await refuseUnlisted(dir, owner, (manifest as { files?: unknown }).files);
}

/** Throw when the output folder `dir` holds an entry that is neither manifest.json nor a file its manifest lists. */
async function refuseUnlisted(dir: string, owner: OutputOwner, files: unknown): Promise<void> {
  const listed = new Set(files !== null && typeof files === 'object' && !Array.isArray(files) ? Object.keys(files) : []);
  const entries = await readdir(dir, { withFileTypes: true });
  const foreign = entries
    .filter((e) => e.name !== MANIFEST && !(listed.has(e.name) && e.isFile()))
    .map((e) => e.name)
    .sort();
  if (foreign.length === 0) return;
  const one = foreign.length === 1;
  const shown = foreign.slice(0, 5).map((n) => `'${n}'`).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} in all)` : '');
  throw new InvalidArgumentError(
    `refusing to write the ${owner.what} to ${dir}: the ${owner.folderName ?? owner.what} there does not list ${one ? 'its file' : 'its files'} ${shown}, and saving would delete ${one ? 'it' : 'them'}`,
    { hint: `move ${one ? 'it' : 'them'} out of ${dir} and save again, or choose another output path` },
  );
}

/** Throw unless `path` can receive a file output (it may replace a file, never a directory). */
export async function checkOutputFile(path: string): Promise<void> {
  await checkAncestors(path);
  const s = await statOrNull(path);
  if (s && !s.isFile()) {
    throw new InvalidArgumentError(`refusing to write ${path}: it exists and is not a regular file`, { hint: 'choose another output file name' });
  }
}

/** The path with symbolic links resolved in its longest existing part (the rest appended as given). */
async function canonical(path: string): Promise<string> {
  let head = resolve(path);
  const rest: string[] = [];
  for (;;) {
    const real = await realpath(head).catch(() => undefined);
    if (real !== undefined) return rest.length ? join(real, ...rest.reverse()) : real;
    const parent = dirname(head);
    if (parent === head) return resolve(path);
    rest.push(basename(head));
    head = parent;
  }
}

/** Whether `child` lies strictly inside the folder `parent` (both absolute; `/` holds everything else). */
export function isInside(child: string, parent: string): boolean {
  return child !== parent && child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Throw when an output path is one of the command's inputs (`text embed --data a.csv --out a.csv`,
 * `vision train --backbone m --out m`) or holds one, and when it lies inside an input folder: there it
 * could overwrite the input's files (a model folder), or be read as data by the next run. Only inside
 * the data folder named by `data` may a file output go whose extension the folder reader skips
 * (`vision embed --data imgs --out imgs/feats.jsonl`); a folder output (`vision train --data imgs
 * --out imgs/model` would become a class) or a readable file (`--out imgs/x.png`) is refused there too.
 * `inputs` maps each input's option name to its path (undefined: not given).
 */
export async function refuseInputAsOutput(
  output: { flag: string; path: string; kind: 'folder' | 'file'; data?: { flag: string; readExtensions: readonly string[] } },
  inputs: Record<string, string | undefined>,
): Promise<void> {
  const out = await canonical(output.path);
  const ext = extname(out).toLowerCase();
  for (const [flag, path] of Object.entries(inputs)) {
    if (path === undefined) continue;
    const input = await canonical(path);
    if (input === out || isInside(input, out)) {
      throw new InvalidArgumentError(`${output.flag} ${output.path} is the ${flag} input${input === out ? '' : `'s folder`}: writing it would destroy what is being read`, {
        hint: `choose another ${output.flag} path`,
      });
    }
    if (!isInside(out, input)) continue;
    const skippedData = output.kind === 'file' && output.data?.flag === flag && !output.data.readExtensions.includes(ext);
    if (skippedData) continue;
    const why =
      output.data?.flag === flag
        ? `${output.kind === 'folder' ? 'a folder' : `a ${ext || 'extensionless'} file`} there is read as data by the next run`
        : 'writing there could overwrite its files';
    throw new InvalidArgumentError(`${output.flag} ${output.path} is inside the ${flag} folder ${path}: ${why}`, {
      hint: `write ${output.flag} outside ${path}`,
    });
  }
}
