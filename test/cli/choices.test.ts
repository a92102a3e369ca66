import { describe, expect, it } from 'vitest';
import * as choices from '../../src/cli/choices.js';
import { DEFAULT_EF, DEFAULT_EF_CONSTRUCTION, DEFAULT_M, METRICS, TUNE_DEFAULTS } from '../../embeddings/index.js';
import { TUNE_HELP_DEFAULTS } from '../../src/cli/commands/index-cmd.js';
import { cli } from '../helpers/cli.js';
import { DATASET_FORMATS, DEFAULT_TEXT_VECTORS, REPRESENTATIONS, SENTENCE_POOLINGS, VECTOR_FORMATS, WRITABLE_FORMATS } from '../../text/index.js';
import { STRATEGY_NAMES } from '../../vision/index.js';
import { BACKEND_NAMES } from '../../src/engine/backend.js';
import * as names from '../../src/engine/names.js';
import { BUNDLE_FORMAT, bundleOwner } from '../../src/bundle/bundle.js';
import * as owner from '../../src/bundle/owner.js';

// The CLI keeps its own copy of these (so that start-up loads no domain module); they must
// be the domains' values, in the same order, for --help and option parsing to stay right.
describe('CLI copies of domain choices and defaults', () => {
  it('equal the domain constants', () => {
    expect(choices.METRIC_CHOICES).toEqual(METRICS);
    expect(choices.HNSW_DEFAULTS).toEqual({ M: DEFAULT_M, efConstruction: DEFAULT_EF_CONSTRUCTION, ef: DEFAULT_EF });
    expect(choices.VECTOR_FORMAT_CHOICES).toEqual(VECTOR_FORMATS);
    expect(choices.WRITABLE_FORMAT_CHOICES).toEqual(WRITABLE_FORMATS);
    expect(choices.DATASET_FORMAT_CHOICES).toEqual(DATASET_FORMATS);
    expect(choices.REPRESENTATION_CHOICES).toEqual(REPRESENTATIONS);
    expect(choices.SENTENCE_POOLING_CHOICES).toEqual(SENTENCE_POOLINGS);
    expect(choices.DEFAULT_TEXT_VECTORS).toBe(DEFAULT_TEXT_VECTORS);
    expect(choices.STRATEGY_CHOICES).toEqual(STRATEGY_NAMES);
    expect(TUNE_HELP_DEFAULTS).toEqual({ target: TUNE_DEFAULTS.target, k: TUNE_DEFAULTS.k, queries: TUNE_DEFAULTS.queries });
  });

  it("index build --help shows buildIndex's tuning defaults", async () => {
    const help = (await cli('index', 'build', '--help')).stdout.replace(/\s+/g, ' ');
    const { target, k, queries } = TUNE_DEFAULTS;
    expect(help).toContain(`--target recall@${k} on ${queries} items`);
    expect(help).toContain(`recall@${k} to tune ef for, in (0, 1]; giving it implies --tune (default: ${target})`);
  });

  it('the light core modules the CLI starts with are the ones the heavy ones re-export', () => {
    expect(BACKEND_NAMES).toBe(names.BACKEND_NAMES);
    expect(BUNDLE_FORMAT).toBe(owner.BUNDLE_FORMAT);
    expect(bundleOwner).toBe(owner.bundleOwner);
  });
});
