// Writing graphs in TS. Every node goes through the same registry checks as
// ONNX import, so a built graph is exactly as valid as an imported one.
import { VoltaError } from '../errors.ts';
import { checkInputs, inferNode, resolveAttrs } from '../ops/check.ts';
import { MAX_KNOWN_OPSET } from '../ops/elementwise.ts';
import { opDef } from '../ops/registry.ts';
import type { DType } from './dtype.ts';
import { type AttrValue, Graph, type Value } from './graph.ts';
import { checkShape } from './shape.ts';
import type { TensorData } from './tensor.ts';

export class GraphBuilder {
  private readonly g: Graph;
  private count = 0;

  constructor(name: string, opts: { opset?: number } = {}) {
    this.g = new Graph(name, opts.opset ?? MAX_KNOWN_OPSET);
  }

  input(name: string, dtype: DType, shape: readonly number[]): Value {
    const v = this.g.addValue({ name, dtype, shape: checkShape(shape, { what: `input ${JSON.stringify(name)}` }) });
    this.g.inputs.push(v.id);
    return v;
  }

  constant(name: string, data: TensorData): Value {
    return this.g.addValue({ name, dtype: data.dtype, shape: checkShape(data.shape, { what: `constant ${JSON.stringify(name)}` }), data });
  }

  /** Adds a node; returns its outputs. `optional` inputs may be passed as undefined. */
  ops(op: string, inputs: readonly (Value | undefined)[], attrs: Record<string, AttrValue> = {}, name?: string): Value[] {
    const def = opDef(op);
    const nodeName = name ?? `${op.toLowerCase()}${this.count++}`;
    const node = { name: nodeName, op };
    if (def === undefined) throw new VoltaError('VOLTA_E_UNSUPPORTED_OP', { node: nodeName, op, found: `op ${op} is not in the registry` });
    const r = resolveAttrs(def, node, attrs, this.g.opset);
    const problems = [...r.problems, ...checkInputs(def, node, inputs)];
    if (problems.length > 0) throw problems[0];
    const ctx = { node, inputs, attrs: r.attrs, opset: this.g.opset };
    if (def.lowering.kind === 'constant') return [this.constant(nodeName, def.lowering.value(ctx))];
    const outs = inferNode(def, ctx);
    const values = outs.map((o, i) => this.g.addValue({ name: outs.length === 1 ? nodeName : `${nodeName}:${i}`, dtype: o.dtype, shape: o.shape }));
    this.g.addNode({ name: nodeName, op, inputs: inputs.map((v) => v?.id ?? ''), outputs: values.map((v) => v.id), attrs: r.attrs });
    return values;
  }

  op(op: string, inputs: readonly (Value | undefined)[], attrs: Record<string, AttrValue> = {}, name?: string): Value {
    return this.ops(op, inputs, attrs, name)[0];
  }

  output(v: Value): void {
    this.g.outputs.push(v.id);
  }

  build(): Graph {
    return this.g.clone();
  }
}
