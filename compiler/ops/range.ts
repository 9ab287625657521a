// Range: folded at compile time. start, limit and delta are constants, bound inputs or
// values a specialising session has seen; the values accumulate as onnxruntime and the
// ONNX function body compute them (v = start; then v += delta, in the dtype).
import type { DType } from '../ir/dtype.ts';
import { numel } from '../ir/shape.ts';
import { makeTensor, type TensorData } from '../ir/tensor.ts';
import { constInput, defineOp, fail, input, type NodeCtx, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';

/** Largest folded Range (elements): beyond it the constant is refused rather than allocated. */
const MAX_RANGE = 1 << 24;

function rangeValue(ctx: NodeCtx): TensorData {
  const names = ['start', 'limit', 'delta'];
  const [start, limit, delta] = names.map((n, i) => {
    const v = input(ctx, i);
    if (numel(v.shape) !== 1 || v.shape.length > 1) shapeError(ctx, `${n} must be a scalar`, [v.shape]);
    return (constInput(ctx, i, `${n} input`) as number[])[0];
  });
  const dtype: DType = input(ctx, 0).dtype;
  if (delta === 0) fail(ctx, 'VOLTA_E_SHAPE', 'delta is 0', 'a non-zero delta');
  const f = dtype === 'float32' ? Math.fround : (v: number) => v;
  // Element count as onnxruntime: ceil((limit - start) in the dtype, then in double, / delta).
  const n = Math.max(0, Math.ceil(f(limit - start) / delta));
  if (!Number.isFinite(n) || n > MAX_RANGE) fail(ctx, 'VOLTA_E_SHAPE', `Range of ${n} elements`, `at most ${MAX_RANGE}`);
  const values: number[] = [];
  for (let i = 0, v = start; i < n; i++, v = f(v + delta)) values.push(v);
  return makeTensor(dtype, [n], values);
}

export const Range = defineOp({
  name: 'Range',
  onnx: { opType: 'Range', domain: '', opsets: [11, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'start', type: 'T', constant: true },
    { name: 'limit', type: 'T', constant: true },
    { name: 'delta', type: 'T', constant: true },
  ],
  outputs: ['output'],
  types: { T: ['float32', 'int32', 'int64'] },
  attrs: {},
  infer: (ctx) => {
    const t = rangeValue(ctx);
    return [{ dtype: t.dtype, shape: t.shape }];
  },
  lowering: { kind: 'constant', value: rangeValue },
  coverage: `folded at compile time: inputs constant, bound (bindInputs) or specialised by value; float32 values accumulate (v += delta, rounded each step) as onnxruntime; int64 through doubles (exact below 2^53); at most ${MAX_RANGE} elements`,
});
