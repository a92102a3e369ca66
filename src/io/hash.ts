import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with the keys of every object sorted and no spaces: one text whatever the key order or layout. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

/**
 * The checksum a manifest records of itself: the sha256 of its other fields (all but `field`) in
 * canonical JSON, so a new key order or layout keeps it valid while any edit does not.
 */
export function selfDigest(manifest: object, field: string): string {
  const rest: Record<string, unknown> = { ...manifest };
  delete rest[field];
  return sha256(canonicalJson(rest));
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
