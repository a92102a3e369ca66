import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadVectors, saveVectors, WordVectors } from '../../../text/vectors/index.js';
import { formatFloat32, formatFloat32Reference, MAX_FLOAT32_CHARS, writeFloat32 } from '../../../text/vectors/write/format-float.js';
import { tempDir } from './helpers.js';

/** Float32 values from a seeded bit pattern generator (every exponent, both signs). */
function* randomFloat32(count: number, seed: number): Generator<number> {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    u[0] = x;
    yield f[0]!;
  }
}

/** Values like those of word vectors: small magnitudes, 24-bit mantissas. */
function* vectorLike(count: number, seed: number): Generator<number> {
  let x = seed >>> 0;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    yield Math.fround((x / 2 ** 32 - 0.5) * 4);
  }
}

const EDGES = [
  1, 10, 100, 1e5, 99999.7, 1e6, 1e7, 1e8, 1e9, 123456, 1234567, 12345678, 0.1, 0.001, 1e-6, 1e-7, 1.5e-7, 9.9999996, 0.99999994, 0.5, 2.5, 999999.5,
  9999995, 3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38, Infinity, -Infinity, NaN, -0,
].flatMap((v) => [Math.fround(v), -Math.fround(v)]);
const DECADES = Array.from({ length: 84 }, (_, i) => i - 45).flatMap((e) => [1, 9.999999, 5, 1.0000001, 9.5].map((m) => Math.fround(m * 10 ** e)));

describe('formatFloat32', () => {
  it('gives the toPrecision text (shortest p in 6..9 that round-trips) for every kind of value', () => {
    const values = [...EDGES, ...DECADES, ...randomFloat32(200_000, 7), ...vectorLike(200_000, 11)];
    const wrong = values.filter((v) => formatFloat32(v) !== formatFloat32Reference(v)).slice(0, 5);
    expect(wrong.map((v) => [v, formatFloat32(v), formatFloat32Reference(v)])).toEqual([]);
  });

  it('reads back as exactly the same float32', () => {
    const values = [...EDGES, ...DECADES, ...randomFloat32(100_000, 3), ...vectorLike(100_000, 5)].filter((v) => !Number.isNaN(v));
    expect(values.filter((v) => !Object.is(Math.fround(Number(formatFloat32(v))), v))).toEqual([]);
    expect(formatFloat32(NaN)).toBe('NaN');
    expect(formatFloat32(-0)).toBe('-0');
    expect(formatFloat32(0)).toBe('0');
  });

  it('writeFloat32 writes the same text as ASCII bytes, at most MAX_FLOAT32_CHARS per finite value', () => {
    const buf = new Uint8Array(64);
    for (const v of [...EDGES, ...DECADES, ...vectorLike(20_000, 13)]) {
      buf.fill(0);
      const end = writeFloat32(buf, 3, v);
      const text = Buffer.from(buf.subarray(3, end)).toString('latin1');
      expect(text).toBe(formatFloat32Reference(v));
      if (Number.isFinite(v)) expect(end - 3).toBeLessThanOrEqual(MAX_FLOAT32_CHARS);
      expect(buf[2]).toBe(0); // nothing before the start
    }
    expect(Buffer.from('-0.00000123456789').length).toBeLessThanOrEqual(MAX_FLOAT32_CHARS);
  });
});

describe('saveVectors text formats', () => {
  it('write many blocks with multi-byte words that read back exactly, each value as formatFloat32 writes it', async () => {
    const dim = 50;
    const n = 3000; // about 1.4 MB of text: more than one write block
    const words = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? `wört${i}` : i % 3 === 1 ? `词${i}` : `w${i}`));
    const matrix = Float32Array.from(vectorLike(n * dim, 17));
    matrix[5] = -0;
    matrix[7] = 1e-7;
    matrix[9] = 123456792;
    const wv = WordVectors.fromArrays({ words, matrix, dim });
    const out = `${tempDir()}/many.txt`;
    await saveVectors(wv, out, 'glove');
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines).toHaveLength(n + 1);
    expect(lines[n]).toBe('');
    expect(lines[0]).toBe([words[0], ...Array.from(matrix.subarray(0, dim), formatFloat32Reference)].join(' '));
    const back = await loadVectors(out, { format: 'glove', cache: false });
    expect(back.words).toEqual(words);
    expect(Buffer.from(back.matrix.buffer, back.matrix.byteOffset, back.matrix.byteLength).equals(Buffer.from(matrix.buffer))).toBe(true);
  });
});
