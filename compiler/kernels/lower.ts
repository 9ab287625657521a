// Lowering: turns graph nodes (grouped by the fusion pass) into kernel plans.
// One plan per group; elementwise members of a group become let-bindings of
// the anchor's body, so a fused chain is one loop with no intermediate buffers.
// The fused computation then gets its loop decisions from planKernel.
import { invariant } from '../ir/errors.ts';
import type { Graph, Node, Value } from '../ir/graph.ts';
import { broadcastStrides, contiguousStrides, numel } from '../ir/shape.ts';
import { toNumbers } from '../ir/tensor.ts';
import type { Compute, Operand } from '../ops/compute.ts';
import { arg, type Expr, lit } from '../ops/expr.ts';
import { nodeDef as def, lowerCtx } from '../ops/lowering.ts';
import { BASELINE_TARGET, type ElementwisePlan, type KernelPlan, type PlanTarget } from './plan.ts';
import { planKernel } from './plan_kernel.ts';

/** A scalar constant small enough to print inline instead of loading it. */
function inlineConstant(v: Value): Expr | undefined {
  if (v.data === undefined || numel(v.shape) !== 1 || v.dtype === 'bool') return undefined;
  const x = toNumbers(v.data)[0];
  if (v.dtype === 'int64' && !Number.isSafeInteger(x)) return undefined;
  return lit(x, v.dtype);
}

/** A pool's Indices that nothing reads (not a graph output, no consumer) are not computed (WindowCompute.indices). */
function dropDeadIndices(g: Graph, c: Compute): Compute {
  if (c.kind !== 'window' || c.indices === undefined) return c;
  const id = c.indices.buf;
  if (g.outputs.includes(id) || g.nodes.some((n) => n.inputs.includes(id))) return c;
  const { indices: _dead, ...rest } = c;
  return rest;
}

/**
 * Lowers a group (nodes in schedule order: an anchor, then elementwise nodes
 * each consuming the previous member's output) into one kernel plan.
 */
export function lowerGroup(g: Graph, nodes: readonly Node[], target: PlanTarget = BASELINE_TARGET): KernelPlan {
  return planKernel(fuseGroup(g, nodes), target, (id) => g.values.get(id)?.data);
}

/** The group's fused computation: the anchor's, with each member's scalar appended to its body. */
function fuseGroup(g: Graph, nodes: readonly Node[]): Compute {
  const anchor = nodes[0];
  const lowering = def(anchor).lowering;
  let c: Compute;
  let members = nodes;
  if (lowering.kind === 'kernel') {
    c = dropDeadIndices(g, lowering.compute(lowerCtx(g, anchor)));
    members = nodes.slice(1);
    if (members.length === 0) return c;
    invariant(c.kind === 'matmul' || c.kind === 'window' || c.kind === 'elementwise', `cannot fuse into a ${c.kind} kernel`);
  } else {
    invariant(lowering.kind === 'elementwise', `cannot lower ${anchor.op} as a kernel`);
    const out = g.value(anchor.outputs[0]);
    c = { kind: 'elementwise', name: '', ops: [], nodes: [], shape: out.shape, inputs: [], out: { buf: out.id, dtype: out.dtype }, body: [] };
  }
  // Fused members read the group's previous result as a let, other inputs as broadcast operands.
  const withEpilogue = c.kind === 'matmul' || c.kind === 'window';
  const shape = c.kind === 'matmul' ? [...c.batch, c.m, c.n] : c.kind === 'window' ? [c.n, c.m, ...c.outSpatial] : c.shape;
  const operands: Operand[] = [...(c.kind === 'elementwise' ? c.inputs : c.epilogueInputs)];
  const body: Expr[] = [...c.body];
  const lets = new Map<string, number>();
  if (body.length > 0) lets.set(c.out.buf, body.length - 1);
  const argBase = withEpilogue ? 1 : 0;
  const ops = [...c.ops];
  const names = [...c.nodes];
  let out = c.out;
  for (const node of members) {
    const d = def(node);
    invariant(d.lowering.kind === 'elementwise', `fused member ${node.op} is not elementwise`);
    const ctx = lowerCtx(g, node);
    const args = ctx.inputs.map((v, i): Expr | undefined => {
      // Compile-time inputs (Expand's shape, CastLike's target) are read by the op entry, not loaded.
      if (v === undefined || d.inputs[i]?.constant || d.inputs[i]?.typeOnly) return undefined;
      const l = lets.get(v.id);
      if (l !== undefined) return { k: 'let', i: l, dtype: v.dtype };
      const inline = inlineConstant(v);
      if (inline !== undefined) return inline;
      let at = operands.findIndex((o) => o.buf === v.id && sameStrides(o.strides, broadcastStrides(v.shape, shape)));
      if (at < 0) {
        operands.push({ buf: v.id, dtype: v.dtype, strides: broadcastStrides(v.shape, shape), offset: 0 });
        at = operands.length - 1;
      }
      return arg(at + argBase, v.dtype);
    });
    body.push(d.lowering.scalar(args, ctx));
    const o = ctx.outputs[0];
    lets.set(o.id, body.length - 1);
    out = { buf: o.id, dtype: o.dtype };
    ops.push(node.op);
    names.push(node.name);
  }
  const name = ops.map((o) => o.toLowerCase()).join('_');
  if (c.kind === 'matmul' || c.kind === 'window') return { ...c, name, ops, nodes: names, epilogueInputs: operands, body, out };
  return { ...c, name, ops, nodes: names, inputs: operands, body, out };
}

function sameStrides(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A contiguous copy from storage `from` (holding `src`) to `dst`, for graph outputs that must not share storage. */
export function copyPlan(src: Value, from: string, dst: string): ElementwisePlan {
  return planKernel({
    kind: 'elementwise',
    name: 'copy',
    ops: ['Copy'],
    nodes: [src.name],
    shape: src.shape,
    inputs: [{ buf: from, dtype: src.dtype, strides: contiguousStrides(src.shape), offset: 0 }],
    out: { buf: dst, dtype: src.dtype },
    body: [arg(0, src.dtype)],
  }) as ElementwisePlan;
}
