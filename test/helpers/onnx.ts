// IR graph -> plain OnnxModel (and bytes), for tests that need ONNX input.
// Only what simple graphs need: nodes, initializers, static-shape io. Tests
// mutate the returned object to make broken models before encoding it.
import { DTYPES } from '../../compiler/ir/dtype.ts';
import { type AttrValue, type Graph, isTensorAttr } from '../../compiler/ir/graph.ts';
import { ATTR_TYPE, encodeModel, type OnnxAttribute, type OnnxModel } from '../../compiler/onnx/proto.ts';
import { tensorToProto } from '../../compiler/onnx/tensor_proto.ts';
import { opDef } from '../../compiler/ops/registry.ts';

function attribute(op: string, name: string, v: AttrValue): OnnxAttribute {
  const kind = opDef(op)?.attrs[name]?.kind;
  if (isTensorAttr(v)) return { name, type: ATTR_TYPE.TENSOR, t: tensorToProto(name, v) };
  if (typeof v === 'string') return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return kind === 'float' ? { name, type: ATTR_TYPE.FLOAT, f: v } : { name, type: ATTR_TYPE.INT, i: v };
  if (v.some((x) => typeof x === 'string')) return { name, type: ATTR_TYPE.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
  if (kind === 'floats') return { name, type: ATTR_TYPE.FLOATS, floats: [...(v as number[])] };
  return { name, type: ATTR_TYPE.INTS, ints: [...(v as number[])] };
}

export function graphToOnnx(g: Graph): OnnxModel {
  const name = (id: string) => (id === '' ? '' : g.value(id).name);
  const info = (id: string) => {
    const v = g.value(id);
    return { name: v.name, elemType: DTYPES[v.dtype].onnx, dims: [...v.shape] as (number | string | null)[] };
  };
  const consts = [...g.values.values()].filter((v) => v.data !== undefined);
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: g.opset }],
    producerName: 'volta-test',
    producerVersion: '0',
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.op,
        domain: '',
        input: n.inputs.map(name),
        output: n.outputs.map(name),
        attribute: Object.entries(n.attrs).map(([k, v]) => attribute(n.op, k, v)),
      })),
      initializer: consts.map((v) => tensorToProto(v.name, v.data!)),
      input: g.inputs.map(info),
      output: g.outputs.map(info),
      valueInfo: [],
    },
  };
}

export function graphToOnnxBytes(g: Graph): Uint8Array {
  return encodeModel(graphToOnnx(g));
}
