/**
 * A fast 32-bit checksum (four interleaved FNV-1a-style lanes over 32-bit words)
 * for the binary cache: cheap enough to verify on every load (≈ 10 ms per 100 MB),
 * strong enough to catch truncation and corruption. Not a cryptographic hash.
 */
export class Checksum {
  private a = 0x811c9dc5;
  private b = 0x01000193;
  private c = 0x9e3779b9;
  private d = 0x85ebca6b;
  private length = 0;

  update(bytes: Uint8Array): this {
    const words = bytes.byteLength >>> 2;
    const aligned = bytes.byteOffset % 4 === 0;
    const u32 = aligned ? new Uint32Array(bytes.buffer, bytes.byteOffset, words) : new Uint32Array(bytes.slice(0, words * 4).buffer);
    let { a, b, c, d } = this;
    let i = 0;
    for (; i + 4 <= words; i += 4) {
      a = Math.imul(a ^ u32[i]!, 0x01000193);
      b = Math.imul(b ^ u32[i + 1]!, 0x01000193);
      c = Math.imul(c ^ u32[i + 2]!, 0x01000193);
      d = Math.imul(d ^ u32[i + 3]!, 0x01000193);
    }
    for (; i < words; i++) a = Math.imul(a ^ u32[i]!, 0x01000193);
    for (let j = words * 4; j < bytes.byteLength; j++) b = Math.imul(b ^ bytes[j]!, 0x01000193);
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    this.length += bytes.byteLength;
    return this;
  }

  /** 8 hex digits. */
  digest(): string {
    let h = Math.imul(this.a ^ (this.b >>> 7), 0x01000193) ^ Math.imul(this.c ^ (this.d >>> 13), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d) ^ this.length;
    return (h >>> 0).toString(16).padStart(8, '0');
  }
}
