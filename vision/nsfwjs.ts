/**
 * The offline fixture: the nsfwjs npm package ships a Keras MobileNetV2 in tfjs
 * layers format, wrapped as two JS modules (the model JSON as an object literal,
 * the weight shard as a base64 string). We read those files as data: the
 * topology module is evaluated in an empty sandbox (no globals, no require, a
 * time limit) only to obtain its object literal; the shard's base64 text is
 * taken from the string literal.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { InvalidFileError, NotFoundError } from '../src/errors.js';
import type { LayersModelJson } from './model-json.js';

const require = createRequire(import.meta.url);

/** Root folder of an installed npm package (works with packages that restrict `exports`). */
export function packageRoot(name: string): string {
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch (e) {
    throw new NotFoundError(`npm package '${name}' is not installed`, { hint: `npm i ${name}`, cause: e });
  }
  let dir = dirname(entry);
  for (let i = 0; i < 6; i++) {
    if (dir.endsWith(`node_modules/${name}`) || dir.endsWith(`node_modules\\${name}`)) return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(entry), '..', '..');
}

async function evaluateDataModule(path: string): Promise<unknown> {
  const code = await readFile(path, 'utf8').catch((e) => {
    throw new NotFoundError(`${path}: cannot read (${(e as Error).message})`, { hint: 'reinstall the package: npm i nsfwjs', cause: e });
  });
  const sandbox = { module: { exports: {} as unknown }, exports: {} };
  try {
    runInNewContext(code, sandbox, { timeout: 5000, filename: path });
  } catch (e) {
    throw new InvalidFileError(`not a data module this version understands (${(e as Error).message})`, { file: path, cause: e });
  }
  return sandbox.module.exports;
}

/** Extract the base64 payload of a shard module: its longest string literal. */
async function shardBytes(path: string): Promise<Uint8Array> {
  const code = await readFile(path, 'utf8');
  const match = code.match(/"([A-Za-z0-9+/=]{1000,})"/);
  if (!match) throw new InvalidFileError('no base64 weight data found', { file: path });
  return new Uint8Array(Buffer.from(match[1], 'base64'));
}

type PackagedModel = { json: LayersModelJson; weights: Uint8Array[]; location: string };
const memo = new Map<string, Promise<PackagedModel>>();

/**
 * The model JSON and weight bytes of a package-shipped tfjs model folder (e.g.
 * nsfwjs/dist/models/mobilenet_v2). Read once per process; callers must not mutate the result.
 */
export function readPackagedModel(spec: string): Promise<PackagedModel> {
  let p = memo.get(spec);
  if (!p) {
    p = readPackagedModelUncached(spec);
    memo.set(spec, p);
    p.catch(() => memo.delete(spec));
  }
  return p;
}

async function readPackagedModelUncached(spec: string): Promise<PackagedModel> {
  const [pkg, ...rest] = spec.split('/');
  const dir = join(packageRoot(pkg), ...rest);
  const json = (await evaluateDataModule(join(dir, 'model.min.js'))) as LayersModelJson;
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new InvalidFileError('the module does not hold a tfjs layers model (modelTopology + weightsManifest)', { file: join(dir, 'model.min.js') });
  }
  const weights: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) weights.push(await shardBytes(join(dir, `${p}.min.js`)));
  }
  return { json, weights, location: dir };
}
