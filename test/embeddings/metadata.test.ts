/**
 * Item metadata is JSON, checked when it comes in; the index keeps its own copy (reads return copies);
 * null is kept as null through save and load.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExactIndex, HnswIndex, loadIndex, type JsonValue, type VectorIndex } from '../../embeddings/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'tk-meta-'));
  tmp.push(d);
  return d;
}

const makers: [string, () => VectorIndex][] = [
  ['exact', () => new ExactIndex({ dim: 2 })],
  ['hnsw', () => new HnswIndex({ dim: 2 })],
];

function thrown(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    return e as InvalidArgumentError;
  }
  throw new Error('did not throw');
}

describe.each(makers)('%s index metadata', (_kind, make) => {
  it('a value JSON cannot hold is refused at add time, naming the key and where (it failed only at save, or came back changed)', () => {
    const index = make();
    const cases: [unknown, RegExp, RegExp?][] = [
      [{ big: 10n }, /^the metadata of 'a' at \.big is a BigInt \(10n\): not a JSON value$/, /as a number .* or a string/],
      [{ when: new Date(0) }, /^the metadata of 'a' at \.when is a Date: not a plain object/, /toISOString/],
      [{ tags: new Set(['x']) }, /at \.tags is a Set: not a plain object/],
      [{ list: [1, NaN] }, /at \.list\[1\] is NaN: JSON has no such number/],
      [{ list: [1, undefined] }, /at \.list\[1\] is undefined: JSON would save it as null/],
      [{ f: () => 1 }, /at \.f is a function/],
      [Infinity, /^the metadata of 'a' is Infinity/],
    ];
    for (const [metadata, message, hint] of cases) {
      const err = thrown(() => index.add('a', [1, 0], metadata as JsonValue));
      expect(err, String(message)).toBeInstanceOf(InvalidArgumentError);
      expect(err.message).toMatch(message);
      if (hint) expect(err.hint).toMatch(hint);
    }
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(thrown(() => index.add('a', [1, 0], cyclic as JsonValue)).message).toMatch(/at \.self refers to itself/);
    expect(index.size).toBe(0);
    // The same checks in addBatch (all or nothing) and update.
    const err = thrown(() => index.addBatch(['x', 'y'], [[1, 0], [0, 1]], { metadata: [{ ok: 1 }, { d: new Date(0) }] }));
    expect(err.message).toMatch(/^the metadata of 'y' \(batch item 1\) at \.d is a Date/);
    expect(index.size).toBe(0);
    index.add('a', [1, 0], { v: 1 });
    expect(() => index.update('a', [0, 1], { big: 1n } as unknown as JsonValue)).toThrow(/at \.big is a BigInt/);
    expect(index.vector!('a')![0]).toBeCloseTo(1);
    expect(index.metadata('a')).toEqual({ v: 1 });
  });

  it('the index keeps its own copy: changing what was passed in, or what a hit or metadata() returned, changes nothing', () => {
    const index = make();
    const mine = { tag: 'x', nested: { list: [1, 2] } };
    index.add('a', [1, 0], mine);
    mine.tag = 'changed';
    mine.nested.list.push(3);
    const hit = index.query([1, 0])[0]!;
    expect(hit.metadata).toEqual({ tag: 'x', nested: { list: [1, 2] } });
    (hit.metadata as { tag: string }).tag = 'mutated via hit';
    ((hit.metadata as { nested: { list: number[] } }).nested.list).push(9);
    const read = index.metadata('a') as { tag: string };
    read.tag = 'mutated via metadata()';
    expect(index.metadata('a')).toEqual({ tag: 'x', nested: { list: [1, 2] } });
    expect(index.query([1, 0])[0]!.metadata).toEqual({ tag: 'x', nested: { list: [1, 2] } });
    // A filter sees the stored value, frozen.
    index.query([1, 0], {
      filter: (_key, md) => {
        expect(Object.isFrozen(md)).toBe(true);
        return true;
      },
    });
  });

  it('null metadata stays null through save and load; no metadata stays absent; undefined fields are left out', async () => {
    const index = make();
    index.add('n', [1, 0], null);
    index.add('none', [0, 1]);
    index.add('zero', [1, 1], 0);
    index.add('obj', [1, 2], { a: 1, gone: undefined } as unknown as JsonValue);
    const dir = join(await folder(), 'idx');
    await index.save(dir);
    const loaded = await loadIndex(dir);
    for (const idx of [index, loaded]) {
      expect(idx.metadata('n')).toBeNull();
      expect(idx.metadata('none')).toBeUndefined();
      expect(idx.metadata('zero')).toBe(0);
      expect(idx.metadata('obj')).toEqual({ a: 1 });
      expect(Object.keys(idx.metadata('obj') as object)).toEqual(['a']);
      const hits = idx.query([1, 0], { k: 4 });
      expect(hits.find((h) => h.key === 'n')).toHaveProperty('metadata', null);
      expect(hits.find((h) => h.key === 'none')).not.toHaveProperty('metadata');
    }
    // A loaded index keeps its metadata frozen too.
    const hit = loaded.query([1, 2], { k: 1 })[0]!;
    (hit.metadata as { a: number }).a = 5;
    expect(loaded.metadata('obj')).toEqual({ a: 1 });
  });

  it('a key named __proto__ inside metadata is kept as a key', async () => {
    const index = make();
    const md = JSON.parse('{"__proto__": {"x": 1}, "y": 2}') as JsonValue;
    index.add('a', [1, 0], md);
    expect(JSON.stringify(index.metadata('a'))).toBe('{"__proto__":{"x":1},"y":2}');
  });
});

it('keys files written before null metadata was kept (no nullMetadata) load as before: null is none', async () => {
  const index = new ExactIndex({ dim: 2 });
  index.add('a', [1, 0], null);
  index.add('b', [0, 1], { k: 1 });
  const dir = join(await folder(), 'idx');
  await index.save(dir);
  const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8'));
  expect(keys.nullMetadata).toEqual([0]);
  delete keys.nullMetadata;
  // The keys file in its old form, recorded as such in the manifest.
  const text = Buffer.from(JSON.stringify(keys));
  await writeFile(join(dir, 'keys.json'), text);
  const { createHash } = await import('node:crypto');
  const { editManifest } = await import('./helpers.js');
  // Those versions recorded no checksum of the manifest either.
  await editManifest(dir, (manifest) => (manifest.files['keys.json'] = { bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') }), 'dropped');
  const old = await loadIndex(dir);
  expect(old.metadata('a')).toBeUndefined();
  expect(old.metadata('b')).toEqual({ k: 1 });
});
