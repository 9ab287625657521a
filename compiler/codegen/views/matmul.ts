// View of a matmul kernel: K innermost and increasing for every output.
import { DTYPES } from '../../ir/dtype.ts';
import type { MatmulPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';
import { bodyLines, header, type KernelView, loads } from './common.ts';

export function matmulView(p: MatmulPlan, name: string, d: Dialect): KernelView {
  const bvars = p.batch.map((_, i) => `b${i}`);
  const full = [...p.batch, p.m, p.n];
  const epNames = p.epilogueInputs.map((_, n) => `e${n}`);
  const ijVars = [...bvars, 'i', 'j'];
  const args = ['acc', ...p.epilogueInputs.map((_, n) => `x${n}`)];
  return {
    kind: 'matmul',
    name,
    header: header(p, name),
    params: [
      `const float *${d.restrict} a`,
      `const float *${d.restrict} b`,
      ...p.epilogueInputs.map((o, n) => `const ${DTYPES[o.dtype].c} *${d.restrict} ${epNames[n]}`),
      `${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    ].join(', '),
    items: p.partition.items,
    m: p.m,
    n: p.n,
    k: p.k,
    dims: `batch [${p.batch.join(', ')}], M ${p.m}, N ${p.n}, K ${p.k}`,
    batchLoops: p.batch.map((extent, i) => ({ v: bvars[i], extent })),
    decompose: decompose('idx', ijVars, full),
    rows: p.tile.form === 'rows',
    tileN: p.tile.n,
    aIndex: offsetExpr([...bvars, 'i', 'kk'], [...p.a.batchStrides, p.a.rowStride, p.a.colStride], p.a.offset),
    bRow: offsetExpr([...bvars, 'kk'], [...p.b.batchStrides, p.b.rowStride], p.b.offset),
    bIndex: offsetExpr([...bvars, 'kk', 'j'], [...p.b.batchStrides, p.b.rowStride, p.b.colStride], p.b.offset),
    loads: loads(
      p.epilogueInputs,
      epNames,
      ijVars,
      p.epilogueInputs.map((o) => o.strides),
    ),
    body: bodyLines(p.body, args),
    store: `out[${offsetExpr(ijVars, contiguous(full))}] = t${p.body.length - 1};`,
  };
}
