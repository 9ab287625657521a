// Reverse-mode automatic differentiation as an IR rewrite: a forward graph becomes a
// joint forward + backward graph made of registry ops, which then goes through the same
// passes, schedule, fingerprint and backends as any graph. Each op's rule is its
// registry entry's `grad` (compiler/ops/); nothing here knows about particular ops.
//
// Order is fixed: nodes are visited in reverse graph order, and the contributions to a
// value's gradient are added left to right in the order they were produced.
import { invariant, VoltaError } from '../ir/errors.ts';
import type { Graph, Value } from '../ir/graph.ts';
import { sameShape, shapeStr } from '../ir/shape.ts';
import { makeTensor, type TensorData } from '../ir/tensor.ts';
import type { Emitter, GradCtx } from '../ops/define.ts';
import { addCheckedNode } from '../ops/expand.ts';
import { lowerCtx, nodeDef } from '../ops/lowering.ts';

export interface Differentiated {
  /** The forward graph with the backward nodes appended (outputs unchanged). */
  readonly graph: Graph;
  /** Value id of d(loss)/d(x) for each requested id, in request order. */
  readonly grads: readonly string[];
}

/** Emitters that append registry-checked nodes (and constants) to g, named `<prefix>/<k>_<op>` with k counting up. */
export function graphEmitter(g: Graph): (prefix: string) => Emitter {
  let count = 0;
  return (prefix) => ({
    op: (op, inputs, attrs = {}) => addCheckedNode(g, op, inputs, attrs, `${prefix}/${count++}_${op}`)[0],
    constant: (data: TensorData) => g.addValue({ name: `${prefix}/${count++}_const`, dtype: data.dtype, shape: data.shape, data }),
  });
}

/**
 * Differentiates the scalar float32 value `loss` with respect to `wrt` (value ids: graph
 * inputs or any float32 values of g). A node on a path from `wrt` to `loss` whose op has
 * no gradient rule, or whose rule gives none for a needed input, is VOLTA_E_NO_GRADIENT.
 * A requested value the loss does not depend on gets an exact zero gradient.
 */
export function differentiate(g0: Graph, loss: string, wrt: readonly string[]): Differentiated {
  const g = g0.clone();
  const lv = g.value(loss);
  if (lv.dtype !== 'float32' || lv.shape.length !== 0) {
    throw new VoltaError('VOLTA_E_SHAPE', { found: `the loss is ${lv.dtype}${shapeStr(lv.shape)}`, expected: 'a float32 scalar (shape [])' });
  }
  for (const id of wrt) {
    const v = g.value(id);
    if (v.dtype !== 'float32')
      throw new VoltaError('VOLTA_E_UNSUPPORTED_DTYPE', {
        found: `cannot differentiate with respect to ${v.dtype} value ${JSON.stringify(v.name)}`,
        expected: 'float32',
      });
  }
  // Values that depend on a requested value (only float32 values carry gradients).
  const active = new Set<string>(wrt);
  for (const n of g.nodes) {
    if (!n.inputs.some((i) => active.has(i))) continue;
    for (const o of n.outputs) if (o !== '' && g.value(o).dtype === 'float32') active.add(o);
  }
  // Values the loss depends on.
  const relevant = new Set<string>([loss]);
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k];
    if (n.outputs.some((o) => relevant.has(o))) for (const i of n.inputs) if (i !== '') relevant.add(i);
  }

  const contributions = new Map<string, Value[]>();
  const push = (id: string, v: Value) => {
    const list = contributions.get(id);
    if (list) list.push(v);
    else contributions.set(id, [v]);
  };
  const emitterFor = graphEmitter(g);
  /** The accumulated gradient of a value: its contributions added in production order. */
  const total = (id: string, e: Emitter): Value | undefined => {
    const list = contributions.get(id);
    if (list === undefined) return undefined;
    const sum = list.reduce((acc, v) => e.op('Add', [acc, v]));
    contributions.set(id, [sum]);
    return sum;
  };

  push(loss, emitterFor('grad/seed').constant(makeTensor('float32', [], [1])));
  const forward = [...g.nodes];
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k];
    if (!node.outputs.some((o) => active.has(o) && relevant.has(o))) continue;
    const e = emitterFor(`${node.name}/grad`);
    const dOutputs = node.outputs.map((o) => (o === '' ? undefined : total(o, e)));
    if (dOutputs.every((d) => d === undefined)) continue;
    const needs = node.inputs.map((i) => i !== '' && active.has(i));
    if (!needs.some(Boolean)) continue;
    const def = nodeDef(node);
    if (def.grad === undefined) {
      throw new VoltaError('VOLTA_E_NO_GRADIENT', {
        node: node.name,
        op: node.op,
        found: `${node.op} has no gradient rule`,
        hint: 'keep the op off the path from the trained values to the loss, or add a grad rule to its registry entry',
      });
    }
    const ctx: GradCtx = { ...lowerCtx(g, node), dOutputs, needs };
    const grads = def.grad(ctx, e);
    node.inputs.forEach((id, i) => {
      if (!needs[i]) return;
      const gv = grads[i];
      const x = g.value(id);
      if (gv === undefined) {
        throw new VoltaError('VOLTA_E_NO_GRADIENT', {
          node: node.name,
          op: node.op,
          found: `${node.op} gives no gradient for its input ${def.inputs[Math.min(i, def.inputs.length - 1)]?.name ?? i} (#${i})`,
          hint: 'that input must not depend on the trained values',
        });
      }
      invariant(
        gv.dtype === x.dtype && sameShape(gv.shape, x.shape),
        `gradient rule of ${node.op} gave ${gv.dtype}${shapeStr(gv.shape)} for input ${i} of ${x.dtype}${shapeStr(x.shape)}`,
      );
      push(id, gv);
    });
  }
  const e = emitterFor('grad/result');
  const grads = wrt.map((id) => total(id, e) ?? e.constant(makeTensor('float32', g.value(id).shape)));
  return { graph: g, grads: grads.map((v) => v.id) };
}
