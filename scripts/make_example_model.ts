// `npm run example:model`: writes examples/mlp/{mlp.onnx,input.pb}, a 784-128-10
// MLP with weights from a fixed-seed PRNG, so re-running it gives the same bytes.
// The golden test imports exampleModel() to check the checked-in files still match.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeTensor, type TensorData } from '../compiler/ir/tensor.ts';
import { ATTR_TYPE, encodeModel, encodeTensor, type OnnxModel } from '../compiler/onnx/proto.ts';
import { tensorToProto } from '../compiler/onnx/tensor_proto.ts';

export const EXAMPLE_DIR = fileURLToPath(new URL('../examples/mlp/', import.meta.url));

const FLOAT = 1;
const IN = 784;
const HIDDEN = 128;
const OUT = 10;

/** mulberry32: a tiny 32-bit PRNG; the same seed gives the same stream on every platform. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [-bound, bound), bound = 1/sqrt(fanIn): PyTorch's default Linear init (Kaiming-uniform, a = sqrt(5)). */
function uniform(rand: () => number, shape: number[], fanIn: number): TensorData {
  const bound = 1 / Math.sqrt(fanIn);
  const n = shape.reduce((a, b) => a * b, 1);
  return makeTensor(
    'float32',
    shape,
    Array.from({ length: n }, () => (rand() * 2 - 1) * bound),
  );
}

const valueInfo = (name: string, dims: number[]) => ({ name, elemType: FLOAT, dims });
const intAttr = (name: string, i: number) => ({ name, type: ATTR_TYPE.INT, i });

export function exampleModel(): { model: Uint8Array; input: Uint8Array } {
  const rand = mulberry32(0x5eed);
  // Same draw order as a Linear layer: weight then bias, layer by layer.
  const w1 = uniform(rand, [HIDDEN, IN], IN);
  const b1 = uniform(rand, [HIDDEN], IN);
  const w2 = uniform(rand, [OUT, HIDDEN], HIDDEN);
  const b2 = uniform(rand, [OUT], HIDDEN);
  const model: OnnxModel = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'volta-example',
    producerVersion: '1',
    graph: {
      name: 'mlp',
      node: [
        { name: 'fc1', opType: 'Gemm', domain: '', input: ['input', 'W1', 'b1'], output: ['fc1_out'], attribute: [intAttr('transB', 1)] },
        { name: 'relu1', opType: 'Relu', domain: '', input: ['fc1_out'], output: ['relu1_out'], attribute: [] },
        { name: 'fc2', opType: 'Gemm', domain: '', input: ['relu1_out', 'W2', 'b2'], output: ['logits'], attribute: [intAttr('transB', 1)] },
        { name: 'softmax', opType: 'Softmax', domain: '', input: ['logits'], output: ['probs'], attribute: [intAttr('axis', -1)] },
      ],
      initializer: [tensorToProto('W1', w1), tensorToProto('b1', b1), tensorToProto('W2', w2), tensorToProto('b2', b2)],
      input: [valueInfo('input', [1, IN])],
      output: [valueInfo('probs', [1, OUT])],
      valueInfo: [],
    },
  };
  // The example input: a separate stream, values in [0, 1) like normalised pixels.
  const inRand = mulberry32(0x1);
  const input = makeTensor(
    'float32',
    [1, IN],
    Array.from({ length: IN }, () => inRand()),
  );
  return { model: encodeModel(model), input: encodeTensor(tensorToProto('input', input)) };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { model, input } = exampleModel();
  mkdirSync(EXAMPLE_DIR, { recursive: true });
  writeFileSync(`${EXAMPLE_DIR}mlp.onnx`, model);
  writeFileSync(`${EXAMPLE_DIR}input.pb`, input);
  console.log(`wrote examples/mlp/mlp.onnx (${model.length} bytes) and examples/mlp/input.pb (${input.length} bytes)`);
}
