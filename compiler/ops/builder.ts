// Writing graphs in TS. Every node goes through the same registry checks as
// ONNX import, so a built graph is exactly as valid as an imported one.

import type { DType } from '../ir/dtype.ts';
import { type AttrValue, Graph, type Value } from '../ir/graph.ts';
import { checkShape } from '../ir/shape.ts';
import type { TensorData } from '../ir/tensor.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';
import { addCheckedNode } from './expand.ts';

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

  /** Adds a node (registry-checked, decompositions expanded); returns its outputs. */
  ops(op: string, inputs: readonly (Value | undefined)[], attrs: Record<string, AttrValue> = {}, name?: string): Value[] {
    return addCheckedNode(this.g, op, inputs, attrs, name ?? `${op.toLowerCase()}${this.count++}`);
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
