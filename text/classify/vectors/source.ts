/**
 * The word vectors a text job uses: a loaded set as given, or a source (file path or
 * bundled name; default the bundled GloVe-derived set) loaded here — and the name
 * recorded for them in bundles and summaries.
 */
import { silentProgress, type Progress } from '../../../src/progress.js';
import { loadVectors } from '../../vectors/index.js';
import type { PretrainedVectors } from './lookup.js';

export const DEFAULT_TEXT_VECTORS = 'glove-wink-100d';

/**
 * The source `loadVectors` recorded for vectors it loaded (`wv.origin.source`: a path or bundled
 * name; with `limit`, '<source> (first N words)'), if any.
 */
function loadedFrom(vectors: PretrainedVectors): string | undefined {
  const origin = (vectors as { origin?: { source?: unknown; limit?: unknown } }).origin;
  const source = origin?.source;
  if (typeof source !== 'string' || source === '') return undefined;
  return typeof origin?.limit === 'number' ? `${source} (first ${origin.limit} words)` : source;
}

export async function resolveTextVectors(
  given: PretrainedVectors | string | undefined,
  options: { vectorsName?: string; progress?: Progress } = {},
): Promise<{ vectors: PretrainedVectors; source: string }> {
  if (given !== undefined && typeof given !== 'string') return { vectors: given, source: options.vectorsName ?? loadedFrom(given) ?? 'in-memory' };
  const source = given ?? DEFAULT_TEXT_VECTORS;
  return { vectors: await loadVectors(source, { progress: options.progress ?? silentProgress }), source };
}
