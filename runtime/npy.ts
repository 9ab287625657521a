// A small .npy reader (NumPy's array file format, versions 1-3) for run inputs:
// little-endian float32/int64/int32/bool in C order. Anything else is refused
// with VOLTA_E_BAD_INPUT rather than guessed at.

import { DTYPES, type DType } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { checkShape, numel, shapeStr } from '../compiler/ir/shape.ts';
import { Tensor } from './tensor.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** descr -> dtype; '<' is little-endian, '|' means byte order does not apply (1 byte). */
const DESCRS: Readonly<Record<string, DType>> = { '<f4': 'float32', '<i8': 'int64', '<i4': 'int32', '|b1': 'bool' };

function bad(what: string, found: string, more: { expected?: string; hint?: string } = {}): VoltaError {
  return new VoltaError('VOLTA_E_BAD_INPUT', { found: `${what}: ${found}`, ...more });
}

/** Parses .npy bytes; `what` names the file in messages. */
export function readNpy(bytes: Uint8Array, what = 'npy file'): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad(what, 'not a .npy file (bad magic)', { hint: 'save the array with numpy.save' });
  const major = bytes[6];
  if (major < 1 || major > 3) throw bad(what, `.npy format version ${major}.${bytes[7]}`, { expected: 'versions 1, 2, 3' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw bad(what, 'truncated header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) throw bad(what, 'truncated header');
  // Version 3 allows UTF-8 in the header; 1 and 2 are latin1, which has no bytes our parse cares about.
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));

  // The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (1, 784), }
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(what, `unreadable header ${JSON.stringify(header.trim())}`);
  const dtype = DESCRS[descr];
  if (dtype === undefined) {
    throw bad(what, `dtype ${JSON.stringify(descr)}`, {
      expected: `${Object.keys(DESCRS).join(', ')} (little-endian float32, int64, int32, bool)`,
      hint: "convert first, e.g. arr.astype('<f4')",
    });
  }
  if (fortran === 'True') throw bad(what, 'array is in Fortran order', { expected: 'C order', hint: 'save numpy.ascontiguousarray(arr)' });
  const dims = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^[0-9]+$/.test(s) ? Number(s) : Number.NaN));
  let shape: readonly number[];
  try {
    shape = checkShape(dims, { what: `shape (${shapeText})` });
  } catch (e) {
    throw bad(what, e instanceof VoltaError ? String(e.details.found) : String(e));
  }

  const dataStart = start + headerLen;
  const want = numel(shape) * DTYPES[dtype].bytes;
  if (bytes.length - dataStart !== want) {
    throw bad(what, `shape ${shapeStr(shape)} of ${dtype} needs ${want} data bytes, the file has ${bytes.length - dataStart}`);
  }
  // Copy into a fresh typed array: the data offset is not necessarily aligned, and views must not alias the file.
  const data = DTYPES[dtype].make(numel(shape));
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.set(bytes.subarray(dataStart));
  // Typed arrays use host byte order; .npy '<' data is little-endian.
  if (DTYPES[dtype].bytes > 1 && new Uint8Array(new Uint16Array([1]).buffer)[0] === 0) {
    const size = DTYPES[dtype].bytes;
    for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
  }
  if (dtype === 'bool') for (let i = 0; i < out.length; i++) out[i] = out[i] !== 0 ? 1 : 0;
  return new Tensor(dtype, data, shape);
}
