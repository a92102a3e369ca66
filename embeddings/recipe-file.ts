/**
 * The recipe sidecar of a JSONL embeddings file: `<file>.recipe.json` holds how a new input
 * becomes a vector of the file's space (see `VectorIndex.recipe`), and a fingerprint of the
 * file it was written for (size and sha256):
 *
 *   { "recipe": { "kind": "…", … }, "for": { "file": "docs.jsonl", "bytes": 1234, "sha256": "…" } }
 *
 * `text embed` and `vision embed` write it next to their output; `index build` picks it up only
 * when the fingerprint matches the JSONL it reads (a sidecar left from another run, or a JSONL
 * rewritten since, is not used). The recipe is a JSON object with a string `kind`; the rest of it
 * belongs to whoever wrote it. A file given explicitly (`--recipe FILE`) may also hold a bare recipe.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidFileError, NotFoundError } from '../src/errors.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { sha256File } from '../src/io/hash.js';
import type { EmbeddingRecipe } from './types.js';

/** Largest recipe file read (a recipe is a few hundred bytes; it is copied into the index manifest). */
export const MAX_RECIPE_BYTES = 64 * 1024;

/** What a sidecar says about the embeddings file it was written for. */
export interface RecipeFingerprint {
  file: string;
  bytes: number;
  sha256: string;
}

export interface RecipeFile {
  recipe: EmbeddingRecipe;
  /** Absent in a bare recipe file. */
  for?: RecipeFingerprint;
}

/** Where the recipe of an embeddings file lives. */
export function recipeFileFor(embeddingsFile: string): string {
  return `${embeddingsFile}.recipe.json`;
}

/** A JSON object with a string `kind`. */
export function isRecipe(value: unknown): value is EmbeddingRecipe {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { kind?: unknown }).kind === 'string';
}

async function fingerprint(file: string): Promise<RecipeFingerprint> {
  return { file: basename(file), bytes: (await stat(file)).size, sha256: await sha256File(file) };
}

/**
 * Write (atomically) the recipe of an embeddings file that has just been written, with its
 * fingerprint; or, when there is no recipe, remove a sidecar left from an earlier run.
 */
export async function writeRecipeFile(embeddingsFile: string, recipe: EmbeddingRecipe | undefined): Promise<void> {
  const path = recipeFileFor(embeddingsFile);
  if (recipe === undefined) {
    await rm(path, { force: true });
    return;
  }
  const content: RecipeFile = { recipe, for: await fingerprint(embeddingsFile) };
  await writeFileAtomic(path, JSON.stringify(content, null, 2) + '\n');
}

/** Read a recipe file (a sidecar, or a bare recipe); undefined when `path` does not exist and `optional` is set. */
export async function readRecipeFile(path: string, options: { optional?: boolean } = {}): Promise<RecipeFile | undefined> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    if (options.optional) return undefined;
    throw new NotFoundError(`recipe file ${path} does not exist`, { file: path, hint: "check the path: give the .recipe.json that 'text embed' or 'vision embed' wrote next to its JSONL" });
  }
  if (!info.isFile()) throw new InvalidFileError('recipe path is not a file', { file: path, hint: "give the .recipe.json that 'text embed' or 'vision embed' wrote next to its JSONL" });
  if (info.size > MAX_RECIPE_BYTES) throw new InvalidFileError(`recipe file is ${info.size} bytes; a recipe is at most ${MAX_RECIPE_BYTES}`, { file: path, hint: 'this is not a recipe file' });
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InvalidFileError('recipe file is not valid JSON', { file: path, cause: e, hint: 'embed the data again to rewrite it' });
  }
  const bad = () => new InvalidFileError('recipe file must hold a recipe (a JSON object with a string "kind"), or { "recipe": …, "for": … } as text embed / vision embed write', { file: path, hint: 'embed the data again to rewrite it' });
  if (isRecipe(value)) return { recipe: value };
  if (value === null || typeof value !== 'object' || !isRecipe((value as RecipeFile).recipe)) throw bad();
  const f = (value as RecipeFile).for;
  if (f !== undefined && (typeof f !== 'object' || f === null || typeof f.bytes !== 'number' || typeof f.sha256 !== 'string')) throw bad();
  return { recipe: (value as RecipeFile).recipe, ...(f ? { for: f } : {}) };
}

/** Why a sidecar's fingerprint does not match `embeddingsFile` (undefined: it matches, or records none). */
export async function recipeMismatch(file: RecipeFile, embeddingsFile: string): Promise<string | undefined> {
  if (!file.for) return undefined;
  const now = await fingerprint(embeddingsFile);
  if (now.bytes === file.for.bytes && now.sha256 === file.for.sha256) return undefined;
  return `it was written for a ${file.for.bytes}-byte ${file.for.file} (sha256 ${file.for.sha256.slice(0, 12)}…), and ${embeddingsFile} is ${now.bytes} bytes (sha256 ${now.sha256.slice(0, 12)}…)`;
}
