import type { SoftmaxPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { decompose, offsetExpr } from '../index_math.ts';
import { header, type KernelView, taskFields } from './common.ts';

export function softmaxView(p: SoftmaxPlan, name: string, d: Dialect): KernelView {
  // Rows are [outer, inner] pairs; size-1 dims drop out of loops and index math.
  const rowDims = [p.outer, p.inner].map((extent, i) => ({ v: i === 0 ? 'o' : 'q', extent })).filter((x) => x.extent !== 1);
  const vars = rowDims.map((x) => x.v);
  const strides = rowDims.map((x) => (x.v === 'o' ? p.axis * p.inner : 1));
  const at = (r: string) => `in[base + ${p.inner === 1 ? r : `${r} * ${p.inner}`}]`;
  return {
    kind: 'softmax',
    name,
    header: header(p, name),
    params: `const float *${d.restrict} in, float *${d.restrict} out`,
    items: p.partition.items,
    ...taskFields(p),
    outer: p.outer,
    axis: p.axis,
    inner: p.inner,
    log: p.log,
    lanes: p.lanes,
    half: p.lanes >> 1,
    /** C: the max taken lane-wise (vectorises); CUDA keeps one running max per thread (no local array). */
    laneMax: d.name === 'c',
    loops: rowDims,
    decompose: decompose(
      't',
      vars,
      rowDims.map((x) => x.extent),
    ),
    base: offsetExpr(vars, strides),
    x: at('r'),
    y: at('r').replace(/^in/, 'out'),
    // CUDA: a row per block of `lanes` threads (templates/cuda/softmax.hbs), else a thread per row.
    rowBlock: p.cudaRowBlock === true,
    ...(p.cudaRowBlock ? { cudaLaunch: { blocks: Math.min(65535, p.partition.items), threads: p.lanes } } : {}),
  };
}
