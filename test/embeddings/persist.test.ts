import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactIndex } from '../../embeddings/index.js';
import { loadIndex } from '../../embeddings/load.js';
import { NotFoundError } from '../../src/errors.js';
import { randomMatrix } from './helpers.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});

describe('index directory files (checked with the core verifyListedFile)', () => {
  it('a folder where a listed file should be is reported as the missing file, not as a size mismatch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tk-persist-'));
    tmp.push(dir);
    const out = join(dir, 'idx');
    const dim = 4;
    await ExactIndex.fromMatrix({ keys: ['a', 'b', 'c'], matrix: randomMatrix(3, dim, 5), dim }).save(out);
    await rm(join(out, 'vectors.f32'));
    await mkdir(join(out, 'vectors.f32'));
    for (const verify of [true, false]) {
      const e = await loadIndex(out, { verify }).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(NotFoundError);
      expect((e as NotFoundError).code).toBe('E_NOT_FOUND');
      expect((e as Error).message).toMatch(/vectors\.f32 is missing from the index directory/);
    }
  });
});
