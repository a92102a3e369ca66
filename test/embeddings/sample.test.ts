import { describe, expect, it } from 'vitest';
import { sampleIndices, seededRandom } from '../../embeddings/index.js';
import { KeyTable } from '../../embeddings/keytable.js';

describe('seeded sampling', () => {
  it('draws distinct indices, the same for the same seed', () => {
    const a = sampleIndices(1000, 300, 42);
    expect(new Set(a).size).toBe(300);
    for (const i of a) expect(i >= 0 && i < 1000).toBe(true);
    expect(sampleIndices(1000, 300, 42)).toEqual(a);
    expect(sampleIndices(1000, 300, 43)).not.toEqual(a);
    expect(sampleIndices(5, 10, 1).sort()).toEqual([0, 1, 2, 3, 4]);
    const r = seededRandom(7);
    const xs = Array.from({ length: 1000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('KeyTable', () => {
  it('reuses freed slots and round-trips through a snapshot', () => {
    const t = new KeyTable();
    expect(t.insert('a', { x: 1 })).toBe(0);
    expect(t.insert('b')).toBe(1);
    expect(t.insert('c')).toBe(2);
    expect(t.remove('b')).toBe(1);
    expect(t.peekSlot()).toBe(1);
    const snap = t.snapshot();
    expect(snap.keys).toEqual(['a', null, 'c']);
    const back = KeyTable.fromSnapshot(snap.keys, snap.metadata);
    expect(back.size).toBe(2);
    expect(back.metadataAt(back.slotOf('a')!)).toEqual({ x: 1 });
    expect(back.insert('d')).toBe(1);
    expect(() => back.insert('a')).toThrow(/already in the index/);
  });
});
