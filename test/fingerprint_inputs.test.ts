// What the fingerprint covers: the options that decide generated code change it,
// the ones that do not (the cache directory) leave it alone.
import { describe, expect, it } from 'vitest';
import { Volta } from '../runtime/index.ts';
import { mlp } from './helpers/models.ts';

describe('fingerprint inputs', () => {
  it('the mode, the target and disabled passes change the fingerprint; the cache directory does not', () => {
    const fp = (o: Parameters<typeof Volta.compileOnly>[1]) => Volta.compileOnly(mlp(), o).fingerprint;
    const base = fp({});
    expect(fp({ mode: 'balanced' })).not.toBe(base);
    expect(fp({ target: 'cuda' })).not.toBe(base);
    expect(fp({ target: 'cuda-cpu' })).not.toBe(base);
    expect(fp({ target: 'cuda-cpu' })).not.toBe(fp({ target: 'cuda' }));
    expect(fp({ disablePasses: ['fuse-elementwise'] })).not.toBe(base);
    expect(fp({ cacheDir: '/tmp/elsewhere' })).toBe(base);
    expect(fp({ mode: 'strict', target: 'c' })).toBe(base);
  });
});
