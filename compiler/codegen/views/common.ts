// Shared pieces of kernel views: the view shape every template receives, the
// header comment, and the statement lists most kinds print.
import { DTYPES } from '../../ir/dtype.ts';
import type { KernelPlan } from '../../kernels/plan.ts';
import type { Operand } from '../../ops/compute.ts';
import type { Expr } from '../../ops/expr.ts';
import type { Dialect } from '../dialect.ts';
import { offsetExpr } from '../index_math.ts';
import { comment } from '../names.ts';
import { renderExpr } from '../render_expr.ts';

export interface KernelView {
  readonly kind: KernelPlan['kind'];
  readonly name: string;
  readonly header: string;
  readonly params: string;
  /** Independent work items (the plan's partition): CUDA runs one thread per item. */
  readonly items: number;
  readonly [key: string]: unknown;
}

export function header(plan: KernelPlan, name: string): string {
  const nodes = plan.nodes.map(comment).join(', ');
  return `/* ${name}: ${plan.ops.join(' -> ')}${nodes ? ` | nodes ${nodes}` : ''} */`;
}

export function bodyLines(body: readonly Expr[], args: readonly string[]): string[] {
  return body.map((e, j) => `const ${DTYPES[e.dtype].c} t${j} = ${renderExpr(e, args)};`);
}

export function loads(ops: readonly Operand[], names: readonly string[], vars: readonly string[], strides: readonly (readonly number[])[]): string[] {
  return ops.map((o, n) => `const ${DTYPES[o.dtype].c} x${n} = ${names[n]}[${offsetExpr(vars, strides[n], o.offset)}];`);
}

export function params(d: Dialect, ins: readonly { dtype: keyof typeof DTYPES }[], out: { dtype: keyof typeof DTYPES }, inNames: readonly string[]): string {
  return [...ins.map((o, n) => `const ${DTYPES[o.dtype].c} *${d.restrict} ${inNames[n]}`), `${DTYPES[out.dtype].c} *${d.restrict} out`].join(', ');
}
