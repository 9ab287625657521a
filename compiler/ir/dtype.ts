// Element types Volta compiles. Everything type-specific (sizes, C names, ONNX
// enum values, typed arrays) is read from this one table.

export type DType = 'float32' | 'int64' | 'int32' | 'bool';

export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'int64'
    ? BigInt64Array
    : D extends 'int32'
      ? Int32Array
      : Uint8Array;

export type AnyTypedArray = Float32Array | BigInt64Array | Int32Array | Uint8Array;

interface DTypeInfo {
  bytes: number;
  /** TensorProto.DataType enum value. */
  onnx: number;
  /** Short name used in IR text and generated identifiers. */
  short: string;
  /** C type name (same in CUDA). */
  c: string;
  make: (n: number) => AnyTypedArray;
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: { bytes: 4, onnx: 1, short: 'f32', c: 'float', make: (n) => new Float32Array(n) },
  int64: { bytes: 8, onnx: 7, short: 'i64', c: 'int64_t', make: (n) => new BigInt64Array(n) },
  int32: { bytes: 4, onnx: 6, short: 'i32', c: 'int32_t', make: (n) => new Int32Array(n) },
  bool: { bytes: 1, onnx: 9, short: 'bool', c: 'uint8_t', make: (n) => new Uint8Array(n) },
};

/** Sorted for deterministic iteration. */
export const ALL_DTYPES: readonly DType[] = ['bool', 'float32', 'int32', 'int64'];

const ONNX_NAMES: Record<number, string> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
  17: 'FLOAT8E4M3FN',
  18: 'FLOAT8E4M3FNUZ',
  19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ',
  21: 'UINT4',
  22: 'INT4',
  23: 'FLOAT4E2M1',
};

export function dtypeFromOnnx(code: number): DType | undefined {
  for (const d of ALL_DTYPES) if (DTYPES[d].onnx === code) return d;
  return undefined;
}

export function onnxDtypeName(code: number): string {
  return ONNX_NAMES[code] ?? `dtype#${code}`;
}
