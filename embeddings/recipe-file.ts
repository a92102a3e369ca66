/**
 * The recipe sidecar of a JSONL embeddings file: `<file>.recipe.json` holds how a new input
 * becomes a vector of the file's space (see `VectorIndex.recipe`). `text embed` and `vision
 * embed` write it next to their output; `index build` picks it up and saves it with the index.
 * The recipe is a JSON object with a string `kind`; its content is the writer's business.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { InvalidFileError } from '../src/errors.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import type { EmbeddingRecipe } from './types.js';

/** Where the recipe of an embeddings file lives. */
export function recipeFileFor(embeddingsFile: string): string {
  return `${embeddingsFile}.recipe.json`;
}

/** Write (atomically) the recipe of an embeddings file, or remove a stale one when there is none. */
export async function writeRecipeFile(embeddingsFile: string, recipe: EmbeddingRecipe | undefined): Promise<void> {
  const path = recipeFileFor(embeddingsFile);
  if (recipe === undefined) {
    await rm(path, { force: true });
    return;
  }
  await writeFileAtomic(path, JSON.stringify(recipe, null, 2) + '\n');
}

/** Read a recipe file; undefined when `path` does not exist and `optional` is set. */
export async function readRecipeFile(path: string, options: { optional?: boolean } = {}): Promise<EmbeddingRecipe | undefined> {
  const info = await stat(path).catch(() => null);
  if (!info) {
    if (options.optional) return undefined;
    throw new InvalidFileError('recipe file does not exist', { file: path, hint: "give the .recipe.json that 'text embed' or 'vision embed' wrote next to its JSONL" });
  }
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InvalidFileError('recipe file is not valid JSON', { file: path, cause: e, hint: 'embed the data again to rewrite it' });
  }
  if (!isRecipe(value)) {
    throw new InvalidFileError('recipe file must hold a JSON object with a string "kind"', { file: path, hint: 'embed the data again to rewrite it' });
  }
  return value;
}

/** A JSON object with a string `kind`. */
export function isRecipe(value: unknown): value is EmbeddingRecipe {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { kind?: unknown }).kind === 'string';
}
