/**
 * Child process for atomic.test.ts: starts an atomic write (a streamed file or a folder,
 * per argv[3]; or a temporary folder registered with removeOnInterrupt) into argv[2], says "writing" once the temp output exists, then waits to be
 * interrupted.
 */
import { removeOnInterrupt, streamFileAtomic, writeChunk, writeDirAtomic } from '../../src/io/atomic.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const [target, kind] = process.argv.slice(2);
const wait = () => new Promise((resolve) => setTimeout(resolve, 30_000));
if (kind === 'temp') {
  // A temporary outside the atomic writers (as the threaded wasm start-up makes).
  await mkdir(target);
  await writeFile(join(target, 'worker.cjs'), '// worker');
  removeOnInterrupt(target);
  process.stdout.write('writing\n');
  await wait();
} else if (kind === 'dir') {
  await writeDirAtomic(target, async (tmp) => {
    await writeFile(join(tmp, 'part.bin'), Buffer.alloc(1 << 20));
    process.stdout.write('writing\n');
    await wait();
  }, { format: 'test', kind: 'test', what: 'test output' });
} else {
  await streamFileAtomic(target, async (out) => {
    await writeChunk(out, Buffer.alloc(1 << 20));
    process.stdout.write('writing\n');
    await wait();
  });
}
