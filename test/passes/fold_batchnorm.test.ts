// fold-batchnorm: inference BatchNormalization (decomposed at import into per-channel
// Sub, Div, Mul, Add) folded into the Conv / Gemm weights before it. Before/after IR
// is kept in test/passes/fold-batchnorm/; the folded model is compared with the
// unfolded one and with onnxruntime (which folds BN too), within a stated tolerance:
// the fold moves the per-channel division and scale before the sum, so bits differ.
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../compiler/ir/graph.ts';
import { makeTensor } from '../../compiler/ir/tensor.ts';
import { graphText } from '../../compiler/ir/text.ts';
import { OnnxWriter } from '../../compiler/onnx/writer.ts';
import { GraphBuilder } from '../../compiler/ops/builder.ts';
import { canonicalize } from '../../compiler/passes/canonicalize.ts';
import { eliminateDeadCode } from '../../compiler/passes/eliminate_dead_code.ts';
import { foldBatchnorm } from '../../compiler/passes/fold_batchnorm.ts';
import { foldConstants } from '../../compiler/passes/fold_constants.ts';
import type { Pass } from '../../compiler/passes/pass.ts';
import { Tensor, Volta } from '../../runtime/index.ts';
import { randomFloats } from '../helpers/models.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? '.volta-cache';
const f32 = (shape: number[], seed: number, scale = 1, offset = 0) =>
  makeTensor(
    'float32',
    shape,
    Array.from(
      randomFloats(
        shape.reduce((a, b) => a * b, 1),
        seed,
        scale,
      ),
      (v) => v + offset,
    ),
  );

function run(passes: Pass[], g: Graph): { g: Graph; rules: string[] } {
  const rules: string[] = [];
  let out = g;
  for (const p of passes) out = p.run(out, (rule, node) => rules.push(`${rule}@${node}`));
  return { g: out, rules };
}
const before = (g: Graph) => run([canonicalize, foldConstants], g).g;

/** Conv (no bias) -> BatchNormalization -> Relu, as GraphBuilder (like import) decomposes it. */
function convBn(opts: { extraUse?: boolean; bias?: boolean } = {}): Graph {
  const b = new GraphBuilder('conv_bn');
  const x = b.input('x', 'float32', [1, 2, 4, 4]);
  const w = b.constant('w', f32([3, 2, 3, 3], 1, 0.5));
  const conv = b.op('Conv', [x, w, opts.bias ? b.constant('cb', f32([3], 9)) : undefined], { pads: [1, 1, 1, 1] }, 'conv');
  const [scale, bias, mean] = [2, 3, 4].map((s) => b.constant(`bn${s}`, f32([3], s)));
  const variance = b.constant('var', f32([3], 5, 0.5, 1));
  const bn = b.op('BatchNormalization', [conv, scale, bias, mean, variance], { epsilon: 1e-3 }, 'bn');
  b.output(b.op('Relu', [bn], {}, 'relu'));
  if (opts.extraUse) b.output(b.op('Neg', [conv], {}, 'other'));
  return b.build();
}

describe('fold-batchnorm', () => {
  it('folds the four BN steps into the conv weights and a new bias', async () => {
    const g0 = before(convBn());
    await expect(graphText(g0)).toMatchFileSnapshot('./fold-batchnorm/conv_bn.before.ir');
    const { g, rules } = run([foldBatchnorm, eliminateDeadCode], g0);
    expect(rules.filter((r) => r.startsWith('fold-into-conv'))).toHaveLength(4);
    expect(g.nodes.map((n) => n.op)).toEqual(['Conv', 'Relu']);
    expect(g.nodes[0].inputs[2]).not.toBe('');
    await expect(graphText(g)).toMatchFileSnapshot('./fold-batchnorm/conv_bn.after.ir');
  });

  it("the folded weights follow the graph's own steps: W / sqrt(var + eps) * scale, rounded per step", () => {
    const g0 = before(convBn({ bias: true }));
    const { g } = run([foldBatchnorm], g0);
    const conv = g.nodes.find((n) => n.op === 'Conv')!;
    const w = g.value(conv.inputs[1]).data!.data as Float32Array;
    const bias = g.value(conv.inputs[2]).data!.data as Float32Array;
    const [W, cb, scale, shift, mean, variance] = [f32([3, 2, 3, 3], 1, 0.5), f32([3], 9), f32([3], 2), f32([3], 3), f32([3], 4), f32([3], 5, 0.5, 1)].map(
      (t) => t.data as Float32Array,
    );
    const fr = Math.fround;
    const std = (m: number) => fr(Math.sqrt(fr(variance[m] + fr(1e-3))));
    for (let i = 0; i < w.length; i++) {
      const m = Math.floor(i / 18);
      expect(w[i]).toBe(fr(fr(W[i] / std(m)) * scale[m]));
    }
    for (let m = 0; m < 3; m++) expect(bias[m]).toBe(fr(fr(fr(fr(cb[m] - mean[m]) / std(m)) * scale[m]) + shift[m]));
  });

  it('leaves it alone when the conv output has another use, is a graph output, or the weights are run-time', () => {
    expect(run([foldBatchnorm], before(convBn({ extraUse: true }))).rules).toEqual([]);
    const b = new GraphBuilder('runtime_w');
    const x = b.input('x', 'float32', [1, 2, 4, 4]);
    const y = b.op('Conv', [x, b.input('w', 'float32', [3, 2, 1, 1])]);
    b.output(b.op('Mul', [y, b.constant('s', f32([3, 1, 1], 1))]));
    expect(run([foldBatchnorm], before(b.build())).rules).toEqual([]);
    const c = new GraphBuilder('out');
    const x2 = c.input('x', 'float32', [1, 2, 4, 4]);
    const y2 = c.op('Conv', [x2, c.constant('w', f32([3, 2, 1, 1], 2))]);
    c.output(y2);
    c.output(c.op('Mul', [y2, c.constant('s', f32([3, 1, 1], 1))]));
    expect(run([foldBatchnorm], before(c.build())).rules).toEqual([]);
  });

  it('leaves it alone for a constant that varies across space, c - z, or c / z', () => {
    for (const [op, swap, shape] of [
      ['Mul', false, [3, 4, 4]],
      ['Sub', true, [3, 1, 1]],
      ['Div', true, [3, 1, 1]],
    ] as const) {
      const b = new GraphBuilder('no');
      const y = b.op('Conv', [b.input('x', 'float32', [1, 2, 4, 4]), b.constant('w', f32([3, 2, 1, 1], 2))]);
      const k = b.constant('k', f32([...shape], 3));
      b.output(b.op(op, swap ? [k, y] : [y, k]));
      expect(run([foldBatchnorm], before(b.build())).rules, op).toEqual([]);
    }
  });

  it('folds a per-column affine step into a Gemm (transB, alpha, C of [M, N] and [N])', () => {
    for (const cShape of [[4], [2, 4], [2, 1]]) {
      const b = new GraphBuilder('gemm');
      const x = b.input('x', 'float32', [2, 3]);
      const y = b.op('Gemm', [x, b.constant('w', f32([4, 3], 1)), b.constant('c', f32(cShape, 2))], { transB: 1, alpha: 0.5 });
      b.output(b.op('Add', [b.op('Mul', [y, b.constant('s', f32([4], 3))]), b.constant('t', f32([1, 4], 4))]));
      const { g, rules } = run([foldBatchnorm, eliminateDeadCode], before(b.build()));
      expect(
        rules.filter((r) => r.startsWith('fold-into-gemm')),
        String(cShape),
      ).toHaveLength(2);
      expect(g.nodes.map((n) => n.op)).toEqual(['Gemm']);
    }
  });
});

describe('fold-batchnorm against onnxruntime and the unfolded graph', () => {
  // Conv -> BN -> Relu -> Conv(depthwise) -> BN -> ConvTranspose(groups) -> BN -> Conv -> Flatten -> Gemm -> BN(1-D): trained-looking
  // statistics (means away from 0, variances 0.5..1.5).
  function model(): Uint8Array {
    const w = new OnnxWriter('bn_net', 15);
    const x = w.input('x', 'float32', [2, 3, 8, 8]);
    const init = (name: string, shape: number[], seed: number, scale = 1, offset = 0) => w.initializer(name, f32(shape, seed, scale, offset));
    const bn = (v: string, c: number, seed: number) =>
      w.op(
        'BatchNormalization',
        [v, init(`s${seed}`, [c], seed, 0.5, 1), init(`b${seed}`, [c], seed + 1), init(`m${seed}`, [c], seed + 2), init(`v${seed}`, [c], seed + 3, 0.5, 1)],
        {
          epsilon: 1e-5,
        },
      );
    const c1 = w.op('Conv', [x, init('w1', [8, 3, 3, 3], 10, 0.3), init('cb1', [8], 11, 0.1)], { pads: [1, 1, 1, 1] });
    const r1 = w.op('Relu', [bn(c1, 8, 20)]);
    const c2 = w.op('Conv', [r1, init('w2', [8, 1, 3, 3], 12, 0.3)], { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] });
    // ConvTranspose with 2 groups: W is [C, M / group, k, k], BN over its 6 output channels.
    const up = w.op('ConvTranspose', [w.op('Relu', [bn(c2, 8, 30)]), init('w4', [8, 3, 2, 2], 15, 0.3)], { group: 2, strides: [2, 2] });
    const c5 = w.op('Conv', [w.op('Relu', [bn(up, 6, 50)]), init('w5', [8, 6, 2, 2], 16, 0.3)], { strides: [2, 2] });
    const f = w.op('Flatten', [c5]);
    const fc = w.op('Gemm', [f, init('w3', [10, 128], 13, 0.1), init('b3', [10], 14)], { transB: 1 });
    w.output(bn(fc, 10, 40), 'float32', [2, 10]);
    return w.bytes();
  }

  it('folds all four and stays within max|v-o| / max|o| <= 1e-5 of both', async () => {
    const bytes = model();
    const xs = randomFloats(2 * 3 * 64, 50);
    const c = Volta.compileOnly(bytes);
    expect(c.snapshots.find((s) => s.pass === 'fold-batchnorm')!.rewrites).toHaveLength(16);
    expect(c.graph.nodes.map((n) => n.op)).toEqual(['Conv', 'Relu', 'Conv', 'Relu', 'ConvTranspose', 'Relu', 'Conv', 'Flatten', 'Gemm']);
    const folded = await Volta.compile(bytes, { cacheDir });
    const unfolded = await Volta.compile(bytes, { cacheDir, disablePasses: ['fold-batchnorm'] });
    const feed = { x: new Tensor('float32', xs, [2, 3, 8, 8]) };
    const a = Object.values(await folded.run(feed))[0].data as Float32Array;
    const u = Object.values(await unfolded.run(feed))[0].data as Float32Array;
    const o = Object.values(await (await ort.InferenceSession.create(bytes)).run({ x: new ort.Tensor('float32', xs, [2, 3, 8, 8]) }))[0].data as Float32Array;
    const rel = (p: Float32Array, q: Float32Array) =>
      p.reduce((m, v, i) => Math.max(m, Math.abs(v - q[i])), 0) / q.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    console.log(`fold-batchnorm: folded vs onnxruntime ${rel(a, o).toExponential(2)}, folded vs unfolded ${rel(a, u).toExponential(2)}`);
    expect(rel(a, o)).toBeLessThanOrEqual(1e-5);
    expect(rel(a, u)).toBeLessThanOrEqual(1e-5);
    expect(rel(u, o)).toBeLessThanOrEqual(1e-5);
  });
});
