/**
 * String keys ↔ integer slots, with optional JSON metadata per slot and a free
 * list so deleted slots are reused. Shared by both index kinds: the exact index
 * uses slots as matrix rows, the HNSW index as hnswlib labels.
 *
 * Metadata is stored as `ownMetadata` makes it (checked JSON, a frozen copy of its own): the
 * methods taking metadata expect that form, so callers check it before changing anything.
 */
import { KeyNotFoundError, InvalidArgumentError } from '../src/errors.js';
import { freezeMetadata, ownMetadata } from './metadata.js';
import type { JsonValue } from './types.js';

export class KeyTable {
  /** Key of each slot; undefined for a free (deleted or never used) slot. */
  private readonly slotKeys: (string | undefined)[] = [];
  private readonly slotMeta: (JsonValue | undefined)[] = [];
  private readonly bySlot = new Map<string, number>();
  private readonly free: number[] = [];

  /** Number of live keys. */
  get size(): number {
    return this.bySlot.size;
  }

  /** One past the highest slot ever used. */
  get slotCount(): number {
    return this.slotKeys.length;
  }

  /** Number of free slots below `slotCount`. */
  get freeCount(): number {
    return this.free.length;
  }

  has(key: string): boolean {
    return this.bySlot.has(key);
  }

  slotOf(key: string): number | undefined {
    return this.bySlot.get(key);
  }

  /** Slot of a key that must exist. */
  requireSlot(key: string): number {
    const slot = this.bySlot.get(key);
    if (slot === undefined) throw new KeyNotFoundError(key, { hint: 'check the key with has(), or use add() for new keys' });
    return slot;
  }

  keyAt(slot: number): string | undefined {
    return this.slotKeys[slot];
  }

  metadataAt(slot: number): JsonValue | undefined {
    return this.slotMeta[slot];
  }

  /** Whether a slot holds a live key. */
  live(slot: number): boolean {
    return this.slotKeys[slot] !== undefined;
  }

  /** The slot a new key would get (a reused free slot, else a new one), without taking it. */
  peekSlot(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1]! : this.slotKeys.length;
  }

  /** Take a slot for a new key. Throws if the key exists. `metadata`: as `ownMetadata` returns it. */
  insert(key: string, metadata?: JsonValue): number {
    if (typeof key !== 'string') throw new InvalidArgumentError(`keys must be strings, got ${typeof key}`);
    if (this.bySlot.has(key)) {
      throw new InvalidArgumentError(`key '${key}' is already in the index`, { hint: 'use update() to replace its vector' });
    }
    const slot = this.free.length > 0 ? this.free.pop()! : this.slotKeys.length;
    this.slotKeys[slot] = key;
    this.slotMeta[slot] = metadata;
    this.bySlot.set(key, slot);
    return slot;
  }

  setMetadata(slot: number, metadata: JsonValue | undefined): void {
    this.slotMeta[slot] = metadata;
  }

  /** Free a key's slot; returns the slot or undefined when absent. */
  remove(key: string): number | undefined {
    const slot = this.bySlot.get(key);
    if (slot === undefined) return undefined;
    this.bySlot.delete(key);
    this.slotKeys[slot] = undefined;
    this.slotMeta[slot] = undefined;
    this.free.push(slot);
    return slot;
  }

  /** Live keys in slot order. */
  keys(): string[] {
    const out: string[] = [];
    for (const k of this.slotKeys) if (k !== undefined) out.push(k);
    return out;
  }

  /**
   * Slot-ordered snapshot, for persistence: null keys are free slots; in `metadata` null is "none",
   * and `nullSlots` lists the slots whose metadata is JSON null itself.
   */
  snapshot(): { keys: (string | null)[]; metadata: (JsonValue | null)[] | null; nullSlots: number[] } {
    const keys = this.slotKeys.map((k) => k ?? null);
    const hasMeta = this.slotMeta.some((m) => m !== undefined);
    const metadata = hasMeta ? this.slotMeta.map((m) => (m === undefined ? null : m)) : null;
    // Pad metadata to the same length as keys.
    if (metadata) while (metadata.length < keys.length) metadata.push(null);
    const nullSlots: number[] = [];
    this.slotMeta.forEach((m, slot) => {
      if (m === null) nullSlots.push(slot);
    });
    return { keys, metadata, nullSlots };
  }

  /**
   * Rebuild from a snapshot (free slots are the null keys; metadata null is "none" except at `nullSlots`).
   * The metadata, parsed from JSON, is frozen in place.
   */
  static fromSnapshot(keys: readonly (string | null)[], metadata?: readonly (JsonValue | null)[] | null, nullSlots: readonly number[] = []): KeyTable {
    const t = new KeyTable();
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot];
      if (key === null || key === undefined) {
        t.slotKeys[slot] = undefined;
        t.slotMeta[slot] = undefined;
        t.free.push(slot);
        continue;
      }
      if (t.bySlot.has(key)) throw new InvalidArgumentError(`duplicate key '${key}'`);
      t.slotKeys[slot] = key;
      const m = metadata?.[slot];
      t.slotMeta[slot] = m === null || m === undefined ? undefined : freezeMetadata(m);
      t.bySlot.set(key, slot);
    }
    for (const slot of nullSlots) if (t.slotKeys[slot] !== undefined) t.slotMeta[slot] = null;
    // Reuse low slots first.
    t.free.reverse();
    return t;
  }

  /** A table whose slots 0..n-1 are the given keys, in order (duplicates rejected; metadata checked and copied). */
  static fromKeys(keys: readonly string[], metadata?: readonly (JsonValue | undefined)[]): KeyTable {
    const t = new KeyTable();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (typeof key !== 'string') throw new InvalidArgumentError(`keys must be strings, got ${typeof key} at position ${i}`);
      if (t.bySlot.has(key)) throw new InvalidArgumentError(`duplicate key '${key}' at position ${i}`, { hint: 'keys must be unique' });
      t.slotKeys.push(key);
      const m = metadata?.[i];
      t.slotMeta.push(m === undefined ? undefined : ownMetadata(m, `the metadata of '${key}'`));
      t.bySlot.set(key, i);
    }
    return t;
  }
}
