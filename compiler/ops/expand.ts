// Adds a checked registry node to a graph, and expands decomposed ops into
// such nodes. Shared by the TS GraphBuilder and ONNX import, so both accept
// and lower exactly the same graphs.
import { invariant, VoltaError } from '../ir/errors.ts';
import type { AttrValue, Graph, Value } from '../ir/graph.ts';
import { checkShape, sameShape } from '../ir/shape.ts';
import type { TensorData } from '../ir/tensor.ts';
import { checkInputs, inferNode, resolveAttrs } from './check.ts';
import type { Emitter, NodeCtx, OpDef } from './define.ts';
import { opDef } from './registry.ts';

/** Adds one node after the registry checks; returns its output values (or the constant it folds to). */
export function addCheckedNode(
  g: Graph,
  op: string,
  inputs: readonly (Value | undefined)[],
  attrs: Readonly<Record<string, AttrValue>>,
  name: string,
): Value[] {
  const def = opDef(op);
  const node = { name, op };
  if (def === undefined) throw new VoltaError('VOLTA_E_UNSUPPORTED_OP', { node: name, op, found: `op ${op} is not in the registry` });
  const r = resolveAttrs(def, node, attrs, g.opset);
  const problems = [...r.problems, ...checkInputs(def, node, inputs)];
  if (problems.length > 0) throw problems[0];
  const ctx: NodeCtx = { node, inputs, attrs: r.attrs, opset: g.opset };
  if (def.lowering.kind === 'constant') {
    const data = def.lowering.value(ctx);
    return [g.addValue({ name, dtype: data.dtype, shape: checkShape(data.shape, { node: name, op, what: 'output' }), data })];
  }
  const outs = inferNode(def, ctx);
  if (def.lowering.kind === 'decompose')
    return expandNode(
      g,
      def,
      ctx,
      outs.map((_, i) => (outs.length === 1 ? name : `${name}:${i}`)),
    );
  const values = outs.map((o, i) => g.addValue({ name: outs.length === 1 ? name : `${name}:${i}`, dtype: o.dtype, shape: o.shape }));
  g.addNode({ name, op, inputs: inputs.map((v) => v?.id ?? ''), outputs: values.map((v) => v.id), attrs: r.attrs });
  return values;
}

/** Expands a decomposed op; result i is renamed to outNames[i] (the op's own output names). */
export function expandNode(g: Graph, def: OpDef, ctx: NodeCtx, outNames: readonly string[]): Value[] {
  invariant(def.lowering.kind === 'decompose', `${def.name} is not a decomposition`);
  const declared = inferNode(def, ctx);
  if (outNames.length > declared.length) {
    throw new VoltaError('VOLTA_E_UNSUPPORTED_OP', {
      node: ctx.node.name,
      op: def.name,
      found: `${outNames.length} outputs`,
      expected: `${declared.length} with these attributes (${def.outputs.slice(0, declared.length).join(', ')})`,
    });
  }
  let k = 0;
  const emitter: Emitter = {
    op: (op, inputs, attrs = {}) => addCheckedNode(g, op, inputs, attrs, `${ctx.node.name}/${k++}_${op}`)[0],
    constant: (data: TensorData) => g.addValue({ name: `${ctx.node.name}/${k++}_const`, dtype: data.dtype, shape: data.shape, data }),
  };
  const results = def.lowering.build(ctx, emitter);
  const expected = declared;
  return outNames.map((name, i) => {
    const v = results[i];
    invariant(
      v !== undefined && v.dtype === expected[i].dtype && sameShape(v.shape, expected[i].shape),
      `decomposition of ${def.name} changed output ${i}: ${v === undefined ? 'missing' : `${v.dtype}[${v.shape}]`}, declared ${expected[i].dtype}[${expected[i].shape}]`,
    );
    const renamed = { ...v, name };
    g.setValue(renamed);
    return renamed;
  });
}
