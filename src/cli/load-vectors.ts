/**
 * Load word vectors for a CLI command and say on stderr what loading noticed (a corrupt
 * cache ignored, duplicate words dropped), which the library keeps in `origin`.
 */
import type { LoadVectorsOptions, WordVectors } from '../../text/vectors/index.js';
import type { CliContext } from './context.js';

export async function loadVectorsNoting(ctx: CliContext, source: string, options: LoadVectorsOptions = {}): Promise<WordVectors> {
  const { loadVectors } = await import('../../text/vectors/index.js');
  const wv = await loadVectors(source, options);
  for (const w of wv.origin.warnings) ctx.note(`warning: ${w}`);
  if (wv.origin.duplicates > 0) ctx.note(`note: dropped ${wv.origin.duplicates} duplicate word(s) (first occurrence kept)`);
  return wv;
}
