// Conv as an implicit GEMM on the matmul micro-kernel, pools row by row, and
// Conv + bias + activation fused into one kernel: all give the bits of the window
// order (channel of the group outer, kernel positions row-major, positions outside
// the input skipped), which the TS interpreter runs directly.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../compiler/ir/graph.ts';
import { graphText } from '../compiler/ir/text.ts';
import type { WindowPlan } from '../compiler/kernels/plan.ts';
import { GraphBuilder, makeTensor, Volta } from '../runtime/index.ts';
import { mulberry32 } from '../scripts/make_example_model.ts';
import { sameBits } from './helpers/bits.ts';
import { referenceFetches } from './helpers/interp.ts';
import { feedsFor, randomFloats } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-test-conv-gemm');
const weight = (shape: number[], seed: number, scale = 0.5) =>
  makeTensor(
    'float32',
    shape,
    randomFloats(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
  );

/** Seeded random convs (groups, strides, dilations, asymmetric pads, 1x1 in place, depthwise, rank 1) and pools. */
function randomWindows(seed: number): Graph {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const b = new GraphBuilder(`windows_${seed}`);
  const cases: [string, () => void][] = [];
  let i = 0;
  const conv = (n: number, c: number, m: number, group: number, hw: number[], k: number[], attrs: Record<string, number[]>) => {
    const x = b.input(`x${i}`, 'float32', [n, c, ...hw]);
    const w = b.constant(`w${i}`, weight([m, c / group, ...k], 100 + i));
    const bias = b.constant(`b${i}`, weight([m], 200 + i));
    b.output(b.op('Conv', [x, w, bias], { group, ...attrs }));
    i++;
  };
  // 3x3 pad 1 (ResNet-like), ragged positions; 5x5 pad 2 on one input channel (LeNet-like).
  cases.push(['3x3', () => conv(2, 8, 12, 1, [9, 11], [3, 3], { pads: [1, 1, 1, 1] })]);
  cases.push(['5x5 one channel', () => conv(1, 1, 6, 1, [12, 12], [5, 5], { pads: [2, 2, 2, 2] })]);
  // 1x1 stride 1, no pads: read in place; 7 * 9 positions leave a ragged last panel.
  cases.push(['1x1 in place', () => conv(2, 5, 7, 1, [7, 9], [1, 1], {})]);
  // Depthwise with stride 2 and asymmetric pads; grouped, dilated, strided.
  cases.push(['depthwise s2', () => conv(1, 6, 6, 6, [10, 9], [3, 3], { strides: [2, 2], pads: [1, 0, 2, 1] })]);
  cases.push(['grouped dilated s3', () => conv(2, 4, 6, 2, [13, 12], [3, 2], { strides: [3, 2], dilations: [2, 3], pads: [2, 1, 0, 3] })]);
  // Rank 1.
  cases.push(['rank 1', () => conv(2, 3, 5, 1, [17], [4], { strides: [2], pads: [1, 2] })]);
  // Random shapes.
  for (let j = 0; j < 3; j++) {
    const group = [1, 1, 2][j];
    const c = group * int(1, 4);
    const m = group * int(1, 5);
    const k = [int(1, 4), int(1, 4)];
    const s = [int(1, 2), int(1, 3)];
    const d = [int(1, 2), int(1, 2)];
    const hw = [int(k[0] * d[0], 14), int(k[1] * d[1], 14)];
    cases.push([`random ${j}`, () => conv(int(1, 2), c, m, group, hw, k, { strides: s, dilations: d, pads: [int(0, 2), int(0, 2), int(0, 2), int(0, 2)] })]);
  }
  for (const [, make] of cases) make();
  // Pools row by row: max with pads and ceil mode, average with and without padding counted, rank 1.
  const p = b.input('p', 'float32', [2, 3, 11, 10]);
  b.output(b.op('MaxPool', [p], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }));
  b.output(b.op('MaxPool', [p], { kernel_shape: [2, 3], dilations: [2, 1], pads: [0, 1, 1, 0] }));
  b.output(b.op('AveragePool', [p], { kernel_shape: [3, 2], strides: [1, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }));
  b.output(b.op('AveragePool', [p], { kernel_shape: [3, 3], strides: [2, 1], pads: [1, 1, 0, 2] }));
  b.output(b.op('MaxPool', [b.input('q', 'float32', [2, 3, 15])], { kernel_shape: [4], strides: [3], pads: [2, 1] }));
  return b.build();
}

async function checkBits(make: () => Graph, seed: number, opts: object = {}) {
  const g = make();
  const compiled = Volta.compileOnly(g, opts);
  const feeds = feedsFor(g, seed);
  const want = referenceFetches(compiled, feeds);
  const s = await Volta.compile(make(), { cacheDir, threads: 2, minParallelWork: 0, ...opts });
  const got = s.runSync(feeds);
  for (const [name, data] of Object.entries(want)) expect(sameBits(got[name].data, data), name).toBe(true);
  return compiled;
}

describe('conv as implicit GEMM, pools row by row', () => {
  it('random convs and pools: C == interpreter bit for bit; the plans use the GEMM (copy and in-place) and row forms', async () => {
    const c = await checkBits(() => randomWindows(5), 9);
    const windows = c.schedule.kernels.map((k) => k.plan).filter((p): p is WindowPlan => p.kind === 'window');
    const convs = windows.filter((p) => p.mode === 'conv');
    expect(convs.every((p) => p.gemm !== undefined)).toBe(true);
    expect(convs.some((p) => p.gemm?.inPlace)).toBe(true);
    expect(convs.some((p) => p.gemm?.inPlace === false && p.gemm.sh * p.gemm.sw > 1)).toBe(true);
    expect(windows.filter((p) => p.mode !== 'conv').every((p) => p.rows !== undefined)).toBe(true);
  });

  it('a weight of ±Inf or NaN keeps the direct loop (padding adds nothing, where 0 * Inf would be NaN)', async () => {
    const make = () => {
      const b = new GraphBuilder('inf_conv');
      const x = b.input('x', 'float32', [1, 2, 5, 5]);
      const w = weight([3, 2, 3, 3], 7);
      (w.data as Float32Array)[0] = Number.POSITIVE_INFINITY;
      (w.data as Float32Array)[10] = Number.NEGATIVE_INFINITY;
      b.output(b.op('Conv', [x, b.constant('w', w)], { pads: [1, 1, 1, 1] }));
      return b.build();
    };
    const c = await checkBits(make, 4);
    const plan = c.schedule.kernels[0].plan as WindowPlan;
    expect(plan.gemm).toBeUndefined();
    // The border outputs that skip the infinite taps stay finite.
    const out = referenceFetches(c, feedsFor(make(), 4));
    expect(Object.values(out)[0].some((v) => Number.isFinite(v as number))).toBe(true);
  });
});

const ACTS = ['Relu', 'Clip', 'HardSigmoid', 'HardSwish', 'SiLU', 'HardSwishDecomposed', 'BatchNorm+Add+Relu'] as const;

/** One Conv (+ bias) followed by each activation, written as exporters do: one branch per activation. */
function convActs(): Graph {
  const b = new GraphBuilder('conv_activations');
  const x = b.input('x', 'float32', [1, 4, 8, 8]);
  ACTS.forEach((act, i) => {
    const conv = b.op(
      'Conv',
      [x, b.constant(`w${i}`, weight([6, 4, 3, 3], 1 + i)), b.constant(`b${i}`, weight([6], 20 + i))],
      { pads: [1, 1, 1, 1] },
      `conv${i}`,
    );
    let y: ReturnType<GraphBuilder['op']>;
    if (act === 'Relu') y = b.op('Relu', [conv], {}, `relu${i}`);
    else if (act === 'Clip')
      y = b.op('Clip', [conv, b.constant('lo', makeTensor('float32', [], [0])), b.constant('hi', makeTensor('float32', [], [6]))], {}, `clip${i}`);
    else if (act === 'HardSigmoid') y = b.op('HardSigmoid', [conv], { alpha: 0.2, beta: 0.5 }, `hardsigmoid${i}`);
    else if (act === 'HardSwish') y = b.op('HardSwish', [conv], {}, `hardswish${i}`);
    else if (act === 'SiLU') y = b.op('Mul', [conv, b.op('Sigmoid', [conv], {}, `sigmoid${i}`)], {}, `silu${i}`);
    else if (act === 'HardSwishDecomposed') y = b.op('Mul', [b.op('HardSigmoid', [conv], { alpha: 1 / 6, beta: 0.5 }, `hsig${i}`), conv], {}, `hswish${i}`);
    else {
      // ResNet tail: BatchNorm (folded into the conv by fold-batchnorm), residual Add, Relu.
      const c = (name: string, lo: number) =>
        b.constant(
          name,
          makeTensor(
            'float32',
            [6],
            randomFloats(6, name.length, 0.5).map((v) => v + lo),
          ),
        );
      const bn = b.op('BatchNormalization', [conv, c('scale', 1), c('shift', 0), c('mean', 0), c('var', 1)], { epsilon: 1e-5 }, `bn${i}`);
      y = b.op('Relu', [b.op('Add', [bn, b.input('skip', 'float32', [1, 6, 8, 8])], {}, `residual${i}`)], {}, `relu${i}`);
    }
    b.output(y);
  });
  return b.build();
}

describe('Conv + bias + activation as one kernel', () => {
  it(`${ACTS.join(', ')}: one kernel each (IR before and after the passes), bits equal to the unfused kernels`, async () => {
    const before = convActs();
    await expect(graphText(before)).toMatchFileSnapshot('./passes/fuse-elementwise/conv_activations.before.ir');
    const fused = await checkBits(convActs, 3);
    const unfused = await checkBits(convActs, 3, { disablePasses: ['fuse-elementwise'] });
    await expect(graphText(fused.graph)).toMatchFileSnapshot('./passes/fuse-elementwise/conv_activations.after.ir');
    // One window kernel per activation; unfused, every activation is at least one more kernel.
    expect(fused.schedule.kernels.map((k) => k.plan.kind)).toEqual(ACTS.map(() => 'window'));
    expect(fused.schedule.kernels.every((k) => (k.plan as WindowPlan).gemm !== undefined)).toBe(true);
    expect(unfused.schedule.kernels.length).toBeGreaterThanOrEqual(2 * ACTS.length);
    const feeds = feedsFor(before, 3);
    const a = await (await Volta.compile(convActs(), { cacheDir })).run(feeds);
    const b = await (await Volta.compile(convActs(), { cacheDir, disablePasses: ['fuse-elementwise'] })).run(feeds);
    for (const name of Object.keys(a)) expect(sameBits(a[name].data, b[name].data), name).toBe(true);
  });
});
