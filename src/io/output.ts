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

/** "a 'text-classifier'", "an 'image-classifier'": the article a quoted name takes. */
function withArticle(quoted: string): string {
  return `${/^'?[aeiou]/i.test(quoted) ? 'an' : 'a'} ${quoted}`;
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
    throw refuse(`it holds ${withArticle(`'${String(manifest.kind)}'`)} ${owner.what}, not ${withArticle(`'${owner.kind}'`)} one`);
  }
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

/**
 * Throw when an output path is one of the command's inputs (`text embed --data a.csv --out a.csv`,
 * `vision train --backbone m --out m`) or holds one, and when it lies inside an input folder where
 * the next run would read it as data: a folder output (`vision train --data imgs --out imgs/model`
 * would become a class), or a file output with an extension the reader takes (`readExtensions`,
 * e.g. `vision embed --out imgs/x.png`). Other files may go inside (`vision embed --data imgs --out
 * imgs/feats.jsonl`: folders skip them). `inputs` maps each input's option name to its path
 * (undefined: not given).
 */
export async function refuseInputAsOutput(
  output: { flag: string; path: string; kind: 'folder' | 'file'; readExtensions?: readonly string[] },
  inputs: Record<string, string | undefined>,
): Promise<void> {
  const out = await canonical(output.path);
  for (const [flag, path] of Object.entries(inputs)) {
    if (path === undefined) continue;
    const input = await canonical(path);
    if (input === out || input.startsWith(out + sep)) {
      throw new InvalidArgumentError(`${output.flag} ${output.path} is the ${flag} input${input === out ? '' : `'s folder`}: writing it would destroy what is being read`, {
        hint: `choose another ${output.flag} path`,
      });
    }
    const readAsData = output.kind === 'folder' || (output.readExtensions ?? []).includes(extname(out).toLowerCase());
    if (readAsData && out.startsWith(input + sep)) {
      const what = output.kind === 'folder' ? 'a folder' : `a ${extname(out).toLowerCase()} file`;
      throw new InvalidArgumentError(`${output.flag} ${output.path} is inside the ${flag} folder ${path}: ${what} there is read as data by the next run (or overwrites an input)`, {
        hint: `write ${output.flag} outside ${path}`,
      });
    }
  }
}
