import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { writeSyntheticImages } from '../../vision/synthetic.js';

let root: string;
let data: string;
let bundle: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tk-cli-vision-'));
  data = join(root, 'data');
  await writeSyntheticImages(data, { classes: 3, perClass: 8, size: 40, seed: 5, format: 'jpg' });
  writeFileSync(join(data, 'disc', 'corrupt.jpg'), 'not really a jpeg');
  bundle = join(root, 'model');
});

describe('transferkit vision', () => {
  it('backbones lists the registry (text and JSON)', async () => {
    const r = await cli('vision', 'backbones');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mobilenet_v2_nsfwjs\s+224×224\s+unit\s+1280\s+out_relu/);
    expect(r.stdout).toMatch(/resnet50 .*caffe/);
    expect(r.stdout).toMatch(/--freeze-until/);
    const j = await cli('vision', 'backbones', '--json');
    const rows = JSON.parse(j.stdout) as { name: string; groups: unknown[] }[];
    expect(rows.map((x) => x.name)).toContain('vgg16');
  });

  it('train → bundle, reporting the unreadable file; predict and evaluate need only the bundle', async () => {
    const r = await cli('vision', 'train', '--data', data, '--out', bundle, '--strategy', 'feature-extract', '--image-size', '64', '--epochs', '8', '--batch-size', '8', '--lr', '0.003', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.bundle).toBe(bundle); // the same key as text train --json
    expect(out.labels).toEqual(['checks', 'disc', 'stripes']);
    expect(out.counts.train + out.counts.validation).toBe(24);
    expect(out.validation.accuracy).toBeGreaterThan(0.5);
    expect(out.history).toHaveLength(8);
    // No --schedule: feature-extract keeps the rate constant, and --json names the schedule that ran.
    expect(out.history.map((h: { lr: number }) => h.lr)).toEqual(Array(8).fill(0.003));
    expect(out.schedule).toEqual({ type: 'constant' });
    expect(out.history[0]).not.toHaveProperty('momentum'); // not cycled
    expect(out.skipped).toEqual([{ path: join(data, 'disc', 'corrupt.jpg'), reason: expect.stringMatching(/unreadable image/) }]);
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    expect(manifest.kind).toBe('image-classifier');
    expect(manifest.training.schedule).toEqual({ type: 'constant' });
    expect(manifest.preprocessing.size).toEqual([64, 64]);
    expect(manifest.preprocessing.normalization.name).toBe('unit');

    const p = await cli('vision', 'predict', bundle, join(data, 'stripes', '000.jpg'), join(data, 'disc', 'corrupt.jpg'), join(data, 'missing.jpg'), '--top-k', '2', '--json');
    // The readable image is predicted; the unreadable and missing ones make the exit non-zero.
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/error\[E_NOT_FOUND\]: 2 of 3 images could not be classified \(the other 1 are predicted above\)/);
    const pj = JSON.parse(p.stdout);
    expect(pj.predictions).toHaveLength(1);
    expect(pj.predictions[0].top).toHaveLength(2);
    expect(pj.predictions[0].top[0].label).toBe('stripes');
    expect(pj.skipped[0].path).toMatch(/corrupt\.jpg$/);
    expect(pj.skipped[1]).toEqual({ path: join(data, 'missing.jpg'), reason: 'file not found' });

    const text = await cli('vision', 'predict', bundle, join(data, 'checks', '001.jpg'));
    expect(text.stdout).toMatch(/001\.jpg\t\w+ \d+\.\d%/);
    expect(text.code).toBe(0);

    const missing = await cli('vision', 'predict', bundle, join(root, 'nofile.jpg'));
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/error\[E_NOT_FOUND\]: 1 of 1 image could not be classified: .*nofile\.jpg: file not found/);
    expect(missing.stderr).toMatch(/hint: check the image paths/);
    const folder = await cli('vision', 'predict', bundle, join(data, 'disc'));
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(/error\[E_INVALID_ARGUMENT\].*disc: is a folder; pass image files/);

    // --batch-size: the out-of-memory hint's advice exists as an option, validated.
    const batched = await cli('vision', 'predict', bundle, join(data, 'stripes', '000.jpg'), join(data, 'checks', '001.jpg'), '--batch-size', '1', '--json');
    expect(batched.code).toBe(0);
    expect(JSON.parse(batched.stdout).predictions).toHaveLength(2);
    // The hint lists the formats decoded here, as folders read them (no SVG, which train and embed skip).
    const corrupt = await cli('vision', 'predict', bundle, join(data, 'disc', 'corrupt.jpg'));
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(/error\[E_DATA\][^]*hint: the files are not images sharp can decode \(JPEG, PNG, WebP, GIF, TIFF, AVIF\)\n/);
    const zero = await cli('vision', 'predict', bundle, join(data, 'stripes', '000.jpg'), '--batch-size', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--batch-size must be an integer ≥ 1, got '0'/);
    const evBatched = await cli('vision', 'evaluate', bundle, '--data', data, '--batch-size', '5', '--json');
    expect(evBatched.code).toBe(0);
    expect(JSON.parse(evBatched.stdout).count).toBe(24);
    // --top-k not below the number of labels would be 100% by construction: a warning, no number (as text evaluate).
    const labels = JSON.parse(evBatched.stdout).labels.length as number;
    const topAll = await cli('vision', 'evaluate', bundle, '--data', data, '--top-k', String(labels), '--json');
    expect(topAll.code).toBe(0);
    expect(JSON.parse(topAll.stdout).topK).toBeUndefined();
    expect(topAll.stderr).toMatch(new RegExp(`warning: --top-k ${labels} is not below the model's ${labels} labels, so every image's label is in its top`));

    const e = await cli('vision', 'evaluate', bundle, '--data', data, '--json');
    expect(e.code).toBe(0);
    const ej = JSON.parse(e.stdout);
    expect(ej.count).toBe(24);
    expect(ej.accuracy).toBeGreaterThan(0.5);
    const et = await cli('vision', 'evaluate', bundle, '--data', data);
    expect(et.stdout).toMatch(/accuracy .*macro-F1/);
    expect(et.stderr).toMatch(/corrupt\.jpg: unreadable image/);
  });

  it('fine-tune-top from the CLI with --freeze-until', async () => {
    const out = join(root, 'top');
    const r = await cli('vision', 'train', '--data', data, '--out', out, '--strategy', 'fine-tune-top', '--freeze-until', 'block13-16', '--image-size', '32', '--epochs', '2', '--batch-size', '8');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trained fine-tune-top on \d+ images/);
    expect(r.stderr).toMatch(/^25 image files found in 3 classes: checks, disc, stripes$/m); // one of them does not decode
    // "done" notes go to stderr; stdout carries only results
    expect(r.stdout).not.toMatch(/saved/);
    expect(r.stderr).toContain(`saved ${out}`);
    expect(existsSync(join(out, 'weights.bin'))).toBe(true);
  });

  it('--freeze-until at the cut layer is feature extraction, said in a note (no emulated-kernel note); the input layer is refused', async () => {
    const out = join(root, 'top-cut');
    const r = await cli('vision', 'train', '--data', data, '--out', out, '--strategy', 'fine-tune-top', '--freeze-until', 'out_relu', '--image-size', '32', '--epochs', '1', '--batch-size', '8');
    expect(r.stderr).not.toMatch(/skip connection/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/note: --freeze-until out_relu freezes the whole body: only the head trains \(feature extraction, as --strategy feature-extract\)/);
    expect(r.stderr).not.toMatch(/emulated/);
    const top = await cli('vision', 'train', '--data', data, '--out', join(root, 'top-group'), '--strategy', 'fine-tune-top', '--freeze-until', 'top', '--image-size', '32', '--epochs', '1', '--batch-size', '8');
    expect(top.code).toBe(0);
    expect(top.stderr).toMatch(/note: --freeze-until top freezes the whole body/);
    expect(top.stderr).not.toMatch(/emulated/);
    const input = await cli('vision', 'train', '--data', data, '--out', join(root, 'never'), '--strategy', 'fine-tune-top', '--freeze-until', 'input_1', '--image-size', '32');
    expect(input.code).toBe(2);
    expect(input.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: 'input_1' is the input layer of mobilenet_v2_nsfwjs: freezing through it freezes nothing/);
    expect(input.stderr).toMatch(/hint: to train every layer use --strategy fine-tune-all/);
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('fine-tune names its two phases: in the progress, and in each epoch record of --json and the manifest (running epoch numbers)', async () => {
    const out = join(root, 'ft');
    const r = await cli('vision', 'train', '--data', data, '--out', out, '--strategy', 'fine-tune', '--freeze-epochs', '2', '--epochs', '1', '--lr-mult', '10', '--image-size', '32', '--batch-size', '16');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/phase 1\/2: head warm-up, body frozen \(2 epochs\)\ntraining on \d+ examples[^]*epoch 2\/2 [^]*phase 2\/2: fine-tune, all layers with discriminative rates \(1 epoch, --lr-mult 10\)\ntraining on/);
    const phases = [
      { epoch: 0, phase: 'head', phaseEpoch: 0 },
      { epoch: 1, phase: 'head', phaseEpoch: 1 },
      { epoch: 2, phase: 'fine-tune', phaseEpoch: 0 },
    ];
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    // fine-tune's own schedule (no --schedule): one-cycle, recorded as the schedule that ran.
    expect(manifest.training).toMatchObject({ strategy: 'fine-tune', epochs: 1, freezeEpochs: 2, lrMult: 10, epochsRun: 3, schedule: { type: 'one-cycle' } });
    expect(manifest.training.stopReason).toBeUndefined();
    expect(manifest.training.history.map((h: Record<string, unknown>) => ({ epoch: h.epoch, phase: h.phase, phaseEpoch: h.phaseEpoch }))).toEqual(phases);
    const j = await cli('vision', 'train', '--data', data, '--out', join(root, 'ft-json'), '--strategy', 'fine-tune', '--freeze-epochs', '2', '--epochs', '1', '--lr-mult', '10', '--image-size', '32', '--batch-size', '16', '--json');
    expect(j.code).toBe(0);
    const jo = JSON.parse(j.stdout);
    expect(jo).toMatchObject({ epochs: 1, freezeEpochs: 2, lrMult: 10, epochsRun: 3, schedule: { type: 'one-cycle' } });
    expect(jo.history.map((h: Record<string, unknown>) => ({ epoch: h.epoch, phase: h.phase, phaseEpoch: h.phaseEpoch }))).toEqual(phases);
    expect(jo.history[2]).toEqual(expect.objectContaining({ loss: expect.any(Number), acc: expect.any(Number), lr: expect.any(Number) }));
  });

  it('embed writes one JSONL line per readable image, in the index format', async () => {
    const file = join(root, 'emb.jsonl');
    const r = await cli('vision', 'embed', '--data', data, '--out', file, '--image-size', '32', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 24, dim: 1280 });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(24);
    expect(lines[0]).toMatchObject({ key: join('checks', '000.jpg'), label: 'checks' });
    expect(lines[0].vector).toHaveLength(1280);
    // The file feeds the nearest-neighbour index directly; an image's nearest neighbours share its class.
    const index = join(root, 'emb.index');
    expect((await cli('index', 'build', file, '--out', index, '--kind', 'exact')).code).toBe(0);
    const q = await cli('index', 'query', index, '--key', join('disc', '003.jpg'), '-k', '3', '--json');
    expect(q.code).toBe(0);
    const hits = JSON.stringify(JSON.parse(q.stdout));
    expect((hits.match(/"label":"disc"/g) ?? []).length).toBeGreaterThanOrEqual(2);
    // embed wrote a recipe next to its output; index build saved it, so a new image can be the query.
    expect(JSON.parse(readFileSync(`${file}.recipe.json`, 'utf8'))).toMatchObject({
      recipe: { kind: 'image-backbone', backbone: 'mobilenet_v2_nsfwjs', imageSize: [32, 32], dim: 1280 },
      for: { file: 'emb.jsonl', bytes: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect((await cli('index', 'info', index)).stdout).toMatch(/recipe: +images → backbone mobilenet_v2_nsfwjs at 32×32 px/);
    const byImage = await cli('index', 'query', index, '--image', join(data, 'disc', '003.jpg'), '-k', '1', '--json');
    expect(byImage.code).toBe(0);
    const top = JSON.parse(byImage.stdout)[0];
    expect(top.key).toBe(join('disc', '003.jpg')); // the image itself, embedded the same way
    expect(top.score).toBeCloseTo(1, 4);
    const missing = await cli('index', 'query', index, '--image', join(root, 'nope.jpg'));
    expect(missing.stderr).toMatch(/error\[E_NOT_FOUND\]: image .*nope\.jpg does not exist/);
    const notImage = await cli('index', 'query', index, '--image', `${file}.recipe.json`);
    expect(notImage.stderr).toMatch(/error\[E_DATA\]: .*recipe\.json: unreadable image/);
    // Images to search need no labels: a flat folder, or a CSV with a path column only (keys relative to the CSV's folder).
    const { cpSync, mkdirSync, writeFileSync } = await import('node:fs');
    const flat = join(root, 'flat');
    mkdirSync(flat, { recursive: true });
    cpSync(join(data, 'disc', '000.jpg'), join(flat, 'a.jpg'));
    cpSync(join(data, 'checks', '000.jpg'), join(flat, 'b.jpg'));
    const flatOut = join(root, 'flat.jsonl');
    expect((await cli('vision', 'embed', '--data', flat, '--out', flatOut, '--image-size', '32')).code).toBe(0);
    const flatLines = readFileSync(flatOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(flatLines.map((l: { key: string; label?: string }) => [l.key, l.label])).toEqual([['a.jpg', undefined], ['b.jpg', undefined]]);
    writeFileSync(join(flat, 'list.csv'), 'path\na.jpg\nb.jpg\n');
    const csvOut = join(root, 'flat-csv.jsonl');
    expect((await cli('vision', 'embed', '--data', join(flat, 'list.csv'), '--out', csvOut, '--image-size', '32')).code).toBe(0);
    expect(readFileSync(csvOut, 'utf8').trim().split('\n').map((l) => JSON.parse(l).key)).toEqual(['a.jpg', 'b.jpg']);
    const byText = await cli('index', 'query', index, '--text', 'a disc');
    expect(byText.code).toBe(2);
    expect(byText.stderr).toMatch(/embeds images → backbone .*, not texts[\s\S]*hint: query it with --image FILE/);
  });

  it('errors are typed with hints and exit 2', async () => {
    const single = join(root, 'single');
    await writeSyntheticImages(single, { classes: 2, perClass: 2, size: 16 });
    const { rmSync } = await import('node:fs');
    rmSync(join(single, 'checks'), { recursive: true });
    const one = await cli('vision', 'train', '--data', single, '--out', join(root, 'x'));
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/error\[E_DATA\].*at least 2/);
    const unpublished = await cli('vision', 'train', '--data', data, '--out', join(root, 'x'), '--backbone', 'inception_v3');
    expect(unpublished.stderr).toMatch(/E_NOT_FOUND[\s\S]*hint: .*tensorflowjs_converter/);
    const strategy = await cli('vision', 'train', '--data', data, '--out', join(root, 'x'), '--strategy', 'magic');
    expect(strategy.code).not.toBe(0);
    expect(strategy.stderr).toMatch(/--strategy must be one of/);
    const noBundle = await cli('vision', 'predict', join(root, 'nope'), 'a.jpg');
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toMatch(/E_NOT_FOUND/);
    const image = join(data, 'disc', '000.jpg');
    const file = await cli('vision', 'train', '--data', image, '--out', join(root, 'x'));
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: '.*000\.jpg' is an image file, not a data folder or CSV manifest/);
    expect(file.stderr).not.toMatch(/does not exist/);
    const emptyDir = join(root, 'empty-data');
    (await import('node:fs')).mkdirSync(emptyDir, { recursive: true });
    const emptyEmbed = await cli('vision', 'embed', '--data', emptyDir, '--out', join(root, 'never.jsonl'));
    expect(emptyEmbed.code).toBe(2);
    expect(emptyEmbed.stderr).toMatch(/error\[E_DATA\]: .*empty-data has no images/);
    expect(emptyEmbed.stderr).not.toMatch(/classifier/);
    const badGroup = await cli('vision', 'train', '--data', data, '--out', join(root, 'x'), '--strategy', 'fine-tune-top', '--freeze-until', 'block99', '--image-size', '32');
    expect(badGroup.stderr).toMatch(/neither a layer group[\s\S]*hint: groups: stem/);
  });

  it('evaluate leaves classes the model does not know out of the metrics, with a note (as text evaluate)', async () => {
    const { cpSync, mkdirSync } = await import('node:fs');
    const ev = join(root, 'eval-unseen');
    mkdirSync(join(ev, 'stripes'), { recursive: true });
    mkdirSync(join(ev, 'zebra'), { recursive: true });
    for (const f of ['000.jpg', '001.jpg']) cpSync(join(data, 'stripes', f), join(ev, 'stripes', f));
    cpSync(join(data, 'checks', '000.jpg'), join(ev, 'zebra', '000.jpg'));
    const j = await cli('vision', 'evaluate', bundle, '--data', ev, '--json');
    expect(j.code).toBe(0);
    const r = JSON.parse(j.stdout);
    expect(r.count).toBe(2);
    expect(r.unseenLabels).toEqual([{ label: 'zebra', count: 1 }]);
    expect(r.excluded).toBe(1);
    const t = await cli('vision', 'evaluate', bundle, '--data', ev);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/note: 1 image\(s\) have labels the model never saw in training, left out of the metrics: zebra \(1\)/);
    const only = join(root, 'eval-only-unseen');
    mkdirSync(join(only, 'zebra'), { recursive: true });
    cpSync(join(data, 'checks', '000.jpg'), join(only, 'zebra', '000.jpg'));
    const none = await cli('vision', 'evaluate', bundle, '--data', only);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/E_DATA.*none of the images .* has a label the model knows \(checks, disc, stripes\); found zebra \(1\)/);
    expect(none.stderr).toMatch(/hint: class folder names/);
  });

  it('evaluate and embed with no decodable image fail with E_DATA naming the files, and embed leaves nothing', async () => {
    const { mkdirSync, readdirSync } = await import('node:fs');
    const bad = join(root, 'all-bad');
    mkdirSync(join(bad, 'disc'), { recursive: true });
    mkdirSync(join(bad, 'checks'), { recursive: true });
    writeFileSync(join(bad, 'disc', 'a.jpg'), 'not a jpeg');
    writeFileSync(join(bad, 'checks', 'b.png'), 'not a png');
    const e = await cli('vision', 'evaluate', bundle, '--data', bad);
    expect(e.code).toBe(2);
    expect(e.stdout).toBe('');
    expect(e.stderr).not.toMatch(/NaN/);
    expect(e.stderr).toMatch(/error\[E_DATA\]: none of the 2 image files in .*all-bad could be read: nothing to evaluate/);
    expect(e.stderr).toMatch(/hint: skipped: .*b\.png \(unreadable image: .*a\.jpg \(unreadable image/);
    const outDir = join(root, 'embed-out');
    mkdirSync(outDir);
    const m = await cli('vision', 'embed', '--data', bad, '--out', join(outDir, 'e.jsonl'), '--image-size', '32');
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/error\[E_DATA\]: none of the 2 image files in .*all-bad could be read: nothing to embed/);
    expect(readdirSync(outDir)).toEqual([]); // no JSONL, no recipe, no temporary file
  });

  it('a CSV row naming a folder is reported as a folder, not as an unsupported image format', async () => {
    const { mkdirSync, cpSync } = await import('node:fs');
    const dir = join(root, 'csv-folder');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    cpSync(join(data, 'disc', '000.jpg'), join(dir, 'd.jpg'));
    writeFileSync(join(dir, 'list.csv'), 'path,label\nsub,checks\nd.jpg,disc\n');
    const r = await cli('vision', 'evaluate', bundle, '--data', join(dir, 'list.csv'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).skipped).toEqual([{ path: join(dir, 'sub'), reason: 'is a folder, not an image file' }]);
  });

  it('train and embed refuse a bad --out before reading images', async () => {
    const { mkdirSync, readdirSync } = await import('node:fs');
    const user = join(root, 'user-files');
    mkdirSync(user, { recursive: true });
    writeFileSync(join(user, 'notes.txt'), 'mine');
    const afile = join(user, 'notes.txt');
    for (const out of [user, join(afile, 'm')]) {
      const r = await cli('vision', 'train', '--data', data, '--out', out, '--image-size', '32', '--epochs', '50');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
      expect(r.stderr).not.toMatch(/image files found/);
    }
    for (const out of [user, join(afile, 'e.jsonl')]) {
      const r = await cli('vision', 'embed', '--data', data, '--out', out, '--image-size', '32');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
    }
    expect(readdirSync(user)).toEqual(['notes.txt']);
    expect(readFileSync(afile, 'utf8')).toBe('mine');
  });

  it('train refuses, before reading images, an --out bundle folder holding files its manifest does not list', async () => {
    const { mkdirSync, readdirSync } = await import('node:fs');
    const old = join(root, 'old-bundle');
    mkdirSync(old, { recursive: true });
    writeFileSync(join(old, 'manifest.json'), JSON.stringify({ format: 'transferkit-bundle', kind: 'image-classifier', files: {} }));
    writeFileSync(join(old, 'notes.txt'), 'mine');
    // The data folder does not exist: were the images read first, the error would be E_NOT_FOUND.
    const r = await cli('vision', 'train', '--data', join(root, 'no-such-folder'), '--out', old);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: refusing to write the image-classifier bundle to .*old-bundle: the bundle there does not list its file 'notes\.txt'/);
    expect(readdirSync(old).sort()).toEqual(['manifest.json', 'notes.txt']);
  });

  it('CSV manifest errors say what is wrong with the file', async () => {
    const hint = (r: { stderr: string }) => r.stderr.match(/hint: (.*)/)?.[1] ?? '';
    const img = join(data, 'disc', '000.jpg');
    const header = join(root, 'header.csv');
    writeFileSync(header, `file,class\n${img},disc\n`);
    const h = await cli('vision', 'train', '--data', header, '--out', join(root, 'x'));
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/E_INVALID_FILE.*"path" and "label" columns \(missing "path" and "label"\)/);
    expect(hint(h)).toMatch(/the first line is 'file,class'; make it 'path,label'/);
    const ragged = join(root, 'ragged.csv');
    writeFileSync(ragged, `path,label\n${img},disc,extra\n`);
    const r = await cli('vision', 'train', '--data', ragged, '--out', join(root, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_INVALID_FILE.*not valid CSV/);
    expect(hint(r)).toMatch(/as many fields as the header/);
    const mixed = join(root, 'mixed.csv');
    writeFileSync(mixed, `path,label\r\n${img},disc\n${img},checks\r\n`);
    const m = await cli('vision', 'train', '--data', mixed, '--out', join(root, 'x'));
    expect(m.code).toBe(2);
    expect(hint(m)).toMatch(/mixes Windows \(CRLF.*and Unix \(LF/);
  });
  it('an absurd --image-size is refused up front (not reported as unreadable images)', async () => {
    for (const cmd of [['train', '--out', join(root, 'never')], ['embed', '--out', join(root, 'never.jsonl')]]) {
      const r = await cli('vision', cmd[0], '--data', data, ...cmd.slice(1), '--image-size', '100000');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]: image size 100000×100000 is above the maximum of 2048 px/);
      expect(r.stderr).toMatch(/hint: use --image-size 2048 or less/);
      expect(r.stderr).not.toMatch(/readable/);
    }
    expect(existsSync(join(root, 'never'))).toBe(false);
  });

  it('train refuses a bad --head or --lr before reading images or loading the backbone', async () => {
    const cases: [string[], RegExp][] = [
      [['--head', 'bogus'], /error\[E_INVALID_ARGUMENT\]: unknown head 'bogus'/],
      [['--head', 'mlp:0'], /error\[E_INVALID_ARGUMENT\]: bad hidden sizes in head 'mlp:0'/],
      [['--lr', '0'], /--lr must be a number > 0, got '0'/],
    ];
    for (const [extra, message] of cases) {
      // The data folder does not exist: were it read first, the error would be E_NOT_FOUND.
      const r = await cli('vision', 'train', '--data', join(root, 'no-such-folder'), '--out', join(root, 'never'), ...extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/does not exist|backbone/);
    }
  });

  it('train --schedule sets the rate of every epoch (in --json and the progress lines); --cycle-momentum cycles Adam\'s beta1 too', async () => {
    const r = await cli('vision', 'train', '--data', data, '--out', join(root, 'sched-step'), '--image-size', '32', '--epochs', '3', '--batch-size', '8', '--lr', '0.004', '--schedule', 'step:1:0.5', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.schedule).toEqual({ type: 'step', every: 1, gamma: 0.5 });
    // Halved every epoch: 0.004, 0.002, 0.001 (a constant rate would stay at 0.004).
    expect(out.history.map((h: { lr: number }) => h.lr)).toEqual([0.004, 0.002, 0.001]);
    const stepManifest = JSON.parse(readFileSync(join(root, 'sched-step', 'manifest.json'), 'utf8'));
    expect(stepManifest.training.schedule).toEqual(out.schedule);

    // One-cycle with the momentum cycle, in the plain-text progress: the rate warms up to --lr at 0.5 of
    // the run and anneals to ~0; the momentum goes 0.9 → 0.8 → back to 0.9 by the last step.
    const t = await cli('vision', 'train', '--data', data, '--out', join(root, 'sched-cycle'), '--image-size', '32', '--epochs', '4', '--batch-size', '8', '--lr', '0.004', '--schedule', 'one-cycle:0.5', '--cycle-momentum', '0.9,0.8');
    expect(t.code, t.stderr).toBe(0);
    const epochs = [...t.stderr.matchAll(/^epoch (\d)\/4 .* lr (\S+)  momentum (\S+)  [\d.]+s$/gm)].map((m) => ({ lr: Number(m[2]), momentum: Number(m[3]) }));
    expect(epochs).toHaveLength(4);
    const lrs = epochs.map((e) => e.lr);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(0.004);
    expect(lrs[0]).toBeLessThan(lrs[1]!); // warming up
    expect(lrs[3]).toBeLessThan(1e-7); // annealed: 0.004 / (25 · 1e4) at the last step
    expect(epochs[0]!.momentum).toBeLessThan(0.9);
    expect(epochs[0]!.momentum).toBeGreaterThan(0.8);
    expect(epochs[3]!.momentum).toBe(0.9);
    // The bundle records the schedule, and the momentum of every epoch next to its rate (as the progress lines showed them).
    const manifest = JSON.parse(readFileSync(join(root, 'sched-cycle', 'manifest.json'), 'utf8'));
    expect(manifest.training.schedule).toEqual({ type: 'one-cycle', pctStart: 0.5, cycleMomentum: { high: 0.9, low: 0.8 } });
    const recorded = manifest.training.history as Array<{ lr: number; momentum: number }>;
    expect(recorded.map((h) => Object.keys(h))).toEqual(Array(4).fill(['epoch', 'loss', 'acc', 'val_loss', 'val_acc', 'lr', 'momentum', 'seconds']));
    // The progress lines print 3 significant digits.
    recorded.forEach((h, i) => {
      expect(Math.abs(h.lr - epochs[i]!.lr) / h.lr).toBeLessThan(0.005);
      expect(Math.abs(h.momentum - epochs[i]!.momentum) / h.momentum).toBeLessThan(0.005);
    });
  });

  it('train refuses a bad --schedule or --cycle-momentum before reading images', async () => {
    const cases: [string[], RegExp][] = [
      [['--schedule', 'exponential'], /error\[E_INVALID_ARGUMENT\]: --schedule: unknown learning-rate schedule 'exponential'\n  hint: use constant, step\[:every\[:gamma\]\], cosine\[:min\[:warmup\]\], one-cycle\[:pctStart\[:divFactor\[:finalDivFactor\]\]\]\n/],
      [['--schedule', 'one-cycle:1.5'], /--schedule one-cycle:1\.5: 'pctStart' must be in \(0, 1\), got 1\.5\n  hint: leave the value out for its default \(one-cycle: pctStart 0\.25/],
      [['--schedule', 'step:x'], /--schedule step:x: 'every' must be a number, got 'x'\n  hint: write step\[:every\[:gamma\]\]/],
      [['--schedule', 'cosine:0:0:1'], /--schedule cosine:0:0:1 has 3 numbers; cosine takes at most 2 \(min, warmup\)/],
      [['--cycle-momentum'], /--cycle-momentum cycles the momentum against a one-cycle learning rate, but the default schedule here is constant\n  hint: add --schedule one-cycle, or drop --cycle-momentum/],
      [['--schedule', 'cosine', '--cycle-momentum'], /but --schedule cosine is not one-cycle/],
      [['--strategy', 'fine-tune', '--schedule', 'constant', '--cycle-momentum'], /but --schedule constant is not one-cycle/],
      [['--schedule', 'one-cycle', '--cycle-momentum', '0.85,0.95'], /--cycle-momentum 0\.85,0\.95: momentum cycle: 'low' \(0\.95\) must not exceed 'high' \(0\.85\)/],
      [['--schedule', 'one-cycle', '--cycle-momentum', '0.9'], /--cycle-momentum: momentum cycle '0\.9' is not two numbers high,low\n  hint: write e\.g\. 0\.95,0\.85/],
      // fine-tune's default schedule is one-cycle: --cycle-momentum alone applies to it, so the range is checked.
      [['--strategy', 'fine-tune', '--cycle-momentum', '1,0.5'], /--cycle-momentum 1,0\.5: momentum cycle values must be in \[0, 1\), got high 1, low 0\.5/],
    ];
    for (const [extra, message] of cases) {
      const r = await cli('vision', 'train', '--data', join(root, 'no-such-folder'), '--out', join(root, 'never'), ...extra);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr, extra.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/does not exist|backbone/);
    }
  });

  it('train --help lists the schedule forms and the momentum cycle', async () => {
    const r = await cli('vision', 'train', '--help');
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--schedule <spec> learning-rate schedule, set before every batch: constant, step\[:every\[:gamma\]\], cosine\[:min\[:warmup\]\], one-cycle\[:pctStart\[:divFactor\[:finalDivFactor\]\]\] .*\(default: constant; --strategy fine-tune: one-cycle, in both phases/);
    expect(help).toMatch(/--cycle-momentum \[high,low\] with a one-cycle schedule, also cycle the momentum \(Adam's beta1\) .*\(default 0\.95,0\.85\)/);
  });

  it('train --checkpoint-monitor chooses what the checkpoint watches, and needs --checkpoint', async () => {
    const out = join(root, 'ckm-final');
    const ck = join(root, 'ckm-best');
    const r = await cli('vision', 'train', '--data', data, '--out', out, '--checkpoint', ck, '--checkpoint-monitor', 'val_acc', '--image-size', '32', '--epochs', '2', '--batch-size', '4', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const accs = j.history.map((e: { val_acc: number }) => e.val_acc) as number[];
    expect(j.checkpoint.monitor).toBe('val_acc');
    expect(j.checkpoint.value).toBe(Math.max(...accs));
    const lone = await cli('vision', 'train', '--data', data, '--out', join(root, 'ckm-lone'), '--checkpoint-monitor', 'val_acc');
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/--checkpoint-monitor is the value --checkpoint watches, but no --checkpoint was given/);
    const bad = await cli('vision', 'train', '--data', data, '--out', join(root, 'ckm-bad'), '--checkpoint', ck, '--checkpoint-monitor', 'val_accuracy');
    expect(bad.code).toBe(2);
  });

  it('train --checkpoint keeps the best epoch as a bundle that predict loads', async () => {
    const out = join(root, 'ck-final');
    const ck = join(root, 'ck-best');
    const r = await cli('vision', 'train', '--data', data, '--out', out, '--checkpoint', ck, '--image-size', '32', '--epochs', '5', '--batch-size', '4', '--lr', '0.3', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const losses = j.history.map((e: { val_loss: number }) => e.val_loss) as number[];
    const best = losses.indexOf(Math.min(...losses));
    expect(j.checkpoint).toEqual({ dir: ck, epoch: best, monitor: 'val_loss', value: losses[best] });
    const manifest = JSON.parse(readFileSync(join(ck, 'manifest.json'), 'utf8'));
    expect(manifest.kind).toBe('image-classifier');
    expect(manifest.training.checkpoint).toEqual({ epoch: best, monitor: 'val_loss', value: losses[best] });
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).training.checkpoint).toEqual(j.checkpoint);
    const p = await cli('vision', 'predict', ck, join(data, 'stripes', '000.jpg'), '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).predictions[0].top[0].label).toMatch(/^(checks|disc|stripes)$/);
    // Plain text: where the checkpoint is and which epoch it holds (1-based, as the progress counts).
    const t = await cli('vision', 'train', '--data', data, '--out', out, '--checkpoint', ck, '--image-size', '32', '--epochs', '1', '--batch-size', '8');
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(new RegExp(`checkpoint ${ck}: epoch 1, val_loss \\d+\\.\\d{4}`));
  });

  it('train refuses a --checkpoint that is --out, nested with it, in the data folder or a folder of your files, before reading images', async () => {
    const { mkdirSync } = await import('node:fs');
    const mine = join(root, 'my-files');
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, 'notes.txt'), 'mine');
    const out = join(root, 'never');
    const cases: [string, string, RegExp][] = [
      [out, data, /--checkpoint .*never is --out: the final bundle would replace the best model/],
      [join(out, 'ck'), data, /--checkpoint .*never.ck and --out .*never are nested/],
      [join(data, 'ck'), data, /--checkpoint .*data.ck is inside the --data folder .*: a folder there is read as data by the next run/],
      [mine, data, /refusing to write the image-classifier bundle to .*my-files: the folder exists and does not hold a transferkit/],
    ];
    for (const [ck, d, message] of cases) {
      const r = await cli('vision', 'train', '--data', d, '--out', out, '--checkpoint', ck, '--image-size', '32');
      expect(r.code, ck).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/image files found/);
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(data, 'ck'))).toBe(false);
  });

  it('train refuses options the chosen strategy would ignore, before reading images', async () => {
    const cases: [string, string[], RegExp][] = [
      ['feature-extract', ['--freeze-until', 'block10-12'], /--freeze-until applies only to --strategy fine-tune-top, not feature-extract/],
      ['fine-tune-all', ['--freeze-until', 'block10-12'], /--freeze-until applies only to --strategy fine-tune-top, not fine-tune-all/],
      ['feature-extract', ['--freeze-epochs', '2'], /--freeze-epochs applies only to --strategy fine-tune, not feature-extract/],
      ['fine-tune-top', ['--lr-mult', '10'], /--lr-mult applies only to --strategy fine-tune, not fine-tune-top/],
      ['fine-tune', ['--freeze-until', 'block10-12'], /--freeze-until applies only to --strategy fine-tune-top, not fine-tune/],
    ];
    for (const [strategy, extra, message] of cases) {
      const r = await cli('vision', 'train', '--data', join(root, 'no-such-folder'), '--out', join(root, 'never'), '--strategy', strategy, ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[E_INVALID_ARGUMENT\]/);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/drop --/);
      expect(existsSync(join(root, 'never'))).toBe(false);
    }
  });
});
