/**
 * Item metadata is JSON: it is saved as JSON, so it is checked as JSON when it comes in — a value
 * JSON cannot hold (10n, a Date, a Map, NaN, a function) is refused at add time instead of failing
 * the save or coming back changed after a load. The index keeps its own frozen copy, so changing an
 * object you passed in (or got back: reads return copies) never changes the index.
 */
import { InvalidArgumentError } from '../src/errors.js';
import type { JsonValue } from './types.js';

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `a BigInt (${value}n)`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object).constructor?.name;
  return name ? `a${/^[AEIOU]/.test(name) ? 'n' : ''} ${name}` : 'an object with a prototype';
}

function notJson(what: string, path: string, value: unknown, why: string): InvalidArgumentError {
  const hint =
    value instanceof Date
      ? 'store the date as a string (date.toISOString()) or a number (date.getTime())'
      : typeof value === 'bigint'
        ? 'store it as a number (if it is a safe integer) or a string'
        : 'metadata is saved as JSON: use null, booleans, finite numbers, strings, arrays and plain objects';
  return new InvalidArgumentError(`${what}${path ? ` at ${path}` : ''} is ${describe(value)}: ${why}`, { hint });
}

/**
 * A deep, frozen copy of `value` as the index stores it, after checking that it is JSON. Object
 * properties whose value is `undefined` are left out (as JSON.stringify does). `what` names it in errors
 * ("the metadata of 'doc-1'").
 */
export function ownMetadata(value: unknown, what: string): JsonValue {
  return copy(value, what, '', new Set(), true) as JsonValue;
}

/** A mutable deep copy of stored metadata (already JSON), for the caller to keep. */
export function metadataCopy<T extends JsonValue | undefined>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return copy(value, '', '', null, false) as T;
}

function copy(value: unknown, what: string, path: string, seen: Set<object> | null, freeze: boolean): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw notJson(what, path, value, 'JSON has no such number (it would be saved as null)');
      return value;
    case 'object':
      break;
    default:
      throw notJson(what, path, value, 'not a JSON value');
  }
  if (value === null) return null;
  if (seen !== null) {
    if (seen.has(value)) throw new InvalidArgumentError(`${what}${path ? ` at ${path}` : ''} refers to itself (a cycle): JSON cannot hold it`, { hint: 'store a tree of plain objects and arrays' });
    seen.add(value);
  }
  let out: JsonValue[] | { [key: string]: JsonValue };
  if (Array.isArray(value)) {
    const list: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (seen !== null && (item === undefined || !(i in value))) {
        throw notJson(what, `${path}[${i}]`, undefined, 'JSON would save it as null');
      }
      list[i] = copy(item, what, `${path}[${i}]`, seen, freeze) as JsonValue;
    }
    out = list;
  } else {
    const proto = Object.getPrototypeOf(value);
    if (seen !== null && proto !== Object.prototype && proto !== null) {
      throw notJson(what, path, value, 'not a plain object (JSON would save it as something else)');
    }
    const obj: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      const v = copy(item, what, `${path}.${key}`, seen, freeze) as JsonValue;
      // defineProperty: a key named "__proto__" stays a key (assignment would set the prototype).
      Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    out = obj;
  }
  if (seen !== null) seen.delete(value);
  return freeze ? Object.freeze(out) : out;
}

/** Freeze metadata read from a saved index (already JSON) in place, as `ownMetadata` would have. */
export function freezeMetadata(value: JsonValue | undefined): JsonValue | undefined {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) freezeMetadata(item);
    Object.freeze(value);
  }
  return value;
}
