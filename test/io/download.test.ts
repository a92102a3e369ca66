import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { download } from '../../src/io/download.js';
import { settings } from '../../src/settings.js';
import { sha256 } from '../../src/io/hash.js';
import { ChecksumError, OfflineError } from '../../src/errors.js';

const body = Buffer.from('pretrained weights '.repeat(1000));
let server: Server;
let base = '';
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/weights.bin') {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('download', () => {
  it('downloads once, verifies sha256, reports progress, then reuses the cached file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-dl-'));
    const dest = join(dir, 'w.bin');
    const seen: number[] = [];
    const progress = { start: () => {}, update: (d: number) => void seen.push(d), stop: () => {} };
    hits = 0;
    await download(`${base}/weights.bin`, dest, { sha256: sha256(body), progress });
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(seen.at(-1)).toBe(body.length);
    await download(`${base}/weights.bin`, dest, { sha256: sha256(body) });
    expect(hits).toBe(1);
  });

  it('a checksum mismatch is an error and leaves no file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-dl-'));
    const dest = join(dir, 'w.bin');
    await expect(download(`${base}/weights.bin`, dest, { sha256: '0'.repeat(64) })).rejects.toBeInstanceOf(ChecksumError);
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('HTTP errors and offline mode are clear errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-dl-'));
    await expect(download(`${base}/missing`, join(dir, 'x'))).rejects.toThrow(/HTTP 404/);
    settings.offline = true;
    try {
      const err = await download(`${base}/weights.bin`, join(dir, 'y')).catch((e) => e);
      expect(err).toBeInstanceOf(OfflineError);
      expect(err.hint).toMatch(/TRANSFERKIT_OFFLINE/);
    } finally {
      settings.offline = false;
    }
  });
});
