// GroupNormalization (opset 18: scale per group; 21: per channel), MeanVarianceNormalization,
// LpNormalization (p = 1, 2; a zero vector) and GlobalLpPool (p = 1, 2, 3) against onnxruntime
// (test-only oracle), one model per opset: the C addon equals the TS reference bit for bit;
// onnxruntime within 1e-5 relative (see relError), 1e-3 for GlobalLpPool p = 3 (Pow's stated bound).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { float, OnnxWriter } from '../compiler/onnx/writer.ts';
import { Volta } from '../runtime/index.ts';
import { randomFloats } from './helpers/models.ts';
import { f32Feed } from './helpers/ort_exact.ts';
import { compareWithOrt, type Feed, worst } from './helpers/ort_oracle.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-ops-cache');

function check(errors: Record<string, number>, label: string, bound: (name: string) => number) {
  console.log(`[${label}] max relative error vs onnxruntime ${JSON.stringify(worst(errors))}`);
  for (const [n, e] of Object.entries(errors)) expect(e, n).toBeLessThanOrEqual(bound(n));
}

describe('normalisations vs onnxruntime', () => {
  it('opset 18: GroupNormalization (per-group scale), MeanVarianceNormalization, LpNormalization, GlobalLpPool', async () => {
    const feeds: Record<string, Feed> = { x: f32Feed([2, 6, 3, 4], 1, 2, false), v: f32Feed([3, 5], 2, 2, false) };
    (feeds.v.data as Float32Array).fill(0, 5, 10); // a zero row: its Lp norm is 0
    const w = new OnnxWriter('norm18', 18);
    for (const [k, f] of Object.entries(feeds)) w.input(k, f.dtype, f.dims);
    const out = (n: string) => w.output(n, 'float32');
    for (const g of [1, 2, 3, 6]) {
      const s = w.initializer(`gs${g}`, makeTensor('float32', [g], randomFloats(g, 10 + g, 2)));
      const b = w.initializer(`gb${g}`, makeTensor('float32', [g], randomFloats(g, 20 + g)));
      out(w.op('GroupNormalization', ['x', s, b], { num_groups: g, epsilon: float(g === 2 ? 1e-3 : 1e-5) }, `gn18_${g}`));
    }
    out(w.op('MeanVarianceNormalization', ['x'], {}, 'mvn'));
    out(w.op('MeanVarianceNormalization', ['x'], { axes: [1, 3] }, 'mvn_13'));
    out(w.op('MeanVarianceNormalization', ['v'], { axes: [0] }, 'mvn_v'));
    for (const p of [1, 2]) {
      out(w.op('LpNormalization', ['v'], { p }, `lp${p}_last`));
      out(w.op('LpNormalization', ['v'], { p, axis: 0 }, `lp${p}_first`));
      out(w.op('LpNormalization', ['x'], { p, axis: 1 }, `lp${p}_x`));
    }
    for (const p of [1, 2, 3]) out(w.op('GlobalLpPool', ['x'], { p }, `glp${p}`));
    out(w.op('GlobalLpPool', ['x'], {}, 'glp_default'));
    const r = await compareWithOrt(w.bytes(), feeds, { cacheDir });
    check(r.errors, 'norm opset 18', (n) => (n === 'glp3' ? 1e-3 : 1e-5));
  });

  it('opset 21: GroupNormalization with per-channel scale and bias', async () => {
    const feeds: Record<string, Feed> = { x: f32Feed([2, 6, 5], 3, 2, false), y: f32Feed([1, 4, 2, 2, 3], 4, 3, false) };
    const w = new OnnxWriter('norm21', 21);
    for (const [k, f] of Object.entries(feeds)) w.input(k, f.dtype, f.dims);
    for (const [x, c, g] of [
      ['x', 6, 3],
      ['x', 6, 1],
      ['y', 4, 2],
      ['y', 4, 4],
    ] as const) {
      const s = w.initializer(`s_${x}${g}`, makeTensor('float32', [c], randomFloats(c, 30 + g, 2)));
      const b = w.initializer(`b_${x}${g}`, makeTensor('float32', [c], randomFloats(c, 40 + g)));
      w.output(w.op('GroupNormalization', [x, s, b], { num_groups: g }, `gn21_${x}${g}`), 'float32');
    }
    const r = await compareWithOrt(w.bytes(), feeds, { cacheDir });
    check(r.errors, 'GroupNormalization opset 21', () => 1e-5);
  });

  it('GroupNormalization refuses scale of the other opset shape and a non-dividing num_groups', () => {
    for (const [opset, len, g, msg] of [
      [21, 2, 2, 'must have shape [6] (opset 21)'],
      [18, 6, 2, 'must have shape [2] (opset 18)'],
      [18, 4, 4, 'num_groups=4 for 6 channels'],
    ] as const) {
      const w = new OnnxWriter('gn_bad', opset);
      w.input('x', 'float32', [1, 6, 2]);
      const s = w.initializer('s', makeTensor('float32', [len], randomFloats(len, 1)));
      w.output(w.op('GroupNormalization', ['x', s, s], { num_groups: g }, 'gn'), 'float32');
      expect(() => Volta.compileOnly(w.bytes())).toThrow(msg);
    }
  });
});
