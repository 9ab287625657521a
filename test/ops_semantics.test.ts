// Every elementwise op and dtype: the compiled C gives exactly the bits of the TS
// reference (compiler/eval), on random inputs that include the awkward values
// (NaN, ±inf, ±0, denormals, integer extremes, division by zero). NaN payloads
// are exempt (see test/helpers/bits.ts).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../compiler/ir/dtype.ts';
import type { TensorData } from '../compiler/ir/tensor.ts';
import { referenceRun } from '../compiler/reference.ts';
import { GraphBuilder, Tensor, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';

const cacheDir = join(tmpdir(), 'volta-ops-cache');
const N = 64;

const floatArb = fc.oneof(
  fc.float({ noDefaultInfinity: false, noNaN: false }),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e-45, -1e-45, 88.7, -103.9, 3.4e38),
  fc.float({ min: -10, max: 10 }),
);
const arb: Record<DType, fc.Arbitrary<number | bigint>> = {
  float32: floatArb,
  int32: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31))),
  int64: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(0n, -1n, 1n, -(2n ** 63n), 2n ** 63n - 1n)),
  bool: fc.constantFrom(0, 1),
};

function tensorOf(dtype: DType, xs: (number | bigint)[], shape: number[]): TensorData {
  const data = DTYPES[dtype].make(xs.length);
  xs.forEach((x, i) => {
    (data as unknown as (number | bigint)[])[i] = x;
  });
  return { dtype, shape, data };
}

const CASES: { op: string; dtypes: DType[]; arity: number; attrs?: Record<string, number | string>; first?: DType }[] = [
  { op: 'Add', dtypes: ['float32', 'int32', 'int64'], arity: 2 },
  { op: 'Sub', dtypes: ['float32', 'int32', 'int64'], arity: 2 },
  { op: 'Mul', dtypes: ['float32', 'int32', 'int64'], arity: 2 },
  { op: 'Div', dtypes: ['float32', 'int32', 'int64'], arity: 2 },
  { op: 'Neg', dtypes: ['float32', 'int32', 'int64'], arity: 1 },
  { op: 'Abs', dtypes: ['float32', 'int32', 'int64'], arity: 1 },
  { op: 'Relu', dtypes: ['float32', 'int32', 'int64'], arity: 1 },
  { op: 'LeakyRelu', dtypes: ['float32'], arity: 1, attrs: { alpha: 0.1 } },
  { op: 'Exp', dtypes: ['float32'], arity: 1 },
  { op: 'Log', dtypes: ['float32'], arity: 1 },
  { op: 'Sqrt', dtypes: ['float32'], arity: 1 },
  { op: 'Sigmoid', dtypes: ['float32'], arity: 1 },
  { op: 'Tanh', dtypes: ['float32'], arity: 1 },
  { op: 'Floor', dtypes: ['float32'], arity: 1 },
  { op: 'Ceil', dtypes: ['float32'], arity: 1 },
  { op: 'Reciprocal', dtypes: ['float32'], arity: 1 },
  { op: 'Erf', dtypes: ['float32'], arity: 1 },
  { op: 'Sign', dtypes: ['float32', 'int32', 'int64'], arity: 1 },
  { op: 'Elu', dtypes: ['float32'], arity: 1, attrs: { alpha: 0.5 } },
  { op: 'Selu', dtypes: ['float32'], arity: 1 },
  { op: 'HardSigmoid', dtypes: ['float32'], arity: 1 },
  { op: 'HardSwish', dtypes: ['float32'], arity: 1 },
  { op: 'Softplus', dtypes: ['float32'], arity: 1 },
  { op: 'Gelu', dtypes: ['float32'], arity: 1 },
  { op: 'Gelu', dtypes: ['float32'], arity: 1, attrs: { approximate: 'tanh' } },
  { op: 'Sum', dtypes: ['float32', 'int32', 'int64'], arity: 3 },
  { op: 'Max', dtypes: ['float32', 'int32', 'int64'], arity: 3 },
  { op: 'Min', dtypes: ['float32', 'int32', 'int64'], arity: 3 },
  { op: 'Mean', dtypes: ['float32'], arity: 3 },
  { op: 'Less', dtypes: ['float32', 'int32', 'int64'], arity: 2 },
  { op: 'LessOrEqual', dtypes: ['float32', 'int64'], arity: 2 },
  { op: 'Greater', dtypes: ['float32', 'int32'], arity: 2 },
  { op: 'GreaterOrEqual', dtypes: ['float32', 'int64'], arity: 2 },
  { op: 'Equal', dtypes: ['float32', 'int32', 'bool'], arity: 2 },
  { op: 'PRelu', dtypes: ['float32'], arity: 2 },
  { op: 'Pow', dtypes: ['float32', 'int32', 'int64'], arity: 2 },
  { op: 'Where', dtypes: ['float32', 'int64'], arity: 3, first: 'bool' },
];

describe('elementwise ops: C == TS reference, bit for bit', () => {
  for (const c of CASES) {
    for (const dtype of c.dtypes) {
      it(`${c.op} ${dtype}${c.attrs ? ` ${JSON.stringify(c.attrs)}` : ''}`, async () => {
        const b = new GraphBuilder(`${c.op}_${dtype}`);
        const types = Array.from({ length: c.arity }, (_, i) => (i === 0 && c.first ? c.first : dtype));
        const ins = types.map((t, i) => b.input(`x${i}`, t, [N]));
        b.output(b.op(c.op, ins, c.attrs ?? {}));
        const compiled = Volta.compileOnly(b.build());
        const session = await Volta.compile(b.build(), { cacheDir });
        await fc.assert(
          fc.asyncProperty(fc.tuple(...types.map((t) => fc.array(arb[t], { minLength: N, maxLength: N }))), async (cols) => {
            const inputs = cols.map((xs, i) => tensorOf(types[i], xs, [N]));
            const feeds = Object.fromEntries(inputs.map((t, i) => [`x${i}`, new Tensor(t.dtype, t.data, [N])]));
            const got = Object.values(await session.run(feeds))[0];
            const want = referenceRun(compiled, inputs)[0];
            expect(sameBits(got.data, want.data)).toBe(true);
          }),
          { numRuns: 40 },
        );
      });
    }
  }

  const ONNX_CODE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9 };
  for (const from of ['float32', 'int32', 'int64', 'bool'] as DType[]) {
    it(`Cast from ${from} to every dtype`, async () => {
      const b = new GraphBuilder(`cast_${from}`);
      const x = b.input('x0', from, [N]);
      for (const to of ['float32', 'int32', 'int64', 'bool'] as DType[]) if (to !== from) b.output(b.op('Cast', [x], { to: ONNX_CODE[to] }, `to_${to}`));
      const compiled = Volta.compileOnly(b.build());
      const session = await Volta.compile(b.build(), { cacheDir });
      await fc.assert(
        fc.asyncProperty(fc.array(arb[from], { minLength: N, maxLength: N }), async (xs) => {
          const input = tensorOf(from, xs, [N]);
          const got = Object.values(await session.run({ x0: new Tensor(from, input.data, [N]) }));
          const want = referenceRun(compiled, [input]);
          got.forEach((t, i) => expect(sameBits(t.data, want[i].data), `${from} -> ${t.type}`).toBe(true));
        }),
        { numRuns: 40 },
      );
    });
  }

  it('integer division by zero gives 0 and INT_MIN / -1 wraps, without trapping', async () => {
    const b = new GraphBuilder('idiv');
    const x = b.input('x', 'int32', [3]);
    const y = b.input('y', 'int32', [3]);
    b.output(b.op('Div', [x, y]));
    const s = await Volta.compile(b.build(), { cacheDir });
    const out = Object.values(
      await s.run({ x: new Tensor('int32', new Int32Array([7, -(2 ** 31), -7]), [3]), y: new Tensor('int32', new Int32Array([0, -1, 2]), [3]) }),
    )[0];
    expect(Array.from(out.data as Int32Array)).toEqual([0, -(2 ** 31), -3]);
  });
});
