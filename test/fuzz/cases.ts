// Fuzz cases for the importer and the whole compile, each reproducible from its
// index: structured models generated with fast-check (registry and unknown ops,
// attributes of right and wrong types, dangling, duplicate and cyclic names,
// hostile names, huge/negative/symbolic dims, NaN/Inf constants, deep nesting,
// external data with hostile paths) and a mutation fuzzer over valid models
// (bit flips, truncation, spliced chunks, structural edits).
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ATTR_TYPE, decodeModel, encodeModel, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from '../../compiler/onnx/proto.ts';
import { OPS } from '../../compiler/ops/registry.ts';
import { mulberry32 } from '../../scripts/make_example_model.ts';

export interface FuzzCase {
  readonly index: number;
  readonly kind: string;
  /** The model, as bytes; with `files`, it is written as model.onnx next to them and compiled from its path. */
  readonly bytes: Uint8Array;
  /** Extra files of the model directory (external data), path -> content or { symlink target }. */
  readonly files?: Readonly<Record<string, Uint8Array | { symlink: string }>>;
}

const HOSTILE_NAMES = ['"; system("rm -rf /"); //', '*/ int x; /*', 'a\nb', '..', '/etc/passwd', '\u0000nul', 'ünï 名前', '', 'x'.repeat(5000), '$(reboot)'];
const OP_TYPES = [...OPS.values()].map((o) => o.onnx.opType).sort();
const EXTRA_OPS = ['If', 'Loop', 'Scan', 'SequenceConstruct', 'NotAnOp', ''];
const DIMS: (number | string | null)[] = [1, 2, 3, 4, 0, -1, -7, 2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER, 'N', 'batch', null];
const FLOATS = [0, -0, 1, -1.5, 3.4e38, -3.4e38, 1e-45, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
const ELEM_TYPES = [1, 1, 1, 7, 6, 9, 0, 8, 11, 10, 23, 999];

function f32Bytes(xs: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(xs).buffer);
}

const name = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('x', 'y', 'w', 'b', 'h0', 'h1', 'h2', 'out') },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
);

const attribute: fc.Arbitrary<OnnxAttribute> = fc.oneof(
  fc.record({
    name: fc.constantFrom('axis', 'alpha', 'transB', 'perm', 'mode', 'kernel_shape', 'pads', 'value', 'to', 'keepdims', ''),
    type: fc.constant(ATTR_TYPE.INT),
    i: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(2 ** 40, -(2 ** 53))),
  }),
  fc.record({
    name: fc.constantFrom('alpha', 'beta', 'epsilon', 'axis'),
    type: fc.constantFrom(ATTR_TYPE.FLOAT, ATTR_TYPE.INT),
    f: fc.constantFrom(...FLOATS),
  }),
  fc.record({
    name: fc.constantFrom('perm', 'axes', 'pads', 'kernel_shape', 'strides', 'shape'),
    type: fc.constantFrom(ATTR_TYPE.INTS, ATTR_TYPE.FLOATS),
    ints: fc.array(fc.integer({ min: -4, max: 6 }), { maxLength: 6 }),
  }),
  fc.record({
    name: fc.constantFrom('mode', 'auto_pad', 'direction'),
    type: fc.constant(ATTR_TYPE.STRING),
    s: fc.constantFrom('NOTSET', 'constant', 'reflect', 'SAME_UPPER', '\u00ff\u00fe').map((s) => new TextEncoder().encode(s)),
  }),
  fc.record({
    name: fc.constant('value'),
    type: fc.constantFrom(ATTR_TYPE.TENSOR, ATTR_TYPE.GRAPH),
    t: fc.constant(tensor('v', 1, [2], f32Bytes([1, Number.NaN]))),
  }),
);

function tensor(n: string, dataType: number, dims: number[], rawData?: Uint8Array): OnnxTensor {
  return { name: n, dataType, dims, rawData, dataLocation: 0 };
}

const initializer: fc.Arbitrary<OnnxTensor> = fc
  .record({
    name,
    dataType: fc.constantFrom(...ELEM_TYPES),
    dims: fc.array(fc.constantFrom(1, 2, 3, 4, 0, -1, 2 ** 33), { maxLength: 3 }),
    values: fc.array(fc.constantFrom(...FLOATS), { maxLength: 24 }),
  })
  .map((r) => tensor(r.name, r.dataType, r.dims, f32Bytes(r.values)));

const node: fc.Arbitrary<OnnxNode> = fc.record({
  name,
  opType: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...OP_TYPES) }, { weight: 1, arbitrary: fc.constantFrom(...EXTRA_OPS) }),
  domain: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('ai.onnx', 'com.microsoft', 'x') }),
  input: fc.array(fc.oneof(name, fc.constant('')), { maxLength: 4 }),
  output: fc.array(name, { minLength: 1, maxLength: 2 }),
  attribute: fc.array(attribute, { maxLength: 3 }),
});

const valueInfo = fc.record({
  name,
  elemType: fc.constantFrom(...ELEM_TYPES),
  dims: fc.option(fc.array(fc.constantFrom(...DIMS), { maxLength: 4 }), { nil: undefined }),
});

/** A structured random model: mostly plausible, often subtly wrong. */
const structured: fc.Arbitrary<OnnxModel> = fc.record({
  irVersion: fc.constantFrom(8, 8, 8, 0, 3, 99),
  opsetImport: fc.constantFrom([{ domain: '', version: 17 }], [{ domain: '', version: 13 }], [{ domain: '', version: 7 }], [{ domain: '', version: 400 }], []),
  producerName: fc.constant('fuzz'),
  producerVersion: fc.constant('0'),
  graph: fc.record({
    name,
    node: fc.array(node, { maxLength: 6 }),
    initializer: fc.array(initializer, { maxLength: 3 }),
    input: fc.array(valueInfo, { minLength: 1, maxLength: 3 }),
    output: fc.array(valueInfo, { minLength: 1, maxLength: 2 }),
    valueInfo: fc.constant([]),
  }),
});

const UNARY = ['Relu', 'Tanh', 'Sigmoid', 'Exp', 'Abs', 'Neg', 'Sqrt', 'Log', 'Erf', 'Softmax', 'Identity', 'Floor'];
const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow', 'MatMul'];

/** A well-wired chain of elementwise and matmul ops over random dims and constants: often compiles. */
const chain: fc.Arbitrary<OnnxModel> = fc
  .record({
    dims: fc.array(fc.constantFrom(1, 2, 3, 4, 5), { minLength: 1, maxLength: 3 }),
    ops: fc.array(fc.oneof(fc.constantFrom(...UNARY), fc.constantFrom(...BINARY)), { minLength: 1, maxLength: 8 }),
    values: fc.array(fc.constantFrom(...FLOATS), { minLength: 1, maxLength: 1 }),
    gname: name,
  })
  .map(({ dims, ops, values, gname }) => {
    const nodes: OnnxNode[] = [];
    let cur = 'x';
    ops.forEach((op, i) => {
      const out = `t${i}`;
      const inputs = BINARY.includes(op) ? [cur, 'c'] : [cur];
      nodes.push({ name: `${op}_${i}`, opType: op, domain: '', input: inputs, output: [out], attribute: [] });
      cur = out;
    });
    const last = dims[dims.length - 1];
    return {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      producerName: 'fuzz',
      producerVersion: '0',
      graph: {
        name: gname,
        node: nodes,
        // A scalar-ish constant that broadcasts (and a square one for MatMul chains).
        initializer: [tensor('c', 1, [last, last], f32Bytes(Array.from({ length: last * last }, () => values[0])))],
        input: [{ name: 'x', elemType: 1, dims }],
        output: [{ name: cur, elemType: 1 }],
        valueInfo: [],
      },
    };
  });

let seedModels: Uint8Array[] | undefined;

/** Valid models to mutate: the example and a spread of conformance fixtures. */
function seeds(): Uint8Array[] {
  if (seedModels) return seedModels;
  const root = new URL('../fixtures/onnx-node/node/', import.meta.url).pathname;
  const cases = readdirSync(root).sort();
  const decodable = (b: Uint8Array) => {
    try {
      decodeModel(b);
      return true;
    } catch {
      return false;
    }
  };
  const picked = cases
    .filter((_, i) => i % 8 === 0)
    .map((c) => readFileSync(`${root}${c}/model.onnx`))
    .filter(decodable);
  seedModels = [readFileSync(new URL('../../examples/mlp/mlp.onnx', import.meta.url)), ...picked];
  return seedModels;
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Byte-level mutations: flips, overwrites, truncation, a chunk spliced in twice or dropped. */
function mutateBytes(r: Rng, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b); // a copy (Buffer.slice would be a view of the seed)
  const op = Math.floor(r() * 5);
  if (op === 0) for (let k = 0; k < 1 + r() * 8; k++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
  if (op === 1) for (let k = 0; k < 1 + r() * 4; k++) out[Math.floor(r() * out.length)] = Math.floor(r() * 256);
  if (op === 2) return out.slice(0, Math.floor(r() * out.length));
  if (op === 3) {
    const at = Math.floor(r() * out.length);
    const len = Math.floor(r() * 64);
    return new Uint8Array([...out.slice(0, at + len), ...out.slice(at, at + len), ...out.slice(at + len)]);
  }
  if (op === 4) {
    const at = Math.floor(r() * out.length);
    return new Uint8Array([...out.slice(0, at), ...out.slice(at + Math.floor(r() * 64))]);
  }
  return out;
}

/** Model-level mutations of a valid model: the shapes of error a real exporter bug produces. */
function mutateModel(r: Rng, m: OnnxModel): void {
  const g = m.graph;
  const nodes = g.node;
  const n = nodes.length ? pick(r, nodes) : undefined;
  switch (Math.floor(r() * 9)) {
    case 0: // a cycle: a node reads its own (or a later node's) output
      if (n && n.output[0]) n.input[0] = pick(r, nodes).output[0] ?? n.output[0];
      break;
    case 1: // a dangling input
      if (n) n.input.push('never_defined');
      break;
    case 2: // a duplicate definition
      if (n && nodes.length > 1) nodes[0].output[0] = pick(r, nodes).output[0];
      break;
    case 3: // huge, negative or symbolic dims on inputs and initializers
      for (const vi of g.input) vi.dims = (vi.dims ?? []).map((d) => (r() < 0.5 ? pick(r, DIMS) : d));
      for (const t of g.initializer) if (t.dims.length) t.dims[0] = pick(r, [2 ** 40, -3, 0, 2 ** 31]);
      break;
    case 4: // hostile names everywhere
      g.name = pick(r, HOSTILE_NAMES);
      for (const x of nodes) x.name = pick(r, HOSTILE_NAMES);
      break;
    case 5: // an attribute of the wrong type
      if (n?.attribute.length) {
        const a = pick(r, n.attribute);
        a.type = pick(r, [ATTR_TYPE.FLOAT, ATTR_TYPE.INT, ATTR_TYPE.STRING, ATTR_TYPE.INTS, ATTR_TYPE.GRAPH, 77]);
      }
      break;
    case 6: // NaN / Inf written into a float constant
      for (const t of g.initializer)
        if (t.dataType === 1 && t.rawData?.length) new DataView(t.rawData.buffer, t.rawData.byteOffset).setFloat32(0, pick(r, FLOATS), true);
      break;
    case 7: // deep nesting: a graph attribute holding a graph holding a graph ...
      if (n) {
        let inner: OnnxModel['graph'] = { name: 'g', node: [], initializer: [], input: [], output: [], valueInfo: [] };
        for (let d = 0; d < 20 + r() * 200; d++) {
          inner = {
            name: `g${d}`,
            node: [{ name: 'n', opType: 'If', domain: '', input: [], output: ['o'], attribute: [{ name: 'then_branch', type: ATTR_TYPE.GRAPH, g: inner }] }],
            initializer: [],
            input: [],
            output: [],
            valueInfo: [],
          };
        }
        n.attribute.push({ name: 'then_branch', type: ATTR_TYPE.GRAPH, g: inner });
      }
      break;
    default: // an op swapped for another registry op or an unknown one
      if (n) n.opType = pick(r, [...OP_TYPES, ...EXTRA_OPS]);
  }
}

/** External data with hostile locations, written beside the model. */
function externalCase(r: Rng, index: number): FuzzCase {
  const m = decodeModel(seeds()[0]);
  const w = m.graph.initializer[Math.floor(r() * m.graph.initializer.length)];
  const bytes = w.rawData ?? new Uint8Array(0);
  delete w.rawData;
  w.dataLocation = 1;
  const location = pick(r, ['w.bin', '../outside/w.bin', '/etc/passwd', 'sub/../../w.bin', 'link.bin', 'dir', 'w.bin\u0000x', 'C:\\w.bin', 'fifo-free.bin']);
  const entries = [{ key: 'location', value: location }];
  if (r() < 0.5) entries.push({ key: 'offset', value: pick(r, ['0', '16', '-1', '1e9', 'x']) });
  if (r() < 0.5) entries.push({ key: 'length', value: pick(r, [String(bytes.length), '0', '99999999999', '']) });
  w.externalData = entries;
  return {
    index,
    kind: 'external-data',
    bytes: encodeModel(m),
    files: { 'w.bin': bytes, 'link.bin': { symlink: '../outside/w.bin' }, 'sub/placeholder': new Uint8Array(1) },
  };
}

/** Case `index` of the lane; the same index gives the same case in every run and process. */
export function fuzzCase(index: number): FuzzCase {
  const r = mulberry32(0x5eed + index * 7919);
  const kind = index % 10;
  if (kind <= 2) {
    const [m] = fc.sample(kind === 0 ? chain : structured, { numRuns: 1, seed: index });
    return { index, kind: kind === 0 ? 'generated-chain' : 'generated', bytes: encodeModel(m) };
  }
  if (kind <= 5) return { index, kind: 'byte-mutation', bytes: mutateBytes(r, pick(r, seeds())) };
  if (kind <= 8) {
    const m = decodeModel(pick(r, seeds()));
    for (let k = 0; k < 1 + Math.floor(r() * 3); k++) mutateModel(r, m);
    let bytes: Uint8Array;
    try {
      bytes = encodeModel(m);
    } catch {
      bytes = mutateBytes(r, pick(r, seeds())); // an edit protobuf cannot even encode: fall back to bytes
    }
    return { index, kind: 'model-mutation', bytes };
  }
  return externalCase(r, index);
}
