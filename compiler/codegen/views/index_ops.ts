// Views of the axis-scan kinds (arg_reduce, topk, cumsum: one item per [outer, inner] row of the
// axis) and of scatter_rows (one item per output row). TS computes every expression here.
import { DTYPES } from '../../ir/dtype.ts';
import { cumsumStep, scatterCombine } from '../../kernels/index_order.ts';
import type { ArgReducePlan, CumSumPlan, ScatterRowsPlan, TopKPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { decompose } from '../index_math.ts';
import { renderExpr } from '../render_expr.ts';
import { header, type KernelView, taskFields } from './common.ts';

type AxisPlan = ArgReducePlan | TopKPlan | CumSumPlan;

/** Zero of a dtype without a macro call (valid C and CUDA for every type). */
const zero = (dtype: string) => (dtype === 'float32' ? '0.0f' : '0');

/** Fields every axis-scan view has: row decomposition, base offset, element address. */
function axisFields(p: AxisPlan, name: string) {
  return {
    name,
    header: header(p, name),
    items: p.partition.items,
    ...taskFields(p),
    dims: `outer ${p.outer}, axis ${p.axis}, inner ${p.inner}`,
    decompose: decompose('t', ['o', 'i'], [p.outer, p.inner]),
    base: `o * ${p.axis * p.inner} + i`,
    axis: p.axis,
    inner: p.inner,
    ctype: DTYPES[p.input.dtype].c,
  };
}

export function argReduceView(p: ArgReducePlan, name: string, d: Dialect): KernelView {
  const op = p.max ? (p.lastIndex ? '>=' : '>') : p.lastIndex ? '<=' : '<';
  return {
    kind: 'arg_reduce',
    ...axisFields(p, name),
    params: `const ${DTYPES[p.input.dtype].c} *${d.restrict} in, int64_t *${d.restrict} out`,
    rule: `${p.max ? 'max' : 'min'}, ${p.lastIndex ? 'last' : 'first'} index wins`,
    better: `v ${op} best`,
  };
}

/** C text of "(a, ja) ranks before (b, jb)" in TopK's total order (see TopKCompute). */
function before(p: TopKPlan, a: string, ja: string, b: string, jb: string): string {
  const cmp = `(${a} ${p.largest ? '>' : '<'} ${b} || (${a} == ${b} && ${ja} < ${jb}))`;
  if (p.input.dtype !== 'float32') return cmp;
  return `((${a} != ${a}) ? ((${b} != ${b}) ? ${ja} < ${jb} : 1) : ((${b} != ${b}) ? 0 : ${cmp}))`;
}

export function topkView(p: TopKPlan, name: string, d: Dialect): KernelView {
  const c = DTYPES[p.input.dtype].c;
  return {
    kind: 'topk',
    ...axisFields(p, name),
    params: `const ${c} *${d.restrict} in, ${c} *${d.restrict} values${p.indices ? `, int64_t *${d.restrict} indices` : ''}`,
    hasIndices: p.indices !== undefined,
    k: p.k,
    rule: p.largest ? 'largest' : 'smallest',
    after: before(p, 'pv', 'pj', 'v', 'j'),
    better: before(p, 'v', 'j', 'bv', 'bj'),
    zero: zero(p.input.dtype),
    outAt: `(o * ${p.k} + r) * ${p.inner} + i`,
  };
}

export function cumsumView(p: CumSumPlan, name: string, d: Dialect): KernelView {
  const c = DTYPES[p.input.dtype].c;
  return {
    kind: 'cumsum',
    ...axisFields(p, name),
    params: `const ${c} *${d.restrict} in, ${c} *${d.restrict} out`,
    rule: `${p.exclusive ? 'exclusive' : 'inclusive'}, ${p.reverse ? 'last to first' : 'first to last'}`,
    j: p.reverse ? `${p.axis - 1} - s` : 's',
    exclusive: p.exclusive,
    zero: zero(p.input.dtype),
    step: renderExpr(cumsumStep(p.input.dtype), ['acc', p.exclusive ? 'prev' : 'v']),
  };
}

export function scatterRowsView(p: ScatterRowsPlan, name: string, d: Dialect): KernelView {
  const c = DTYPES[p.data.dtype].c;
  return {
    kind: 'scatter_rows',
    name,
    header: header(p, name),
    params: `const ${c} *${d.restrict} data, const int64_t *${d.restrict} indices, const ${c} *${d.restrict} updates, ${c} *${d.restrict} out`,
    items: p.partition.items,
    ...taskFields(p),
    serial: p.serial,
    rows: p.rows,
    dims: `rows ${p.rows}, inner ${p.inner}, ${p.count} update rows${p.serial ? ' (one serial item)' : ''}, reduction ${p.reduction}${p.reduction === 'max' || p.reduction === 'min' ? ` (ties and NaN keep the ${p.keep} value)` : ''}`,
    inner: p.inner,
    count: p.count,
    ctype: c,
    combine: renderExpr(scatterCombine(p.reduction, p.keep, p.data.dtype), ['dst[i]', 'src[i]']),
  };
}
