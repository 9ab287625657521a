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
  /**
   * C task form (the plan's partition): the C function takes `(params..., int64_t t0, int64_t t1,
   * float *restrict scratch)` and runs tasks [t0, t1); the pool runs `tasks` of them. A view
   * without `tasks` keeps the plain form and runs on the calling thread.
   */
  readonly tasks?: number;
  readonly work?: number;
  readonly [key: string]: unknown;
}

/** The task-form fields every C view adds (see KernelView.tasks). */
export function taskFields(p: KernelPlan): { tasks: number; work: number; perTask: number } {
  return { tasks: p.partition.tasks, work: p.partition.work, perTask: p.partition.perTask };
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
