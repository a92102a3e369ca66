/**
 * Reads a file in large chunks into one reusable buffer, keeping the unconsumed
 * tail of the previous chunk in front of the new bytes. Parsers work directly on
 * bytes (no whole-file string) and know the absolute byte offset of any position.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InvalidFileError } from '../../../src/errors.js';
import { formatHint } from '../formats.js';

/** Default chunk size: 4 MiB. */
export const DEFAULT_CHUNK_BYTES = 4 << 20;
/** A single record (line, JSON entry) may not exceed this. */
export const MAX_RECORD_BYTES = 64 << 20;

export class ChunkedReader {
  /** Current bytes are `buf[start, end)`. */
  buf: Buffer;
  start = 0;
  end = 0;
  /** File offset of `buf[0]`. */
  base = 0;
  /** True once the file is fully read into the buffer. */
  eof = false;
  private filePos = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    readonly fileSize: number,
    chunkBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  static async open(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<ChunkedReader> {
    const fh = await open(path, 'r');
    const { size } = await fh.stat();
    return new ChunkedReader(fh, path, size, chunkBytes);
  }

  /** Absolute file offset of buffer index `i`. */
  offset(i: number): number {
    return this.base + i;
  }

  /** Bytes read from the file so far (for progress). */
  get bytesRead(): number {
    return this.filePos;
  }

  /**
   * Move the unconsumed bytes `[start, end)` to the front and read more after them.
   * Grows the buffer (up to MAX_RECORD_BYTES) when the tail already fills it.
   * Returns the number of new bytes (0 at end of file).
   */
  async refill(): Promise<number> {
    if (this.eof) return 0;
    const tail = this.end - this.start;
    if (tail > 0 && this.start > 0) this.buf.copy(this.buf, 0, this.start, this.end);
    this.base += this.start;
    this.start = 0;
    this.end = tail;
    if (tail === this.buf.length) {
      if (this.buf.length >= MAX_RECORD_BYTES) {
        throw new InvalidFileError(`a single record is longer than ${MAX_RECORD_BYTES} bytes`, {
          file: this.path,
          location: `byte ${this.base}`,
          hint: `the file is probably not in the format given or detected; ${formatHint()}`,
        });
      }
      const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 2, MAX_RECORD_BYTES));
      this.buf.copy(bigger, 0, 0, tail);
      this.buf = bigger;
    }
    const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.filePos);
    this.filePos += bytesRead;
    this.end += bytesRead;
    if (bytesRead === 0) this.eof = true;
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/** Count '\n' bytes in a file (plus one for a last line without newline), streaming. */
export async function countLines(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let lines = 0;
    let pos = 0;
    let last = 10;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      let i = buf.indexOf(10, 0);
      while (i !== -1 && i < bytesRead) {
        lines++;
        i = buf.indexOf(10, i + 1);
      }
      last = buf[bytesRead - 1]!;
    }
    if (last !== 10) lines++;
    return lines;
  } finally {
    await fh.close();
  }
}
