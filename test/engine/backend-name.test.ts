import { describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/backend.js';
import { BackendUnavailableError, InvalidArgumentError } from '../../src/errors.js';

describe('initEngine({ backend })', () => {
  it('an unknown name is reported as unknown, before and after a backend was chosen', async () => {
    await expect(initEngine({ backend: 'gpu' })).rejects.toBeInstanceOf(InvalidArgumentError);
    const info = await initEngine();
    const err = await initEngine({ backend: 'gpu' }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(/unknown backend 'gpu'/);
    expect(err.hint).toMatch(/node-gpu, node, wasm, cpu/);
    // A real backend other than the chosen one is still "already chosen"; the chosen one is fine.
    const other = info.backend === 'cpu' ? 'wasm' : 'cpu';
    await expect(initEngine({ backend: other })).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(initEngine({ backend: other })).rejects.toThrow(/already chosen/);
    expect(await initEngine({ backend: info.backend })).toBe(info);
  });
});
