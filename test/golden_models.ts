// The models whose generated code is checked in under generated/<name>/, and the
// one function that renders those files. scripts/update_golden.ts writes them;
// test/golden.test.ts renders them again in memory and compares.
import { fileURLToPath } from 'node:url';
import { addonSource } from '../compiler/build/build.ts';
import { GraphBuilder, type ModelSource, makeTensor, Volta } from '../runtime/index.ts';

export const GOLDEN_DIR = fileURLToPath(new URL('../generated/', import.meta.url));
export const EXAMPLE_MODEL = fileURLToPath(new URL('../examples/mlp/mlp.onnx', import.meta.url));

/** Every golden model directory holds exactly these files. */
export const GOLDEN_FILES = ['model.c', 'model.cu', 'addon.cc', 'model.ir', 'FINGERPRINT'] as const;

export interface GoldenModel {
  readonly name: string;
  readonly what: string;
  readonly source: () => ModelSource;
}

/** Deterministic small constants: a fixed integer pattern scaled into [-0.6, 0.6]. */
function pattern(shape: number[], salt: number) {
  const n = shape.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    shape,
    Array.from({ length: n }, (_, i) => (((i * 7 + salt) % 13) - 6) / 10),
  );
}

/** MatMul -> Add -> Relu: the Add and Relu fuse into the matmul's epilogue. */
function matmulAddRelu() {
  const b = new GraphBuilder('matmul_add_relu');
  const x = b.input('x', 'float32', [4, 8]);
  const w = b.constant('w', pattern([8, 16], 1));
  const bias = b.constant('bias', pattern([16], 2));
  b.output(b.op('Relu', [b.op('Add', [b.op('MatMul', [x, w]), bias])]));
  return b.build();
}

/** Mul -> Add -> Tanh with a broadcast constant: one fused elementwise kernel. */
function mulAddTanh() {
  const b = new GraphBuilder('mul_add_tanh');
  const x = b.input('x', 'float32', [2, 3, 8]);
  const y = b.input('y', 'float32', [2, 3, 8]);
  const c = b.constant('c', pattern([8], 3));
  b.output(b.op('Tanh', [b.op('Add', [b.op('Mul', [x, y]), c])]));
  return b.build();
}

export const GOLDEN_MODELS: readonly GoldenModel[] = [
  { name: 'mlp', what: 'the example MLP (examples/mlp/mlp.onnx)', source: () => EXAMPLE_MODEL },
  { name: 'matmul_add_relu', what: 'MatMul -> Add -> Relu', source: matmulAddRelu },
  { name: 'mul_add_tanh', what: 'Mul -> Add -> Tanh', source: mulAddTanh },
];

/**
 * The checked-in files of one model. model.c, model.ir and addon.cc come from a
 * target 'c' compile and model.cu from a target 'cuda' one (as a CUDA build
 * would emit it); the fingerprint covers the target, so FINGERPRINT lists both.
 * Both are for isa x86-64-v4 (the ISA is part of the fingerprint and shapes the tiles).
 */
export function goldenFiles(m: GoldenModel): Record<(typeof GOLDEN_FILES)[number], string> {
  // A fixed ISA (AVX-512 tiles), so the files do not depend on the machine that renders them.
  const c = Volta.compileOnly(m.source(), { target: 'c', isa: 'x86-64-v4' });
  const cuda = Volta.compileOnly(m.source(), { target: 'cuda', isa: 'x86-64-v4' });
  return {
    'model.c': c.source('c'),
    'model.cu': cuda.source('cuda'),
    'addon.cc': addonSource('c'),
    'model.ir': c.snapshots.at(-1)!.text,
    FINGERPRINT: `c ${c.fingerprint}\ncuda ${cuda.fingerprint}\n`,
  };
}
