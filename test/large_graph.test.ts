// The XL lane's generator at test size: a generated chain with fan-outs and joins
// compiles (through the C build) twice with one fingerprint, and its kernel count
// shows fusion splits it. The full sizes (50 000+ nodes, ResNet-50 shape) run in
// `npm run xl` with the documented bounds.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Volta } from '../runtime/index.ts';
import { xlChain } from '../scripts/xl.ts';

describe('large graphs (test size)', () => {
  it('a generated chain with fan-outs compiles twice with one fingerprint', async () => {
    const { bytes, nodes } = xlChain(2000);
    expect(nodes).toBeGreaterThanOrEqual(2000);
    const a = await Volta.compile(bytes, { cacheDir: mkdtempSync(join(tmpdir(), 'volta-xl-a-')) });
    const b = Volta.compileOnly(bytes);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.report().kernels.length).toBeGreaterThan(100);
  }, 300_000);
});
