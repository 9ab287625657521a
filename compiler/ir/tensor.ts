// Constant tensor data held by the IR (initializers, folded constants).
import { type AnyTypedArray, DTYPES, type DType } from './dtype.ts';
import { numel, type Shape } from './shape.ts';

export interface TensorData {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly data: AnyTypedArray;
}

/** A runtime tensor's shape (runtime Tensor, onnxruntime's): accepted wherever TensorData is bound. */
export interface TensorLike {
  readonly type: string;
  readonly data: ArrayBufferView;
  readonly dims: readonly number[];
}

export function toTensorData(t: TensorData | TensorLike): TensorData {
  if ('dtype' in t) return t;
  return { dtype: t.type as DType, shape: [...t.dims], data: t.data as AnyTypedArray };
}

export function makeTensor(dtype: DType, shape: Shape, data?: AnyTypedArray | readonly number[]): TensorData {
  const n = numel(shape);
  const arr = DTYPES[dtype].make(n);
  if (data !== undefined) {
    if (data.length !== n) throw new RangeError(`tensor data has ${data.length} elements, shape needs ${n}`);
    if (arr instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) arr[i] = BigInt((data as ArrayLike<number | bigint>)[i]);
    } else {
      for (let i = 0; i < n; i++) (arr as Float32Array)[i] = Number((data as ArrayLike<number | bigint>)[i]);
    }
  }
  return { dtype, shape: [...shape], data: arr };
}

/** Little-endian bytes of the tensor's elements (canonical form for hashing and weight blobs). */
export function tensorBytes(t: TensorData): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Elements as JS numbers (int64 converted; callers check ranges where it matters). */
export function toNumbers(t: TensorData): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
