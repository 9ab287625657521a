// Registry queries about graph nodes: the lowering context a node's entry
// reads, and what kind of lowering it declares. Passes and the kernel layer
// ask these instead of dispatching on op names.
import { invariant } from '../ir/errors.ts';
import type { Graph, Node } from '../ir/graph.ts';
import type { LowerCtx, OpDef } from './define.ts';
import { opDef } from './registry.ts';

export function lowerCtx(g: Graph, node: Node): LowerCtx {
  return {
    node: { name: node.name, op: node.op, id: node.id },
    inputs: node.inputs.map((i) => (i === '' ? undefined : g.value(i))),
    attrs: node.attrs,
    opset: g.opset,
    outputs: node.outputs.map((o) => g.value(o)),
  };
}

export function nodeDef(node: Node): OpDef {
  const d = opDef(node.op);
  invariant(d !== undefined, `no registry entry for ${node.op}`);
  return d;
}

export function isAlias(node: Node): boolean {
  return nodeDef(node).lowering.kind === 'alias';
}

export function isElementwise(node: Node): boolean {
  return nodeDef(node).lowering.kind === 'elementwise';
}
