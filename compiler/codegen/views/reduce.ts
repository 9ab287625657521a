// View of a reduction: lanes over the reduced elements, then the halving tree.
import { DTYPES } from '../../ir/dtype.ts';
import { numel } from '../../ir/shape.ts';
import type { ReducePlan } from '../../kernels/plan.ts';
import type { Expr } from '../../ops/expr.ts';
import type { Dialect } from '../dialect.ts';
import { collapseDims, contiguous, decompose, offsetExpr } from '../index_math.ts';
import { renderExpr } from '../render_expr.ts';
import { bodyLines, header, type KernelView, taskFields } from './common.ts';

const INIT: Record<ReducePlan['init'], Record<string, string>> = {
  zero: { float32: '0.0f', int32: '0', int64: 'INT64_C(0)', bool: '0' },
  one: { float32: '1.0f', int32: '1', int64: 'INT64_C(1)', bool: '1' },
  lowest: { float32: '(-VOLTA_INF)', int32: 'INT32_MIN', int64: 'INT64_MIN', bool: '0' },
  highest: { float32: 'VOLTA_INF', int32: 'INT32_MAX', int64: 'INT64_MAX', bool: '1' },
};

export function reduceView(p: ReducePlan, name: string, d: Dialect): KernelView {
  const k = collapseDims(p.kept, [p.input.strides, contiguous(p.kept)]);
  const r = collapseDims(p.reduced, [p.input.reducedStrides]);
  const kVars = k.shape.map((_, i) => `k${i}`);
  const rVars = r.shape.map((_, i) => `r${i}`);
  const t = DTYPES[p.accDtype].c;
  const combine = (b: Expr): string =>
    renderExpr({ k: 'binary', op: p.combine, a: { k: 'arg', i: 0, dtype: p.accDtype }, b, dtype: p.accDtype }, ['lane[l]', 'lane[l + s]']);
  const count = numel(p.reduced);
  // One reduced dim after collapsing: walk it in chunks of `lanes`; otherwise count elements in nested loops.
  const chunked = r.shape.length <= 1;
  const at = chunked ? offsetExpr(['(e0 + l)'], [r.strides[0]?.[0] ?? 0]) : offsetExpr(rVars, r.strides[0]);
  const pre = combine({ k: 'let', i: p.pre.length - 1, dtype: p.accDtype });
  return {
    kind: 'reduce',
    name,
    header: header(p, name),
    params: `const ${DTYPES[p.input.dtype].c} *${d.restrict} in, ${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    items: p.partition.items,
    ...taskFields(p),
    dims: `kept [${p.kept.join(', ')}], reduced [${p.reduced.join(', ')}], ${p.lanes} lanes`,
    keptLoops: k.shape.map((extent, i) => ({ v: kVars[i], extent })),
    reducedLoops: r.shape.map((extent, i) => ({ v: rVars[i], extent })),
    decompose: decompose('idx', kVars, k.shape),
    accType: t,
    init: INIT[p.init][p.accDtype],
    lanes: p.lanes,
    half: p.lanes >> 1,
    count,
    chunked,
    base: offsetExpr(kVars, k.strides[0], p.input.offset),
    load: `const ${DTYPES[p.input.dtype].c} x0 = in[base + ${at}];`,
    pre: bodyLines(p.pre, ['x0']),
    combineChunk: `lane[l] = ${pre};`,
    combineCount: `{ const int64_t l = e & ${p.lanes - 1}; lane[l] = ${pre}; e++; }`,
    combineTree: `lane[l] = ${combine({ k: 'arg', i: 1, dtype: p.accDtype })};`,
    post: bodyLines(p.post, ['lane[0]']),
    store: `out[${offsetExpr(kVars, k.strides[1])}] = t${p.post.length - 1};`,
    // CUDA, a block of `lanes` threads per output (templates/cuda/reduce.hbs): thread l is lane l.
    rowBlock: p.cudaRowBlock === true,
    ...(p.cudaRowBlock ? blockFields(p, rVars, r.shape, r.strides[0] ?? []) : {}),
  };
}

function blockFields(p: ReducePlan, rVars: string[], shape: readonly number[], strides: readonly number[]): Record<string, unknown> {
  const combine = (a: string, b: Expr | string): string =>
    renderExpr(
      {
        k: 'binary',
        op: p.combine,
        a: { k: 'arg', i: 0, dtype: p.accDtype },
        b: typeof b === 'string' ? { k: 'arg', i: 1, dtype: p.accDtype } : b,
        dtype: p.accDtype,
      },
      [a, typeof b === 'string' ? b : ''],
    );
  return {
    eDecompose: decompose('e', rVars, shape),
    blockLoad: `const ${DTYPES[p.input.dtype].c} x0 = in[base + ${offsetExpr(rVars, strides)}];`,
    blockCombine: `acc = ${combine('acc', { k: 'let', i: p.pre.length - 1, dtype: p.accDtype })};`,
    treeCombine: `red[l] = ${combine('red[l]', 'red[l + s]')};`,
    blockPost: bodyLines(p.post, ['red[0]']),
    cudaLaunch: { blocks: Math.min(65535, p.partition.items), threads: p.lanes },
  };
}
