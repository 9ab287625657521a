// Gradcheck for every differentiable op: Volta's compiled float32 gradients against float64
// central differences (test/helpers/gradcheck.ts has the method and the tolerances), as
// fast-check properties over random shapes, broadcast patterns, axes and attributes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { differentiate } from '../compiler/autograd/differentiate.ts';
import type { Value } from '../compiler/ir/graph.ts';
import { OPS } from '../compiler/ops/registry.ts';
import { GraphBuilder, makeTensor, type VoltaError } from '../runtime/index.ts';
import { compiledGrads, type GradCase, type GradInput, gradcheck } from './helpers/gradcheck.ts';

const covered = new Set<string>();
const dim = fc.integer({ min: 1, max: 4 });
const shapeArb = (min: number, max: number) => fc.array(dim, { minLength: min, maxLength: max });
const i64 = (xs: readonly number[]) => makeTensor('int64', [xs.length], xs);
let constants = 0;
const konst = (b: GraphBuilder, t: ReturnType<typeof makeTensor>) => b.constant(`c${constants++}`, t);

/** A shape and another that broadcasts against it (leading dims dropped, some dims 1), in either order. */
const broadcastPair = shapeArb(0, 3).chain((s) =>
  fc
    .tuple(fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: s.length }), fc.boolean())
    .map(([ones, drop, swap]) => {
      const t = s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
      return swap ? [t, s] : [s, t];
    }),
);

function check<P>(ops: string | string[], name: string, arb: fc.Arbitrary<P>, make: (p: P) => GradCase, runs = 5): void {
  for (const op of Array.isArray(ops) ? ops : [ops]) covered.add(op);
  it(name, () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 2 ** 30 }), (p, seed) => {
        const rep = gradcheck(make(p), seed);
        expect(rep.worst, `params ${JSON.stringify(p)}: ${JSON.stringify(rep.worst)}`).toBeUndefined();
        expect(rep.checked).toBeGreaterThan(0);
      }),
      { numRuns: runs },
    );
  });
}

const unary = (op: string, attrs: Record<string, number | string> = {}, gen: GradInput['gen'] = 'any') =>
  check(op, `${op}${Object.keys(attrs).length ? ` ${JSON.stringify(attrs)}` : ''}`, shapeArb(0, 3), (s) => ({
    inputs: [{ shape: s, gen }],
    build: (b, [x]) => b.op(op, [x], attrs),
  }));

describe('gradcheck: elementwise', () => {
  for (const op of ['Neg', 'Abs', 'Exp', 'Sigmoid', 'Tanh', 'Relu', 'Floor', 'Ceil', 'Erf', 'Sign', 'Softplus', 'HardSwish', 'Identity']) unary(op);
  for (const op of ['Log', 'Sqrt', 'Reciprocal']) unary(op, {}, 'positive');
  unary('LeakyRelu', { alpha: 0.15 });
  unary('Elu', { alpha: 0.7 });
  unary('Selu');
  unary('Celu', { alpha: 0.6 });
  unary('Mish');
  unary('Shrink', { lambd: 0.3, bias: 0.1 });
  unary('ThresholdedRelu', { alpha: 0.2 });
  check('Mod', 'Mod fmod=1 (A; B constant)', shapeArb(0, 3), (s) => ({
    inputs: [{ shape: s }],
    build: (b, [x]) => b.op('Mod', [x, konst(b, makeTensor('float32', [], [10]))], { fmod: 1 }),
  }));
  // Kinks at x = -beta / alpha and (1 - beta) / alpha (-0.8, 1.2): multiples of 0.1, which inputs keep away from.
  unary('HardSigmoid', { alpha: 0.5, beta: 0.4 });
  unary('Gelu');
  unary('Gelu', { approximate: 'tanh' });
  unary('Cast', { to: 1 });
  unary('Dropout');
  check('CastLike', 'CastLike to float32', shapeArb(0, 3), (s) => ({
    inputs: [{ shape: s }],
    build: (b, [x]) => b.op('CastLike', [x, konst(b, makeTensor('float32', [], [0]))]),
  }));
  check('Clip', 'Clip with constant bounds', shapeArb(0, 3), (s) => ({
    inputs: [{ shape: s }],
    build: (b, [x]) => b.op('Clip', [x, konst(b, makeTensor('float32', [], [-0.5])), konst(b, makeTensor('float32', [], [0.7]))]),
  }));
  for (const op of ['Add', 'Sub', 'Mul']) {
    check(op, `${op} broadcasting`, broadcastPair, ([s, t]) => ({ inputs: [{ shape: s }, { shape: t }], build: (b, [x, y]) => b.op(op, [x, y]) }));
  }
  check('Div', 'Div broadcasting', broadcastPair, ([s, t]) => ({
    inputs: [{ shape: s }, { shape: t, gen: 'positive' }],
    build: (b, [x, y]) => b.op('Div', [x, y]),
  }));
  check('Pow', 'Pow broadcasting (float exponent)', broadcastPair, ([s, t]) => ({
    inputs: [{ shape: s, gen: 'positive' }, { shape: t }],
    build: (b, [x, y]) => b.op('Pow', [x, y]),
  }));
  check('Where', 'Where broadcasting', broadcastPair, ([s, t]) => ({
    inputs: [{ shape: s }, { shape: t }],
    build: (b, [x, y]) => b.op('Where', [b.op('Greater', [x, y]), x, y]),
  }));
  check('PRelu', 'PRelu with a broadcast slope', broadcastPair, ([s, t]) => {
    const [big, small] = s.length >= t.length && s.every((d, i) => d >= (t[i - (s.length - t.length)] ?? 1)) ? [s, t] : [t, s];
    return { inputs: [{ shape: big }, { shape: small }], build: (b, [x, y]) => b.op('PRelu', [x, y]) };
  });
  check('Expand', 'Expand', broadcastPair, ([s, t]) => ({
    inputs: [{ shape: s }],
    build: (b, [x]) => b.op('Expand', [x, konst(b, i64(t))]),
  }));
  for (const op of ['Sum', 'Mean', 'Max', 'Min']) {
    check(op, `${op} of three broadcasting inputs`, broadcastPair, ([s, t]) => ({
      inputs: [
        { shape: s, gen: 'distinct' },
        { shape: t, gen: 'distinct' },
        { shape: s, gen: 'distinct' },
      ],
      build: (b, xs) => b.op(op, xs),
    }));
  }
});

/** A shape with a sorted, distinct subset of its axes. */
const shapeAxes = shapeArb(1, 3).chain((s) =>
  fc.tuple(fc.constant(s), fc.subarray([...s.keys()], { minLength: 1 }), fc.boolean()).map(([sh, axes, keep]) => ({ s: sh, axes, keep })),
);

describe('gradcheck: reductions', () => {
  for (const [op, gen] of [
    ['ReduceSum', 'any'],
    ['ReduceMean', 'any'],
    ['ReduceMax', 'distinct'],
    ['ReduceMin', 'distinct'],
    ['ReduceL2', 'any'],
    ['ReduceLogSumExp', 'any'],
  ] as const) {
    check(op, `${op} over random axes`, shapeAxes, ({ s, axes, keep }) => ({
      inputs: [{ shape: s, gen }],
      build: (b, [x]) => b.op(op, [x, konst(b, i64(axes))], { keepdims: keep ? 1 : 0 }),
    }));
  }
  check([], 'ReduceSum with axes as an attribute (opset 11)', shapeAxes, ({ s, axes, keep }) => ({
    opset: 11,
    inputs: [{ shape: s }],
    build: (b, [x]) => b.op('ReduceSum', [x], { axes, keepdims: keep ? 1 : 0 }),
  }));
  check(
    ['Softmax', 'LogSoftmax'],
    'Softmax and LogSoftmax over a random axis',
    shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }))),
    ([s, axis]) => ({
      inputs: [{ shape: s }],
      build: (b, [x]) => b.op('Add', [b.op('Softmax', [x], { axis }), b.op('LogSoftmax', [x], { axis })]),
    }),
  );
  check(
    [],
    'Softmax and LogSoftmax with opset 11 (flattened) semantics',
    shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }))),
    ([s, axis]) => ({
      opset: 11,
      inputs: [{ shape: s }],
      build: (b, [x]) => b.op('Mul', [b.op('Softmax', [x], { axis }), b.op('LogSoftmax', [x], { axis })]),
    }),
  );
});

describe('gradcheck: matrix products', () => {
  const mm = fc.record({ batch: shapeArb(0, 2), m: dim, k: dim, n: dim, aVec: fc.boolean(), bVec: fc.boolean(), bcast: fc.boolean() });
  check('MatMul', 'MatMul with vectors and broadcast batch dims', mm, (p) => {
    const aBatch = p.bcast ? p.batch.map(() => 1) : p.batch;
    const a = p.aVec ? [p.k] : [...aBatch, p.m, p.k];
    const bm = p.bVec ? [p.k] : [...p.batch.slice(p.bcast ? 0 : 1), p.k, p.n];
    return { inputs: [{ shape: a }, { shape: bm }], build: (b, [x, y]) => b.op('MatMul', [x, y]) };
  });
  const gemm = fc.record({
    m: dim,
    k: dim,
    n: dim,
    transA: fc.integer({ min: 0, max: 1 }),
    transB: fc.integer({ min: 0, max: 1 }),
    c: fc.constantFrom('none', 'full', 'row', 'col', 'scalar'),
    alpha: fc.constantFrom(1, 0.5, -1.5),
    beta: fc.constantFrom(1, 0.25),
  });
  for (const opset of [13, 9]) {
    check('Gemm', `Gemm with transposes, alpha, beta and broadcast C (opset ${opset})`, gemm, (p) => {
      const cShape = { none: undefined, full: [p.m, p.n], row: [p.n], col: [p.m, 1], scalar: [] }[p.c];
      const c = opset < 11 && cShape === undefined ? [p.n] : cShape;
      return {
        opset,
        inputs: [{ shape: p.transA ? [p.k, p.m] : [p.m, p.k] }, { shape: p.transB ? [p.n, p.k] : [p.k, p.n] }, ...(c ? [{ shape: c }] : [])],
        build: (b, xs) => b.op('Gemm', xs, { transA: p.transA, transB: p.transB, alpha: p.alpha, beta: p.beta }),
      };
    });
  }
});

describe('gradcheck: data movement', () => {
  const reshape = (b: GraphBuilder, x: Value, s: readonly number[]) => b.op('Reshape', [x, konst(b, i64(s))]);
  check('Reshape', 'Reshape', shapeArb(1, 3), (s) => ({ inputs: [{ shape: s }], build: (b, [x]) => b.op('Tanh', [reshape(b, x, [...s].reverse())]) }));
  check(
    'Flatten',
    'Flatten',
    shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length }))),
    ([s, axis]) => ({
      inputs: [{ shape: s }],
      build: (b, [x]) => b.op('Flatten', [x], { axis }),
    }),
  );
  check(['Squeeze', 'Unsqueeze'], 'Unsqueeze then Squeeze', shapeArb(1, 3), (s) => ({
    inputs: [{ shape: s }],
    build: (b, [x]) =>
      b.op('Mul', [
        b.op('Squeeze', [b.op('Unsqueeze', [x, konst(b, i64([0, -1]))]), konst(b, i64([0, -1]))]),
        b.op('Exp', [b.op('Squeeze', [b.op('Unsqueeze', [x, konst(b, i64([0]))]), konst(b, i64([0]))])]),
      ]),
  }));
  check(
    'Transpose',
    'Transpose with a random permutation',
    shapeArb(1, 4).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }))),
    ([s, perm]) => ({
      inputs: [{ shape: s }],
      build: (b, [x]) => b.op('Transpose', [x], { perm }),
    }),
  );
  check(
    'Concat',
    'Concat of three inputs on a random axis',
    shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), dim, dim)),
    ([s, axis, d1, d2]) => {
      const at = (d: number) => s.map((v, i) => (i === axis ? d : v));
      return { inputs: [{ shape: s }, { shape: at(d1) }, { shape: at(d2) }], build: (b, xs) => b.op('Concat', xs, { axis }) };
    },
  );
  const slice = shapeArb(1, 3).chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -5, max: 5 }), fc.constantFrom(1, 1, 2, -1, -2)), {
        minLength: s.length,
        maxLength: s.length,
      }),
    ),
  );
  check('Slice', 'Slice with negative and non-unit steps', slice, ([s, spec]) => ({
    inputs: [{ shape: s }],
    build: (b, [x]) =>
      b.op('Slice', [
        x,
        konst(b, i64(spec.map((t) => t[0]))),
        konst(b, i64(spec.map((t) => t[1]))),
        konst(b, i64(s.map((_, i) => i))),
        konst(b, i64(spec.map((t) => t[2]))),
      ]),
  }));
  check([], 'Slice (opset 9 attributes)', shapeArb(1, 3), (s) => ({
    opset: 9,
    inputs: [{ shape: s }],
    build: (b, [x]) => b.op('Slice', [x], { starts: s.map(() => 0), ends: s.map((d) => Math.max(1, d - 1)), axes: s.map((_, i) => i) }),
  }));
  const pad = shapeArb(1, 3).chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.constantFrom('constant', 'edge', 'reflect', 'wrap'),
      fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 2 * s.length, maxLength: 2 * s.length }),
    ),
  );
  check('Pad', 'Pad in every mode, some pads negative', pad, ([s, mode, pads]) => {
    const r = s.length;
    const p = pads.map((v, i) => (s[i % r] + pads[i % r] + pads[(i % r) + r] < 1 ? 0 : v));
    return { inputs: [{ shape: s }], build: (b, [x]) => b.op('Pad', [x, konst(b, i64(p)), konst(b, makeTensor('float32', [], [0.5]))], { mode }) };
  });
  check(
    'Gather',
    'Gather with repeated and negative indices on a random axis',
    shapeArb(1, 3).chain((s) =>
      fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: -4, max: 3 }), { minLength: 1, maxLength: 5 })),
    ),
    ([s, axis, raw]) => {
      const idx = raw.map((v) => ((v % s[axis]) + s[axis]) % s[axis]).map((v, i) => (i % 2 ? v - s[axis] : v));
      return { inputs: [{ shape: s }], build: (b, [x]) => b.op('Gather', [x, konst(b, makeTensor('int64', [idx.length], idx))], { axis }) };
    },
  );
  check(
    'CumSum',
    'CumSum on a random axis, exclusive x reverse',
    shapeArb(1, 3).chain((s) =>
      fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
    ),
    ([s, axis, exclusive, reverse]) => ({
      inputs: [{ shape: s }],
      build: (b, [x]) => b.op('CumSum', [x, konst(b, makeTensor('int64', [], [axis]))], { exclusive, reverse }),
    }),
  );
  // Decomposed onto Gather: the data gradient is Gather's scatter-add (repeated indices add up, in index order).
  check('GatherElements', 'GatherElements with repeated and negative indices', fc.integer({ min: 0, max: 1 }), (axis) => {
    const idx = axis === 0 ? [0, -1, 2, 0, 1, -3, 2, 2] : [3, -1, 0, 0, -4, 2, 1, 1];
    return { inputs: [{ shape: [3, 4] }], build: (b, [x]) => b.op('GatherElements', [x, konst(b, makeTensor('int64', [2, 4], idx))], { axis }) };
  });
  check('GatherND', 'GatherND with repeated and negative tuples, batch_dims 0 and 1', fc.integer({ min: 0, max: 1 }), (batch_dims) => {
    const idx = batch_dims === 0 ? [0, 1, -1, 3, 0, 1, 2, -4] : [1, 3, -2, 1, 0, 0, 1, 1];
    return {
      inputs: [{ shape: batch_dims === 0 ? [3, 4, 2] : [2, 3, 4] }],
      build: (b, [x]) => b.op('GatherND', [x, konst(b, makeTensor('int64', [2, 2, 2], idx))], { batch_dims }),
    };
  });
});

describe('gradcheck: windows', () => {
  const conv = fc.record({
    rank: fc.integer({ min: 1, max: 2 }),
    n: fc.integer({ min: 1, max: 2 }),
    group: fc.integer({ min: 1, max: 2 }),
    cPer: fc.integer({ min: 1, max: 2 }),
    mPer: fc.integer({ min: 1, max: 2 }),
    size: fc.integer({ min: 3, max: 5 }),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    pad: fc.integer({ min: 0, max: 2 }),
    bias: fc.boolean(),
  });
  check('Conv', 'Conv with groups, strides, dilations, pads and bias (1-D and 2-D)', conv, (p) => {
    const sp = Array(p.rank).fill(p.size);
    const ks = Array(p.rank).fill(p.k);
    const [c, m] = [p.group * p.cPer, p.group * p.mPer];
    return {
      inputs: [{ shape: [p.n, c, ...sp] }, { shape: [m, p.cPer, ...ks] }, ...(p.bias ? [{ shape: [m] }] : [])],
      build: (b, xs) =>
        b.op('Conv', xs, {
          group: p.group,
          strides: Array(p.rank).fill(p.stride),
          dilations: Array(p.rank).fill(p.dilation),
          pads: Array(2 * p.rank).fill(p.pad),
        }),
    };
  });
  const pool = fc.record({
    rank: fc.integer({ min: 1, max: 2 }),
    size: fc.integer({ min: 2, max: 5 }),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    pad: fc.integer({ min: 0, max: 1 }),
    ceil: fc.integer({ min: 0, max: 1 }),
    includePad: fc.integer({ min: 0, max: 1 }),
  });
  const poolAttrs = (p: { rank: number; k: number; stride: number; dilation: number; pad: number; ceil: number }) => ({
    kernel_shape: Array(p.rank).fill(p.k),
    strides: Array(p.rank).fill(p.stride),
    dilations: Array(p.rank).fill(p.dilation),
    pads: Array(2 * p.rank).fill(Math.min(p.pad, Math.floor(p.k / 2))),
    ceil_mode: p.ceil,
  });
  check('MaxPool', 'MaxPool with strides, dilations, pads and ceil_mode', pool, (p) => ({
    inputs: [{ shape: [2, 2, ...Array(p.rank).fill(p.size)], gen: 'distinct' }],
    build: (b, [x]) => b.op('MaxPool', [x], poolAttrs(p)),
  }));
  check('AveragePool', 'AveragePool with pads, ceil_mode and count_include_pad', pool, (p) => ({
    inputs: [{ shape: [2, 2, ...Array(p.rank).fill(p.size)] }],
    build: (b, [x]) => b.op('AveragePool', [x], { ...poolAttrs(p), dilations: Array(p.rank).fill(1), count_include_pad: p.includePad }),
  }));
  check(['GlobalAveragePool', 'GlobalMaxPool'], 'GlobalAveragePool and GlobalMaxPool (decomposed)', shapeArb(3, 4), (s) => ({
    inputs: [{ shape: s, gen: 'distinct' }],
    build: (b, [x]) => b.op('Add', [b.op('GlobalAveragePool', [x]), b.op('GlobalMaxPool', [x])]),
  }));
});

describe('gradcheck: ops for exported models, through their decompositions', () => {
  const fixed = (name: string, shapes: number[][], build: GradCase['build'], gen?: GradInput['gen']) =>
    check([], name, fc.constant(0), () => ({ inputs: shapes.map((shape) => ({ shape, gen })), build }));
  fixed('Split by a split input', [[2, 3]], (b, [x]) => {
    const [p0, p1] = b.ops('Split', [x, konst(b, i64([1, 2]))], { axis: 1 });
    return b.op('Add', [b.op('Mul', [p1, p1]), p0]);
  });
  fixed('Tile', [[2, 3]], (b, [x]) => {
    const t = b.op('Tile', [x, konst(b, i64([2, 1]))]);
    return b.op('Mul', [t, t]);
  });
  fixed('DepthToSpace CRD, SpaceToDepth', [[1, 4, 2, 4]], (b, [x]) => {
    const d = b.op('DepthToSpace', [x], { blocksize: 2, mode: 'CRD' });
    return b.op('Mul', [b.op('SpaceToDepth', [b.op('Mul', [d, d])], { blocksize: 2 }), x]);
  });
  fixed('Trilu', [[3, 4]], (b, [x]) => b.op('Mul', [b.op('Trilu', [x, konst(b, makeTensor('int64', [], [1]))], { upper: 0 }), x]));
  fixed(
    'Einsum batched matmul and a sum',
    [
      [2, 3, 4],
      [2, 4, 2],
    ],
    (b, [x, y]) => b.op('Einsum', [b.op('Einsum', [x, y], { equation: 'bij,bjk->bik' })], { equation: 'bik->ki' }),
  );
  fixed('GroupNormalization (opset 21 scale)', [[2, 4, 3], [4], [4]], (b, xs) => b.op('GroupNormalization', xs, { num_groups: 2, epsilon: 1e-2 }));
  fixed(
    'LpNormalization p=2, GlobalLpPool p=2',
    [[2, 3, 4]],
    (b, [x]) => b.op('Mul', [b.op('LpNormalization', [x], { axis: 1 }), b.op('GlobalLpPool', [x])]),
    'positive',
  );
});

describe('gradcheck: normalisations (decomposed)', () => {
  check(
    'LayerNormalization',
    'LayerNormalization over a random axis, with and without bias',
    shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.boolean())),
    ([s, axis, bias]) => ({
      inputs: [{ shape: s }, { shape: s.slice(axis) }, ...(bias ? [{ shape: s.slice(axis) }] : [])],
      build: (b, xs) => b.op('LayerNormalization', xs, { axis, epsilon: 1e-3 }),
    }),
  );
  check('InstanceNormalization', 'InstanceNormalization', shapeArb(3, 4), (s) => ({
    inputs: [{ shape: s }, { shape: [s[1]] }, { shape: [s[1]] }],
    build: (b, xs) => b.op('InstanceNormalization', xs, { epsilon: 1e-2 }),
  }));
  check('BatchNormalization', 'BatchNormalization in inference mode', shapeArb(2, 4), (s) => ({
    inputs: [{ shape: s }, { shape: [s[1]] }, { shape: [s[1]] }, { shape: [s[1]] }, { shape: [s[1]], gen: 'positive' }],
    build: (b, xs) => b.op('BatchNormalization', xs),
  }));
  check([], 'BatchNormalization in training mode: Y from batch statistics', shapeArb(2, 4), (s) => ({
    inputs: [{ shape: [Math.max(s[0], 2), ...s.slice(1)] }, { shape: [s[1]] }, { shape: [s[1]] }, { shape: [s[1]] }, { shape: [s[1]], gen: 'positive' }],
    build: (b, xs) => b.op('BatchNormalization', xs, { training_mode: 1, epsilon: 1e-2 }),
  }));
  check([], 'BatchNormalization in training mode: running statistics', shapeArb(2, 4), (s) => ({
    inputs: [{ shape: s }, { shape: [s[1]] }, { shape: [s[1]] }, { shape: [s[1]] }, { shape: [s[1]], gen: 'positive' }],
    build: (b, xs) => {
      const [, mean, variance] = b.ops('BatchNormalization', xs, { training_mode: 1, momentum: 0.8 });
      return b.op('Add', [mean, b.op('Mul', [variance, variance])]);
    },
  }));
  const sce = fc.record({
    n: dim,
    c: fc.integer({ min: 2, max: 5 }),
    extra: fc.array(dim, { maxLength: 1 }),
    reduction: fc.constantFrom('mean', 'sum', 'none'),
    ignore: fc.boolean(),
    weighted: fc.boolean(),
    labels: fc.array(fc.nat(4), { minLength: 16, maxLength: 16 }),
  });
  check([], 'SoftmaxCrossEntropyLoss (reductions, ignore_index, per-class weights, [N, C, d] scores)', sce, (p) => {
    const ls = [p.n, ...p.extra];
    const labels = Array.from({ length: ls.reduce((a, d) => a * d, 1) }, (_, i) => p.labels[i % 16] % p.c);
    return {
      inputs: [{ shape: [p.n, p.c, ...p.extra] }],
      build: (b, [x]) =>
        b.ops(
          'SoftmaxCrossEntropyLoss',
          [x, konst(b, makeTensor('int64', ls, labels)), ...(p.weighted ? [konst(b, makeTensor('float32', [p.c], [0.5, 2, 1.5, 0.25, 3].slice(0, p.c)))] : [])],
          {
            reduction: p.reduction,
            ...(p.ignore ? { ignore_index: 1 } : {}),
          },
        )[0],
    };
  });
  // Every label ignored with mean: the loss is 0/0 = NaN in float64 too; the gradient must be NaN, not 0.
  check(
    [],
    'SoftmaxCrossEntropyLoss mean with every label ignored: NaN loss, NaN gradient',
    fc.constant(0),
    () => ({
      inputs: [{ shape: [2, 3] }],
      build: (b, [x]) => b.ops('SoftmaxCrossEntropyLoss', [x, konst(b, makeTensor('int64', [2], [1, 1]))], { reduction: 'mean', ignore_index: 1 })[0],
    }),
    1,
  );
  check(
    'LRN',
    'LRN',
    shapeArb(3, 4).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 1, max: 3 }))),
    ([s, size]) => ({
      inputs: [{ shape: s }],
      build: (b, [x]) => b.op('LRN', [x], { size, alpha: 0.2, beta: 0.75, bias: 1.5 }),
    }),
  );
});

describe('gradient coverage', () => {
  it('every op with a gradient rule has a gradcheck case above', () => {
    const withRule = [...OPS.values()].filter((op) => op.grad !== undefined && op.onnx.domain === '').map((op) => op.name);
    expect(withRule.filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe('differentiation refuses what it cannot do', () => {
  const build = (f: (b: GraphBuilder, x: Value) => Value) => {
    const b = new GraphBuilder('nograd');
    const x = b.input('x', 'float32', [2, 3]);
    b.output(b.op('ReduceSum', [f(b, x)], { keepdims: 0 }));
    return b.build();
  };
  const errorOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as VoltaError;
    }
    throw new Error('no error');
  };
  it('an op without a gradient rule is VOLTA_E_NO_GRADIENT naming the op and node', () => {
    const g = build((b, x) => b.op('ReduceProd', [x, b.constant('axes', i64([1]))], {}, 'the_prod'));
    const e = errorOf(() => differentiate(g, g.outputs[0], g.inputs));
    expect(e.code).toBe('VOLTA_E_NO_GRADIENT');
    expect([e.op, e.node]).toEqual(['ReduceProd', 'the_prod']);
  });
  it('a needed input the rule gives no gradient for is VOLTA_E_NO_GRADIENT naming the input', () => {
    const g = build((b, x) =>
      b.op('Clip', [b.constant('one', makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6])), b.op('ReduceMin', [x], { keepdims: 0 })], {}, 'clip'),
    );
    const e = errorOf(() => differentiate(g, g.outputs[0], g.inputs));
    expect(e.code).toBe('VOLTA_E_NO_GRADIENT');
    expect(e.node).toBe('clip');
    expect(e.message).toContain('input min');
  });
  it('a value the loss does not depend on gets an exact zero gradient', () => {
    const b = new GraphBuilder('unused');
    const x = b.input('x', 'float32', [3]);
    const unused = b.input('u', 'float32', [2]);
    b.output(b.op('ReduceSum', [b.op('Mul', [x, x])], { keepdims: 0 }));
    const g = b.build();
    const [gx, gu] = compiledGrads(g, [Float32Array.from([1, -2, 3]), Float32Array.from([5, 6])]);
    expect(Array.from(gx)).toEqual([2, -4, 6]);
    expect(Array.from(gu)).toEqual([0, 0]);
    expect(unused.shape).toEqual([2]);
  });
  it('the loss must be a float32 scalar', () => {
    const b = new GraphBuilder('vector');
    const x = b.input('x', 'float32', [3]);
    b.output(b.op('Exp', [x]));
    const g = b.build();
    expect(errorOf(() => differentiate(g, g.outputs[0], g.inputs)).code).toBe('VOLTA_E_SHAPE');
  });
});
