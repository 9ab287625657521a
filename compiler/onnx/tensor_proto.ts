// OnnxTensor <-> TensorData. Everything read here comes from an untrusted file:
// dims, sizes and external-data paths are checked before any allocation or read.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import { type AnyTypedArray, DTYPES, type DType, dtypeFromOnnx, onnxDtypeName } from '../ir/dtype.ts';
import { VoltaError } from '../ir/errors.ts';
import { checkShape, numel, type Shape, shapeStr } from '../ir/shape.ts';
import type { TensorData } from '../ir/tensor.ts';
import { DATA_LOCATION_EXTERNAL, type OnnxTensor } from './proto.ts';

export interface TensorFromProtoOptions {
  /** Directory of the model file; external data resolves against it. Absent when loaded from bytes. */
  baseDir?: string;
  /** What holds the tensor, for messages (e.g. 'initializer', 'Constant node "c1"'). */
  where?: string;
}

const BIG_ENDIAN = endianness() === 'BE';

function label(t: OnnxTensor, where: string | undefined): string {
  return `${where ?? 'tensor'} ${JSON.stringify(t.name)}`;
}

/** Byte-swaps each `size`-byte element in place (only on big-endian hosts). */
function swapBytes(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

/**
 * Little-endian element bytes -> a typed array that owns its memory. The bytes
 * may be a Buffer slice at any offset, so they are copied first (a typed array
 * view needs an aligned offset, and must not alias the file buffer).
 */
function fromLittleEndian(dtype: DType, bytes: Uint8Array, n: number): AnyTypedArray {
  const arr = DTYPES[dtype].make(n);
  const out = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  out.set(bytes);
  if (BIG_ENDIAN) swapBytes(out, DTYPES[dtype].bytes);
  // ONNX bool is 0/1 per byte; normalise any other non-zero byte.
  if (dtype === 'bool') for (let i = 0; i < n; i++) out[i] = out[i] !== 0 ? 1 : 0;
  return arr;
}

function mismatch(t: OnnxTensor, where: string | undefined, shape: Shape, found: string): VoltaError {
  return new VoltaError('VOLTA_E_BAD_CONSTANT', {
    found: `${label(t, where)} has shape ${shapeStr(shape)} (${numel(shape)} elements) but ${found}`,
    expected: `${numel(shape)} elements`,
    hint: 'the tensor data does not match its dims; re-export the model',
  });
}

export function tensorFromProto(t: OnnxTensor, opts: TensorFromProtoOptions = {}): TensorData {
  const { where } = opts;
  const dtype = dtypeFromOnnx(t.dataType);
  if (dtype === undefined) {
    throw new VoltaError('VOLTA_E_UNSUPPORTED_DTYPE', {
      found: `${label(t, where)} has element type ${onnxDtypeName(t.dataType)}`,
      expected: 'FLOAT, INT64, INT32, BOOL',
      hint: 'cast the tensor to a supported type before exporting',
    });
  }
  const shape = checkShape(t.dims, { what: label(t, where) });
  const n = numel(shape);
  const size = DTYPES[dtype].bytes;

  if (t.dataLocation === DATA_LOCATION_EXTERNAL) {
    const bytes = readExternal(t, opts, n * size);
    return { dtype, shape, data: fromLittleEndian(dtype, bytes, n) };
  }
  if (t.dataLocation !== 0) {
    throw new VoltaError('VOLTA_E_BAD_CONSTANT', {
      found: `${label(t, where)} has unknown data_location ${t.dataLocation}`,
      expected: 'DEFAULT (0) or EXTERNAL (1)',
    });
  }

  if (t.rawData !== undefined && t.rawData.length > 0) {
    if (t.rawData.length !== n * size) {
      const count = t.rawData.length / size;
      throw mismatch(
        t,
        where,
        shape,
        `raw_data holds ${t.rawData.length} bytes (${Number.isInteger(count) ? count : count.toFixed(2)} elements of ${size} bytes)`,
      );
    }
    return { dtype, shape, data: fromLittleEndian(dtype, t.rawData, n) };
  }

  // Typed fields: float32 -> float_data, int64 -> int64_data, int32 and bool -> int32_data.
  const field = dtype === 'float32' ? 'float_data' : dtype === 'int64' ? 'int64_data' : 'int32_data';
  const src: ArrayLike<number | bigint> = (dtype === 'float32' ? t.floatData : dtype === 'int64' ? t.int64Data : t.int32Data) ?? [];
  if (src.length !== n) throw mismatch(t, where, shape, `${field} holds ${src.length} elements`);
  const data = DTYPES[dtype].make(n);
  if (data instanceof BigInt64Array) {
    for (let i = 0; i < n; i++) data[i] = BigInt.asIntN(64, src[i] as bigint);
  } else if (dtype === 'bool') {
    for (let i = 0; i < n; i++) data[i] = src[i] !== 0 ? 1 : 0;
  } else {
    for (let i = 0; i < n; i++) (data as Float32Array | Int32Array)[i] = src[i] as number;
  }
  return { dtype, shape, data };
}

// ---- external data ----------------------------------------------------------------

function refuse(t: OnnxTensor, where: string | undefined, found: string, hint?: string): VoltaError {
  return new VoltaError('VOLTA_E_EXTERNAL_DATA', { found: `${label(t, where)}: ${found}`, hint });
}

function parseNonNegInt(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Reads exactly `want` bytes of a tensor's external data, refusing anything outside baseDir. */
function readExternal(t: OnnxTensor, opts: TensorFromProtoOptions, want: number): Uint8Array {
  const { where, baseDir } = opts;
  if (baseDir === undefined) {
    throw refuse(
      t,
      where,
      'stores its data in an external file, but the model was loaded from bytes',
      'load the model from a file path so its external data files can be found next to it',
    );
  }
  const kv = new Map<string, string>();
  for (const { key, value } of t.externalData ?? []) {
    if (kv.has(key)) throw refuse(t, where, `external_data has key ${JSON.stringify(key)} twice`);
    kv.set(key, value);
  }
  const location = kv.get('location');
  if (location === undefined || location === '') throw refuse(t, where, 'external_data has no location');
  const loc = JSON.stringify(location);
  const pathHint = 'external data must be a file inside the model directory, named by a relative path';
  // Checks on the text first (no filesystem access for obviously hostile paths).
  if (location.includes('\0')) throw refuse(t, where, `location ${loc} contains a NUL byte`, pathHint);
  if (path.posix.isAbsolute(location) || path.win32.isAbsolute(location)) {
    throw refuse(t, where, `location ${loc} is an absolute path`, pathHint);
  }
  if (location.split(/[\\/]/).includes('..')) throw refuse(t, where, `location ${loc} contains '..'`, pathHint);

  // Then on the resolved path: symlinks must not lead out of baseDir either.
  let realBase: string;
  let realFile: string;
  try {
    realBase = realpathSync(baseDir);
    realFile = realpathSync(path.resolve(realBase, location));
  } catch (e) {
    throw refuse(
      t,
      where,
      `location ${loc} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'put the external data file next to the model',
    );
  }
  const rel = path.relative(realBase, realFile);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw refuse(t, where, `location ${loc} resolves outside the model directory`, pathHint);
  }

  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below);
    // O_NOFOLLOW: the path was resolved already, a symlink swapped in since is refused.
    fd = openSync(realFile, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    throw refuse(t, where, `location ${loc} cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    // fstat the opened descriptor, so the checked file is the one read.
    const st = fstatSync(fd);
    if (!st.isFile()) throw refuse(t, where, `location ${loc} is not a regular file`, pathHint);
    const size = st.size;
    const offsetText = kv.get('offset');
    const lengthText = kv.get('length');
    const offset = offsetText === undefined ? 0 : parseNonNegInt(offsetText);
    if (offset === undefined) throw refuse(t, where, `offset ${JSON.stringify(offsetText)} is not a non-negative integer`);
    if (offset > size) throw refuse(t, where, `offset ${offset} is past the end of ${loc} (${size} bytes)`);
    // Without a length the data runs to the end of the file (as in onnx).
    const length = lengthText === undefined ? size - offset : parseNonNegInt(lengthText);
    if (length === undefined) throw refuse(t, where, `length ${JSON.stringify(lengthText)} is not a non-negative integer`);
    if (offset + length > size) {
      throw refuse(t, where, `offset ${offset} + length ${length} is past the end of ${loc} (${size} bytes)`);
    }
    if (length !== want) {
      throw refuse(t, where, `external data is ${length} bytes but dims [${t.dims.join(',')}] of ${onnxDtypeName(t.dataType)} need ${want}`);
    }
    const out = new Uint8Array(want);
    let got = 0;
    while (got < want) {
      const r = readSync(fd, out, got, want - got, offset + got);
      if (r === 0) throw refuse(t, where, `${loc} ended early (file changed while reading?)`);
      got += r;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

// ---- export -----------------------------------------------------------------------------

/** TensorData -> TensorProto with little-endian raw_data (copied: no aliasing of the IR's buffer). */
export function tensorToProto(name: string, t: TensorData): OnnxTensor {
  const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const raw = new Uint8Array(src);
  if (BIG_ENDIAN) swapBytes(raw, DTYPES[t.dtype].bytes);
  return { name, dataType: DTYPES[t.dtype].onnx, dims: [...t.shape], rawData: raw, dataLocation: 0 };
}
