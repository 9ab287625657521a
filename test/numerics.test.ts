// The numerics matrix (docs/governance/numerics.md): for each op class, the
// awkward values — ±0, ±Inf, NaN, the largest and smallest finite floats,
// denormals, integer extremes — give the documented results in every backend
// (the C addon, the TS reference interpreter, and the CUDA source executed on
// the CPU where that target exists). Expected values are written from IEEE 754
// and the documented rules, never read back from Volta.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DType } from '../compiler/ir/dtype.ts';
import type { Graph } from '../compiler/ir/graph.ts';
import { makeTensor, type TensorData } from '../compiler/ir/tensor.ts';
import { referenceRun } from '../compiler/reference.ts';
import { GraphBuilder, isVoltaError, Tensor, Volta } from '../runtime/index.ts';

const cacheDir = join(tmpdir(), 'volta-numerics-cache');
const MAX = 3.4028234663852886e38;
const MIN_NORMAL = 1.1754943508222875e-38;
const DENORM = 1.401298464324817e-45; // the smallest denormal
const INF = Number.POSITIVE_INFINITY;
const NAN = Number.NaN;

/** Backends that exist in this build: the C addon, the interpreter, and cuda-cpu if the target is known. */
const BACKENDS: string[] = ['c', 'interpreter'];
try {
  Volta.compileOnly(new GraphBuilder('probe').build(), { target: 'cuda-cpu' as never });
  BACKENDS.push('cuda-cpu');
} catch (e) {
  if (!isVoltaError(e, 'VOLTA_E_BAD_OPTION')) BACKENDS.push('cuda-cpu');
}

async function run(backend: string, g: () => Graph, inputs: TensorData[]): Promise<(number | bigint)[][]> {
  if (backend === 'interpreter') {
    return referenceRun(Volta.compileOnly(g()), inputs).map((t) => Array.from(t.data as ArrayLike<number | bigint>));
  }
  const s = await Volta.compile(g(), { cacheDir, target: backend as 'c' });
  const feeds = Object.fromEntries(inputs.map((t, i) => [s.inputNames[i], new Tensor(t.dtype, t.data, t.shape)]));
  const out = await s.run(feeds);
  return s.outputNames.map((n) => Array.from(out[n].data as ArrayLike<number | bigint>));
}

/** Same value, with NaN equal to NaN (payloads exempt) and -0 distinct from +0. */
function same(got: (number | bigint)[], want: (number | bigint)[]): boolean {
  return (
    got.length === want.length && got.every((g, i) => (typeof g === 'number' && Number.isNaN(g) ? Number.isNaN(want[i] as number) : Object.is(g, want[i])))
  );
}

const f32 = (xs: number[]) => makeTensor('float32', [xs.length], xs);

function elementwise(op: string, arity: 1 | 2, dtype: DType = 'float32'): () => Graph {
  return () => {
    const b = new GraphBuilder(`num_${op}`);
    const xs = Array.from({ length: arity }, (_, i) => b.input(`x${i}`, dtype, [PAIRS.length]));
    b.output(b.op(op, xs));
    return b.build();
  };
}

// Pairs for binary arithmetic: (a, b).
const PAIRS: [number, number][] = [
  [0, -0],
  [-0, -0],
  [INF, -INF],
  [INF, 0],
  [1, 0],
  [-1, 0],
  [0, 0],
  [NAN, 1],
  [MAX, MAX],
  [-MAX, MAX],
  [DENORM, 1],
  [MIN_NORMAL, 0.5],
  [DENORM, DENORM],
  [1, 3],
  [MAX, 2],
  [-0, 1],
];
const A = f32(PAIRS.map((p) => p[0]));
const B = f32(PAIRS.map((p) => p[1]));
// IEEE binary32 result of each op: binary64 arithmetic rounded once to binary32 is correctly rounded for + - * /.
const ieee = (f: (a: number, b: number) => number) => PAIRS.map(([a, b]) => Math.fround(f(Math.fround(a), Math.fround(b))));

// Unary inputs, padded with 1 to the graphs' length.
const UNARY_IN = [0, -0, INF, -INF, NAN, MAX, -MAX, DENORM, -DENORM, 1, -1, 100, -200, 1, 1, 1];
const U = f32(UNARY_IN);

describe('numerics matrix', () => {
  for (const backend of BACKENDS) {
    describe(backend, () => {
      it('[NUM-01] [NUM-02] [NUM-03] add, sub, mul, div are IEEE binary32: signed zeros, Inf - Inf = NaN, x / 0 = ±Inf, 0 / 0 = NaN, no flush of denormals', async () => {
        for (const [op, f] of [
          ['Add', (a: number, b: number) => a + b],
          ['Sub', (a: number, b: number) => a - b],
          ['Mul', (a: number, b: number) => a * b],
          ['Div', (a: number, b: number) => a / b],
        ] as const) {
          const [got] = await run(backend, elementwise(op, 2), [A, B]);
          expect(same(got, ieee(f)), `${op}: ${got}`).toBe(true);
        }
        // Spelled out, so the oracle itself is checked: -0 + -0 = -0, Inf + -Inf = NaN, 1 / -0 ... denormal * 1 stays.
        const [add] = await run(backend, elementwise('Add', 2), [A, B]);
        expect(Object.is(add[0], 0) && Object.is(add[1], -0)).toBe(true); // 0 + -0 = +0, -0 + -0 = -0
        expect([add[2], add[8], add[10], add[12]]).toEqual([NAN, INF, 1, 2 * DENORM]);
        const [div] = await run(backend, elementwise('Div', 2), [A, B]);
        expect([div[4], div[5], div[6], div[12]]).toEqual([INF, -INF, NAN, 1]);
        const [mul] = await run(backend, elementwise('Mul', 2), [A, B]);
        expect([mul[3], mul[8], mul[10], mul[12]]).toEqual([NAN, INF, DENORM, 0]);
      });

      it('[NUM-04] exp: exp(±0) = 1, exp(-Inf) = 0, exp(+Inf) = +Inf, overflow to +Inf and underflow to 0, NaN stays NaN', async () => {
        const [got] = await run(backend, elementwise('Exp', 1), [U]);
        expect(got.slice(0, 7)).toEqual([1, 1, INF, 0, NAN, INF, 0]);
        expect(got.slice(11, 13)).toEqual([INF, 0]); // exp(100) overflows, exp(-200) underflows
      });

      it('[NUM-05] [NUM-06] log and sqrt at the edges: log(±0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf; sqrt(-0) = -0, sqrt(-1) = NaN', async () => {
        const [lg] = await run(backend, elementwise('Log', 1), [U]);
        expect(lg.slice(0, 5)).toEqual([-INF, -INF, INF, NAN, NAN]);
        expect(lg[10]).toEqual(NAN);
        expect(Object.is(lg[9], 0)).toBe(true);
        const [sq] = await run(backend, elementwise('Sqrt', 1), [U]);
        expect(sq.slice(0, 5)).toEqual([0, -0, INF, NAN, NAN]);
        expect(Object.is(sq[1], -0)).toBe(true);
        expect(sq[10]).toEqual(NAN);
      });

      it('[NUM-07] tanh, sigmoid and relu at the edges: tanh(±Inf) = ±1, tanh(-0) = -0, sigmoid(-Inf) = 0, sigmoid(+Inf) = 1, relu passes -0 and NaN', async () => {
        const [th] = await run(backend, elementwise('Tanh', 1), [U]);
        expect(th.slice(1, 5)).toEqual([-0, 1, -1, NAN]);
        expect(Object.is(th[1], -0)).toBe(true);
        const [sg] = await run(backend, elementwise('Sigmoid', 1), [U]);
        expect(sg.slice(0, 5)).toEqual([0.5, 0.5, 1, 0, NAN]);
        const [rl] = await run(backend, elementwise('Relu', 1), [U]);
        expect(Object.is(rl[1], -0) && Number.isNaN(rl[4] as number) && rl[3] === 0 && rl[5] === MAX).toBe(true);
      });

      it('[NUM-08] max and min propagate NaN and order -0 < +0', async () => {
        const [mx] = await run(backend, elementwise('Max', 2), [A, B]);
        const [mn] = await run(backend, elementwise('Min', 2), [A, B]);
        expect(Object.is(mx[0], 0) && Object.is(mn[0], -0)).toBe(true);
        expect(Number.isNaN(mx[7] as number) && Number.isNaN(mn[7] as number)).toBe(true);
        expect([mx[2], mn[2]]).toEqual([INF, -INF]);
      });

      it('[NUM-09] softmax is max-shifted: huge logits do not overflow, -Inf logits get 0, a row with +Inf or all -Inf is NaN', async () => {
        const g = () => {
          const b = new GraphBuilder('num_softmax');
          b.output(b.op('Softmax', [b.input('x', 'float32', [5, 2])], { axis: -1 }));
          return b.build();
        };
        const [got] = await run(backend, g, [makeTensor('float32', [5, 2], [1e30, 1e30, -1e30, 0, 0, -INF, INF, 0, -INF, -INF])]);
        expect(got.slice(0, 6)).toEqual([0.5, 0.5, 0, 1, 1, 0]);
        expect(got.slice(6).every((v) => Number.isNaN(v as number))).toBe(true);
      });

      it('[NUM-10] [NUM-11] reductions: +Inf and -Inf sum to NaN, NaN propagates, a sum of -0 alone is +0 (the sum starts at +0)', async () => {
        const g = (op: string) => () => {
          const b = new GraphBuilder(`num_${op}`);
          b.output(b.op(op, [b.input('x', 'float32', [4, 3]), b.constant('axes', makeTensor('int64', [1], [1]))], { keepdims: 0 }));
          return b.build();
        };
        const x = makeTensor('float32', [4, 3], [INF, -INF, 1, NAN, 1, 2, -0, -0, -0, MAX, MAX, -MAX]);
        const [sum] = await run(backend, g('ReduceSum'), [x]);
        expect(sum.slice(0, 2).every((v) => Number.isNaN(v as number))).toBe(true);
        expect(Object.is(sum[2], 0)).toBe(true);
        // Lane order (4 lanes): (x0 + x2) + (x1 + 0) = (MAX - MAX) + MAX = MAX; a left-to-right sum would overflow to +Inf.
        expect(sum[3]).toBe(MAX);
        const [mx] = await run(backend, g('ReduceMax'), [x]);
        expect(mx[0]).toBe(INF);
        expect(Number.isNaN(mx[1] as number)).toBe(true);
        expect(Object.is(mx[2], -0)).toBe(true);
      });

      it('[NUM-12] matmul and gemm: Inf * 0 is NaN in the dot product, NaN in a row of A poisons that row only, sums start at +0', async () => {
        const g = () => {
          const b = new GraphBuilder('num_matmul');
          b.output(b.op('MatMul', [b.input('a', 'float32', [3, 2]), b.input('b', 'float32', [2, 2])]));
          return b.build();
        };
        const [got] = await run(backend, g, [makeTensor('float32', [3, 2], [INF, 0, NAN, 1, -0, -0]), makeTensor('float32', [2, 2], [0, 1, 1, 1])]);
        expect(Number.isNaN(got[0] as number)).toBe(true); // inf * 0 + 0 * 1
        expect(got[1]).toBe(INF);
        expect(Number.isNaN(got[2] as number) && Number.isNaN(got[3] as number)).toBe(true);
        expect(Object.is(got[4], 0) && Object.is(got[5], 0)).toBe(true); // +0 + (-0 * 0) + (-0 * 1) = +0
      });

      it('[NUM-13] integers wrap on overflow, divide by zero to 0, and INT_MIN / -1 wraps to INT_MIN', async () => {
        const I = 2 ** 31;
        const a = makeTensor('int32', [PAIRS.length], [I - 1, -I, -I, 7, 7, -7, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8]);
        const b = makeTensor('int32', [PAIRS.length], [1, -1, -1, 0, 0, 0, 0, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
        const [add] = await run(backend, elementwise('Add', 2, 'int32'), [a, b]);
        expect(add.slice(0, 2)).toEqual([-I, I - 1]);
        const [div] = await run(backend, elementwise('Div', 2, 'int32'), [a, b]);
        expect(div.slice(2, 8)).toEqual([-I, 0, 0, 0, 0, 2]);
        const [mul] = await run(backend, elementwise('Mul', 2, 'int32'), [a, b]);
        expect(mul[1]).toBe(-I); // -I * -1 wraps
      });

      it('[NUM-14] float to int casts truncate toward zero, map NaN to 0 and saturate out of range', async () => {
        const g = () => {
          const b = new GraphBuilder('num_cast');
          b.output(b.op('Cast', [b.input('x', 'float32', [8])], { to: 6 }));
          return b.build();
        };
        const [got] = await run(backend, g, [f32([NAN, 3.9e9, -3.9e9, -2.7, 2.7, INF, -INF, -0])]);
        expect(got).toEqual([0, 2 ** 31 - 1, -(2 ** 31), -2, 2, 2 ** 31 - 1, -(2 ** 31), 0]);
      });
    });
  }
});
