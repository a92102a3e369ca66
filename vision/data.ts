/**
 * Labelled image collections: a folder per class (`root/<label>/*.jpg…`) or a
 * CSV manifest (`path,label`, paths relative to the CSV). Reading lists files;
 * `decodeAll` decodes them, reporting every unreadable file (path + reason)
 * instead of failing the run.
 */
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { isInside } from '../src/io/output.js';
import { parse } from 'csv-parse/sync';
import { DataError, InvalidArgumentError, InvalidFileError, NotFoundError } from '../src/errors.js';
import { silentProgress, type Progress } from '../src/progress.js';
import { DECODABLE_FORMATS, decodeFailure, decodeImage, type PreprocessSpec, type RgbImage } from './preprocess.js';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif', '.jfif'];

/** Whether a path names an image by its extension (any case). */
const isImagePath = (path: string) => IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());

export interface ImageItem {
  path: string;
  /** Class index into `labels`. */
  label: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ImageCollection {
  /** Class names, sorted. */
  labels: string[];
  items: ImageItem[];
  /** Files left out, with the reason. */
  skipped: SkippedFile[];
  /** Where the collection was read from. */
  source: string;
  /** With `unknownLabels: 'exclude'`: labels found that are not in `labels`, with their image counts (left out of `items`). */
  unseenLabels?: Array<{ label: string; count: number }>;
}

export interface ReadOptions {
  /** Fail unless there are at least this many classes. Default 2 (a classifier needs two); 1 with `unlabelled`. */
  minClasses?: number;
  /** Use these labels (and order) instead of the sorted set found, e.g. a trained model's labels. */
  labels?: string[];
  /** With `labels`: what to do with a class not among them — 'error' (default) or 'exclude' (left out, listed in `unseenLabels`). */
  unknownLabels?: 'error' | 'exclude';
  /**
   * Images need no label (for embedding, not training): image files directly in the folder, and CSV rows
   * without a label (or a CSV without a label column), get the empty label ''. Default false.
   */
  unlabelled?: boolean;
}

/** The layout `--data` takes, for hints. */
const LAYOUT_HINT = 'pass a folder with a sub-folder of images per label (DIR/<label>/<image>), or a .csv manifest with a path,label header and one image per row';

/** Loose files in a data folder: they are not in any class. */
const LOOSE = 'not inside a class folder';

function finish(source: string, kind: 'folder' | 'csv', byLabel: Map<string, string[]>, skipped: SkippedFile[], options: ReadOptions): ImageCollection {
  const minClasses = options.minClasses ?? (options.unlabelled ? 1 : 2);
  const empty = [...byLabel].filter(([, files]) => files.length === 0).map(([l]) => l);
  if (empty.length) {
    throw new DataError(`class folder${empty.length > 1 ? 's' : ''} ${empty.map((l) => `'${l}'`).join(', ')} in ${source} ha${empty.length > 1 ? 've' : 's'} no images`, {
      hint: `add images (${IMAGE_EXTENSIONS.join(' ')}) or remove the folder`,
    });
  }
  const found = [...byLabel.keys()].sort();
  if (found.length === 0) {
    // Whatever the caller needs the classes for, there are no images at all.
    if (kind === 'csv') {
      if (options.unlabelled) throw new DataError(`${source} lists no image`, { hint: 'fill in the path column of each row (paths relative to the CSV)' });
      throw new DataError(`${source} lists no image with both a path and a label`, { hint: 'fill in the path and label column of each row (paths relative to the CSV)' });
    }
    if (options.unlabelled) throw new DataError(`${source} has no images (neither image files nor class folders with images)`, { hint: `add images (${IMAGE_EXTENSIONS.join(' ')}), directly or in a folder per label` });
    const loose = skipped.filter((f) => f.reason === LOOSE && isImagePath(f.path)).length;
    throw new DataError(`${source} has no class folders${loose ? ` (its ${loose} image${loose === 1 ? ' sits' : 's sit'} directly in it)` : ''}`, {
      hint: loose ? `move the images into a folder per label, ${source}/<label>/<image>, or list them in a .csv manifest with path,label rows` : LAYOUT_HINT,
    });
  }
  if (found.length < minClasses) {
    // Only training asks for more than one class.
    throw new DataError(`${source} has ${found.length} class${found.length === 1 ? '' : 'es'} (${found.join(', ')}); a classifier needs at least ${minClasses}`, {
      hint: 'lay images out as DIR/<label>/<image>, one folder per class, or pass a CSV with path,label rows',
    });
  }
  const labels = options.labels ?? found;
  const index = new Map(labels.map((l, i) => [l, i]));
  const items: ImageItem[] = [];
  const unseenLabels: Array<{ label: string; count: number }> = [];
  for (const label of found) {
    const i = index.get(label);
    if (i === undefined) {
      if (options.unknownLabels === 'exclude') {
        unseenLabels.push({ label, count: byLabel.get(label)!.length });
        continue;
      }
      throw new DataError(`label '${label}' in ${source} is not one of the model's labels (${labels.join(', ')})`, {
        hint: "rename or remove that class folder (or CSV label), or train a model that includes it",
      });
    }
    for (const path of byLabel.get(label)!) items.push({ path, label: i });
  }
  return { labels, items, skipped, source, ...(options.unknownLabels === 'exclude' ? { unseenLabels } : {}) };
}

/** A folder's entries, sorted by name. */
async function listFolder(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Whether a folder entry is a folder, following symbolic links (a Dirent describes the link itself);
 * a link whose target is missing gets the reason it is skipped.
 */
async function entryKind(entry: Dirent, path: string): Promise<{ dir: boolean; broken?: string }> {
  if (!entry.isSymbolicLink()) return { dir: entry.isDirectory() };
  const target: Stats | null = await stat(path).catch(() => null);
  if (target) return { dir: target.isDirectory() };
  const to = await readlink(path).catch(() => '?');
  return { dir: false, broken: `broken symbolic link (its target '${to}' does not exist)` };
}

/** Read `root/<label>/*` (one level of class folders; images may sit in sub-folders of a class folder). */
export async function readImageFolder(root: string, options: ReadOptions = {}): Promise<ImageCollection> {
  const info = await stat(root).catch(() => null);
  if (!info) throw new NotFoundError(`data folder '${root}' does not exist`, { hint: `check the path; ${LAYOUT_HINT}` });
  if (!info.isDirectory()) {
    if (isImagePath(root)) {
      throw new InvalidArgumentError(`'${root}' is an image file, not a data folder or CSV manifest`, {
        hint: `${LAYOUT_HINT} (to classify single images with a trained model, use 'vision predict BUNDLE IMAGE…')`,
      });
    }
    throw new InvalidArgumentError(`'${root}' is a file, not a data folder or CSV manifest (a manifest's name must end in .csv)`, {
      hint: `${LAYOUT_HINT}; if the file is such a manifest, rename it to end in .csv`,
    });
  }
  const byLabel = new Map<string, string[]>();
  const skipped: SkippedFile[] = [];
  const rootReal = await realpath(root);
  // The class folders by real path (a linked class folder counts as the folder it points to): a link
  // to one of them, from the top or from inside another class, must not read its images under a
  // second label.
  const classes: Array<{ entry: Dirent; path: string; real: string }> = [];
  const classOf = new Map<string, string>();
  // Images by real path: a file reached twice (through links) is read once, under the first label.
  const filesSeen = new Map<string, string>();
  const rootImages: Array<{ path: string; real: string }> = [];
  for (const entry of await listFolder(root)) {
    if (entry.name.startsWith('.')) continue;
    const path = join(root, entry.name);
    const kind = await entryKind(entry, path);
    if (kind.broken) {
      skipped.push({ path, reason: kind.broken });
      continue;
    }
    if (!kind.dir) {
      // Unlabelled images in the data folder itself are taken after the classes (a class keeps its own images).
      if (options.unlabelled && isImagePath(entry.name)) rootImages.push({ path, real: entry.isSymbolicLink() ? await realpath(path) : join(rootReal, entry.name) });
      else skipped.push({ path, reason: LOOSE });
      continue;
    }
    const real = await realpath(path);
    if (real === rootReal || isInside(rootReal, real)) {
      skipped.push({ path, reason: 'symbolic link to the data folder itself (or a folder holding it); not a class' });
      continue;
    }
    const same = classOf.get(real);
    if (same !== undefined) {
      skipped.push({ path, reason: `symbolic link to the class folder '${same}', already read; not a class of its own` });
      continue;
    }
    classOf.set(real, entry.name);
    classes.push({ entry, path, real });
  }
  // The class a real path belongs to: that of the nearest class folder holding it (a class folder may
  // lie inside another's); a walk up its folders, so the cost is the path's depth, not the class count.
  const ownerOf = (real: string): string | undefined => {
    for (let p = real; ; p = dirname(p)) {
      const label = classOf.get(p);
      if (label !== undefined) return label;
      if (dirname(p) === p) return undefined;
    }
  };
  for (const { entry, path } of classes) {
    const files: string[] = [];
    // Folders already walked (by real path): a symbolic link back up the tree is walked once, not forever.
    const seen = new Set<string>([rootReal]);
    const walk = async (dir: string): Promise<void> => {
      const real = await realpath(dir);
      if (seen.has(real)) {
        skipped.push({ path: dir, reason: `symbolic link to a folder already read (${real}); not read again` });
        return;
      }
      const owner = ownerOf(real);
      const other = owner !== entry.name ? owner : undefined;
      if (other !== undefined) {
        skipped.push({ path: dir, reason: `symbolic link into the class folder '${other}'; its images are read under their own class only` });
        return;
      }
      seen.add(real);
      for (const e of await listFolder(dir)) {
        if (e.name.startsWith('.')) continue;
        const p = join(dir, e.name);
        const k = await entryKind(e, p);
        if (k.broken) skipped.push({ path: p, reason: k.broken });
        else if (k.dir) await walk(p);
        else if (isImagePath(e.name)) {
          const realFile = e.isSymbolicLink() ? await realpath(p) : join(real, e.name);
          const first = filesSeen.get(realFile);
          const fileOwner = e.isSymbolicLink() ? ownerOf(realFile) : undefined;
          const elsewhere = fileOwner !== undefined && fileOwner !== entry.name ? fileOwner : undefined;
          if (elsewhere !== undefined) skipped.push({ path: p, reason: `symbolic link into the class folder '${elsewhere}'; its images are read under their own class only` });
          else if (first !== undefined) skipped.push({ path: p, reason: `the same file as ${first}, already read; read once` });
          else {
            filesSeen.set(realFile, p);
            files.push(p);
          }
        } else skipped.push({ path: p, reason: `not an image file (extension '${extname(e.name) || 'none'}')` });
      }
    };
    await walk(path);
    byLabel.set(entry.name, files);
  }
  for (const { path, real } of rootImages) {
    const first = filesSeen.get(real);
    if (first !== undefined) {
      skipped.push({ path, reason: `the same file as ${first}, already read; read once` });
      continue;
    }
    filesSeen.set(real, path);
    byLabel.set('', [...(byLabel.get('') ?? []), path]);
  }
  return finish(root, 'folder', byLabel, skipped, options);
}

/** What to do about a CSV parse error: the usual causes of a bad record length, and mixed line endings (cheap to spot). */
function csvHint(text: string, e: unknown): string {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  if (crlf > 0 && lf > 0) {
    return `the file mixes Windows (CRLF, ${crlf} lines) and Unix (LF, ${lf} lines) line endings; convert it to one style (e.g. dos2unix)`;
  }
  if (/record length|column/i.test((e as Error).message)) {
    return 'every line needs as many fields as the header (path,label); quote paths or labels that contain commas ("a,b.jpg")';
  }
  return 'the manifest must be CSV with a header row path,label and one image per line';
}

/** Read a CSV manifest with a header row naming `path` and `label` columns (paths relative to the CSV). */
export async function readImageCsv(file: string, options: ReadOptions = {}): Promise<ImageCollection> {
  const text = await readFile(file, 'utf8').catch((e) => {
    throw new NotFoundError(`manifest '${file}' cannot be read (${(e as Error).message})`, { cause: e });
  });
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (e) {
    throw new InvalidFileError(`not valid CSV: ${(e as Error).message}`, { file, cause: e, hint: csvHint(text, e) });
  }
  const needed = options.unlabelled ? ['path'] : ['path', 'label'];
  if (rows.length === 0 || needed.some((c) => !(c in rows[0]))) {
    const header = text.split(/\r?\n/, 1)[0].slice(0, 80);
    const missing = rows.length === 0 ? 'no data rows after the header' : `missing ${needed.filter((c) => !(c in rows[0])).map((c) => `"${c}"`).join(' and ')}`;
    throw new InvalidFileError(`needs a header row with "path" and "label" columns (${missing})`, {
      file,
      location: 'line 1',
      hint: `the first line is '${header}'; make it 'path,label' (paths relative to the CSV), one image per following line`,
    });
  }
  const base = dirname(resolve(file));
  const byLabel = new Map<string, string[]>();
  const skipped: SkippedFile[] = [];
  rows.forEach((row, i) => {
    const label = row.label ?? '';
    if (!row.path || (!label && !options.unlabelled)) {
      skipped.push({ path: `${file}:${i + 2}`, reason: 'empty path or label' });
      return;
    }
    const list = byLabel.get(label) ?? [];
    list.push(resolve(base, row.path));
    byLabel.set(label, list);
  });
  return finish(file, 'csv', byLabel, skipped, options);
}

/** A folder per class, or a .csv manifest, chosen by what `source` is. */
export async function readImages(source: string, options: ReadOptions = {}): Promise<ImageCollection> {
  return source.toLowerCase().endsWith('.csv') ? readImageCsv(source, options) : readImageFolder(source, options);
}

export interface DecodedCollection {
  labels: string[];
  /** The items that decoded, in collection order. */
  items: ImageItem[];
  images: RgbImage[];
  /** Label of each decoded image. */
  y: Int32Array;
  /** Files skipped while listing and while decoding. */
  skipped: SkippedFile[];
}

export interface DecodeOptions {
  progress?: Progress;
  /** Images decoded at once. Default 8. */
  concurrency?: number;
  /** After dropping unreadable files, require every class to keep at least one image. Default true. */
  requireEveryClass?: boolean;
}

/** The first few skipped files with their reasons, for messages. */
export function listSkipped(skipped: readonly SkippedFile[], max = 3): string {
  return skipped.slice(0, max).map((s) => `${s.path} (${s.reason})`).join('; ') + (skipped.length > max ? `; … ${skipped.length - max} more` : '');
}

/**
 * Refuse a decoded collection with no image in it (every file was skipped): there is nothing to
 * evaluate or embed. `what` ends the message ('nothing to evaluate').
 */
export function requireSomeImage(collection: ImageCollection, decoded: DecodedCollection, what: string): void {
  if (decoded.images.length > 0) return;
  const n = collection.items.length;
  const files = n === 1 ? `the only image file in ${collection.source} could not be read` : `none of the ${n} image files in ${collection.source} could be read`;
  throw new DataError(`${files}: ${what}`, {
    hint: `skipped: ${listSkipped(decoded.skipped)}; the files must be images sharp can decode (${DECODABLE_FORMATS})`,
  });
}

/** Decode every image of a collection at the preprocessing size; unreadable files are skipped and reported. */
export async function decodeAll(collection: ImageCollection, spec: PreprocessSpec, options: DecodeOptions = {}): Promise<DecodedCollection> {
  const progress = options.progress ?? silentProgress;
  const concurrency = options.concurrency ?? 8;
  const results: (RgbImage | SkippedFile)[] = new Array(collection.items.length);
  progress.start('decode images', collection.items.length);
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < collection.items.length) {
      const i = next++;
      const item = collection.items[i];
      try {
        results[i] = await decodeImage(item.path, spec);
      } catch (e) {
        // sharp calls a folder an 'unsupported image format': say what it is (a CSV row can name one).
        const folder = (await stat(item.path).catch(() => null))?.isDirectory();
        results[i] = { path: item.path, reason: folder ? 'is a folder, not an image file' : decodeFailure(e) };
      }
      progress.update(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, collection.items.length) }, worker));
  } finally {
    progress.stop();
  }
  const items: ImageItem[] = [];
  const images: RgbImage[] = [];
  const skipped = [...collection.skipped];
  results.forEach((r, i) => {
    if ('reason' in r) skipped.push(r);
    else {
      items.push(collection.items[i]);
      images.push(r);
    }
  });
  if (options.requireEveryClass ?? true) {
    const present = new Set(items.map((it) => it.label));
    const missing = collection.labels.filter((_, i) => !present.has(i) && collection.items.some((it) => it.label === i));
    if (missing.length) {
      throw new DataError(`class${missing.length > 1 ? 'es' : ''} ${missing.join(', ')} ha${missing.length > 1 ? 've' : 's'} no readable images`, {
        hint: `see the skipped files: ${listSkipped(skipped)}`,
      });
    }
  }
  return { labels: collection.labels, items, images, y: Int32Array.from(items.map((it) => it.label)), skipped };
}
