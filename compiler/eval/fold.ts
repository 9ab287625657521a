// Evaluates one node whose inputs are all constants, with the kernel plan and
// rounding of the generated code, so folding never changes a result bit. Used by
// the fold-constants pass and by import (shape computations must be known early).

import { DTYPES } from '../ir/dtype.ts';
import type { Graph, Node } from '../ir/graph.ts';
import { numel } from '../ir/shape.ts';
import { lowerGroup } from '../kernels/lower.ts';
import { isAlias } from '../ops/lowering.ts';
import { interpret } from './interpret.ts';

/** Whether foldNode can evaluate this node now. */
export function isFoldable(g: Graph, node: Node): boolean {
  const ins = node.inputs.filter((i) => i !== '');
  return ins.length > 0 && ins.every((i) => g.isConstant(i)) && node.outputs.length === 1;
}

/** Attaches the node's value to its output (the caller drops the node). Returns the rule applied. */
export function foldNode(g: Graph, node: Node): 'fold-view' | 'fold-kernel' {
  const out = g.value(node.outputs[0]);
  if (isAlias(node)) {
    const src = g.value(node.inputs[0]).data!;
    g.setValue({ ...out, data: { dtype: src.dtype, shape: out.shape, data: src.data } });
    return 'fold-view';
  }
  const plan = lowerGroup(g, [node]);
  const bufs = new Map(node.inputs.filter((i) => i !== '').map((i) => [i, g.value(i).data!.data]));
  const result = DTYPES[out.dtype].make(numel(out.shape));
  bufs.set(out.id, result);
  interpret(plan, bufs);
  g.setValue({ ...out, data: { dtype: out.dtype, shape: out.shape, data: result } });
  return 'fold-kernel';
}
