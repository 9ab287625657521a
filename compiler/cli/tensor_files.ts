// Tensors read from files for --input and --bind: .npy or .pb (an ONNX TensorProto).
import { readNpy } from '../../runtime/npy.ts';
import { Tensor } from '../../runtime/tensor.ts';
import { VoltaError } from '../ir/errors.ts';
import { decodeTensor } from '../onnx/proto.ts';
import { readRegularFile } from '../onnx/read_file.ts';
import { tensorFromProto } from '../onnx/tensor_proto.ts';

export function readInputFile(file: string): Tensor {
  const bytes = readRegularFile(file, { what: 'input file', code: 'VOLTA_E_BAD_INPUT' });
  if (file.endsWith('.npy')) return readNpy(bytes, file);
  if (file.endsWith('.pb')) {
    const t = tensorFromProto(decodeTensor(bytes), { where: `input file ${file}` });
    return new Tensor(t.dtype, t.data, t.shape);
  }
  throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input file ${file}`, expected: '.npy or .pb (ONNX TensorProto) files' });
}

/** name=file pairs of a repeatable option, in the order given; a name given twice is an error. */
export function namedFiles(flag: string, specs: readonly string[] | undefined, bad: (found: string) => Error): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of specs ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw bad(`--${flag} ${JSON.stringify(spec)} is not name=file`);
    const name = spec.slice(0, eq);
    if (out.has(name)) throw bad(`--${flag} names ${JSON.stringify(name)} twice`);
    out.set(name, spec.slice(eq + 1));
  }
  return out;
}
