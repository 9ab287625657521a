// Tensors crossing the runtime boundary, shaped like onnxruntime-node's
// (type, data, dims), so code written for its feeds/fetches ports over.

import { type AnyTypedArray, DTYPES, type DType } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { numel } from '../compiler/ir/shape.ts';

export type TensorType = DType;

export class Tensor {
  readonly type: TensorType;
  readonly data: AnyTypedArray;
  readonly dims: readonly number[];

  constructor(type: TensorType, data: AnyTypedArray | readonly number[], dims?: readonly number[]) {
    if (!(type in DTYPES))
      throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `tensor type ${JSON.stringify(type)}`, expected: Object.keys(DTYPES).sort().join(', ') });
    const arr = ArrayBuffer.isView(data) ? data : fromNumbers(type, data);
    const want = DTYPES[type].make(0).constructor;
    if (arr.constructor !== want) throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `${type} tensor backed by ${arr.constructor.name}`, expected: want.name });
    const d = dims ?? [arr.length];
    if (numel(d) !== arr.length)
      throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `dims [${d.join(',')}] need ${numel(d)} elements, data has ${arr.length}` });
    this.type = type;
    this.data = arr;
    this.dims = Object.freeze([...d]);
  }

  get size(): number {
    return this.data.length;
  }
}

function fromNumbers(type: TensorType, xs: readonly number[]): AnyTypedArray {
  const arr = DTYPES[type].make(xs.length);
  xs.forEach((x, i) => {
    (arr as unknown as (number | bigint)[])[i] = type === 'int64' ? BigInt(x) : x;
  });
  return arr;
}
