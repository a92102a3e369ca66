/**
 * save() writes the index as it is at the call: changes made while the save completes are not in the
 * folder (they mixed into it: wrong vectors under keys, or a folder that failed to load). Saves to one
 * folder at once all succeed, the last one called wins, and a load waits for them.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, loadIndex, type VectorIndex } from '../../embeddings/index.js';
import { randomMatrix, row } from './helpers.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tk-snap-'));
  tmp.push(d);
  return d;
}

const dim = 16;
const n = 600;
const keys = Array.from({ length: n }, (_, i) => `k${i}`);
const m = randomMatrix(n, dim, 11);

type Make = () => VectorIndex;
const kinds: [string, Make][] = [
  ['hnsw', () => new HnswIndex({ dim, capacity: 100 })],
  ['exact (WebAssembly rows)', () => new ExactIndex({ dim, capacity: 100 })],
  [
    'exact (JS rows)',
    () => {
      const saved = process.env.TRANSFERKIT_NO_WASM;
      process.env.TRANSFERKIT_NO_WASM = '1';
      try {
        return new ExactIndex({ dim, capacity: 100 });
      } finally {
        if (saved === undefined) delete process.env.TRANSFERKIT_NO_WASM;
        else process.env.TRANSFERKIT_NO_WASM = saved;
      }
    },
  ],
];

describe.each(kinds)('%s: save() saves the index of the moment it is called', (_name, make) => {
  it('adds (past the capacity), updates and deletes during the save are not in the folder', async () => {
    const index = make();
    index.addBatch(keys.slice(0, 100), m.subarray(0, 100 * dim), { metadata: keys.slice(0, 100).map((k) => ({ k })) });
    const before = keys.slice(0, 100).map((k) => index.vector!(k)!);
    const dir = join(await folder(), 'idx');
    const saving = index.save(dir);
    // Updates first, in the rows the save holds; then deletes, and adds that grow the storage.
    for (let i = 50; i < 100; i++) index.update(keys[i]!, row(m, n - 1 - i, dim), { changed: true });
    for (let i = 0; i < 50; i++) index.delete(keys[i]!);
    for (let i = 100; i < n; i++) index.add(keys[i]!, row(m, i, dim));
    await saving;
    const loaded = await loadIndex(dir);
    expect(loaded.size).toBe(100);
    expect(loaded.keys().sort()).toEqual(keys.slice(0, 100).sort());
    for (let i = 0; i < 100; i++) {
      expect(loaded.vector!(keys[i]!), keys[i]).toEqual(before[i]);
      expect(loaded.metadata(keys[i]!)).toEqual({ k: keys[i] });
    }
    // And the live index kept every change.
    expect(index.size).toBe(n - 50);
    expect(index.metadata('k60')).toEqual({ changed: true });
  });

  it('two saves to one folder at once both succeed; the last one called is what stays, and a load waits for it', async () => {
    const index = make();
    index.addBatch(keys.slice(0, 200), m.subarray(0, 200 * dim));
    const parent = await folder();
    const dir = join(parent, 'idx');
    const first = index.save(dir);
    index.delete('k0');
    const second = index.save(dir);
    const loading = loadIndex(dir);
    await Promise.all([first, second]);
    const loaded = await loading;
    expect(loaded.size).toBe(199);
    expect(loaded.has('k0')).toBe(false);
    expect(await readdir(parent)).toEqual(['idx']);
  });
});
