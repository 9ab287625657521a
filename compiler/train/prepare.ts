// Makes an ONNX model trainable, at the protobuf level (before import, so import never
// folds a parameter into a constant): the trained initializers become graph inputs (the
// training step's state), BatchNormalization switches to training mode with its running
// statistics as extra outputs, and an inference form keeps the same inputs for evaluation.
// After training, exportTrained writes the original model with the trained initializers.
import { VoltaError } from '../ir/errors.ts';
import type { TensorData } from '../ir/tensor.ts';
import { ATTR_TYPE, encodeModel, type OnnxAttribute, type OnnxGraph, type OnnxModel, type OnnxNode } from '../onnx/proto.ts';
import { tensorFromProto, tensorToProto } from '../onnx/tensor_proto.ts';
import { onnxOp } from '../ops/registry.ts';

export interface NamedTensor {
  readonly name: string;
  readonly data: TensorData;
}

export interface TrainableModel {
  /** Training form: parameters and buffers are graph inputs; outputs [logits, ...each buffer's next value]. */
  readonly train: OnnxModel;
  /** Inference form: the same inputs as the training form (data, parameters, buffers); output the logits. */
  readonly infer: OnnxModel;
  /** The data input and the shape of one sample (its dims after the batch dim). */
  readonly input: { readonly name: string; readonly sample: readonly number[] };
  readonly logits: string;
  /** Trained by gradient, in initializer order. */
  readonly params: readonly NamedTensor[];
  /** Updated by the forward pass (BatchNormalization running statistics): `next` names the train-form output. */
  readonly buffers: readonly (NamedTensor & { readonly next: string })[];
}

const bad = (found: string, hint?: string): never => {
  throw new VoltaError('VOLTA_E_BAD_MODEL', { found, hint });
};

function withAttr(n: OnnxNode, name: string, i: number): OnnxNode {
  const attribute: OnnxAttribute[] = [...n.attribute.filter((a) => a.name !== name), { name, type: ATTR_TYPE.INT, i }];
  return { ...n, attribute };
}

/** `frozen` names initializers to keep constant (never trained). */
export function prepareModel(model: OnnxModel, frozen: readonly string[] = [], baseDir?: string): TrainableModel {
  const gp = model.graph;
  const inits = new Map(gp.initializer.map((t) => [t.name, t]));
  for (const f of frozen) if (!inits.has(f)) bad(`frozen names ${JSON.stringify(f)}, which is not an initializer`);
  const data = gp.input.filter((v) => !inits.has(v.name));
  if (data.length !== 1)
    bad(`the model has ${data.length} data inputs (graph inputs without an initializer)`, 'train a model with exactly one input, the batch');
  const input = data[0];
  const dims = input.dims ?? bad(`input ${JSON.stringify(input.name)} has unknown rank`);
  const sample = dims
    .slice(1)
    .map((d) => (typeof d === 'number' ? d : bad(`input ${JSON.stringify(input.name)} has a symbolic sample dim ${JSON.stringify(d)}`)));
  if (dims.length < 2) bad(`input ${JSON.stringify(input.name)} has rank ${dims.length}`, 'a batch dim and the sample dims');
  if (gp.output.length === 0) bad('the model has no outputs');
  const logits = gp.output[0].name;

  const buffers: (NamedTensor & { next: string })[] = [];
  const trainNodes = gp.node.map((n) => {
    if (n.opType === 'Dropout') {
      throw new VoltaError('VOLTA_E_UNSUPPORTED_OP', {
        node: n.name,
        op: 'Dropout',
        found: 'training through Dropout (it draws random masks)',
        hint: 'remove the Dropout nodes from the model to train it with Volta',
      });
    }
    if (n.opType !== 'BatchNormalization') return n;
    const stats = [n.input[3], n.input[4]];
    const next = stats.map((s) => `${s}:next`);
    stats.forEach((s, k) => {
      const t = inits.get(s) ?? bad(`BatchNormalization ${JSON.stringify(n.name)} reads running statistics ${JSON.stringify(s)} that are not initializers`);
      if (buffers.some((b) => b.name === s)) bad(`running statistics ${JSON.stringify(s)} are shared by several BatchNormalization nodes`);
      buffers.push({ name: s, data: tensorFromProto(t, { baseDir, where: 'initializer' }), next: next[k] });
    });
    return withAttr({ ...n, output: [n.output[0], ...next] }, 'training_mode', 1);
  });

  // Initializers read where the op needs a compile-time value (shapes, axes, pads) stay constant.
  const compileTime = new Set<string>();
  for (const n of gp.node) {
    const def = onnxOp(n.domain, n.opType);
    n.input.forEach((name, i) => {
      const spec = def?.inputs[Math.min(i, def.inputs.length - 1)];
      if (spec?.constant || spec?.typeOnly) compileTime.add(name);
    });
  }
  const isBuffer = new Set(buffers.map((b) => b.name));
  const params: NamedTensor[] = [];
  for (const t of gp.initializer) {
    if (isBuffer.has(t.name) || frozen.includes(t.name) || compileTime.has(t.name)) continue;
    const d = tensorFromProto(t, { baseDir, where: 'initializer' });
    if (d.dtype === 'float32') params.push({ name: t.name, data: d });
  }
  const state = [...params, ...buffers];
  const moved = new Set(state.map((s) => s.name));
  const stateInputs = state.map((s) => ({ name: s.name, elemType: 1, dims: [...s.data.shape] as (number | string | null)[] }));
  const form = (node: OnnxNode[], output: OnnxGraph['output']): OnnxModel => ({
    ...model,
    graph: { ...gp, node, initializer: gp.initializer.filter((t) => !moved.has(t.name)), input: [input, ...stateInputs], output, valueInfo: [] },
  });
  return {
    train: form(trainNodes, [gp.output[0], ...buffers.map((b) => ({ name: b.next, elemType: 1, dims: [...b.data.shape] as (number | string | null)[] }))]),
    infer: form(gp.node, [gp.output[0]]),
    input: { name: input.name, sample },
    logits,
    params,
    buffers,
  };
}

/** The original model with the named initializers replaced by trained values (same names, shapes, dtypes). */
export function exportTrained(model: OnnxModel, values: ReadonlyMap<string, TensorData>): Uint8Array {
  const initializer = model.graph.initializer.map((t) => {
    const v = values.get(t.name);
    return v === undefined ? t : tensorToProto(t.name, v);
  });
  return encodeModel({ ...model, graph: { ...model.graph, initializer } });
}
