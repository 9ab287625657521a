// View of a matmul kernel: K innermost and increasing for every output. The C
// template runs the plan's tiles (register tile, task blocks, B panels); CUDA
// runs the plan's block tiles (p.cuda: shared-memory slabs of A and B, a register tile per thread),
// or one thread per output when the plan has none, over the same B layout.
import { DTYPES } from '../../ir/dtype.ts';
import type { MatmulPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';
import { bodyLines, header, type KernelView, loads, taskFields } from './common.ts';

export function matmulView(p: MatmulPlan, name: string, d: Dialect): KernelView {
  const bvars = p.batch.map((_, i) => `b${i}`);
  const full = [...p.batch, p.m, p.n];
  const epNames = p.epilogueInputs.map((_, n) => `e${n}`);
  const ijVars = [...bvars, 'i', 'j'];
  const args = ['acc', ...p.epilogueInputs.map((_, n) => `x${n}`)];
  const t = p.tile;
  const packed = p.packedB !== undefined;
  // Packed panels: element (kk, j) at (j / nr) * k * nr + kk * nr + j % nr (batch-invariant: only a shared B is packed).
  const bIndex = packed
    ? `(j / ${t.nr}) * ${p.k * t.nr} + kk * ${t.nr} + (j % ${t.nr})`
    : offsetExpr([...bvars, 'kk', 'j'], [...p.b.batchStrides, p.b.rowStride, p.b.colStride], p.b.offset);
  const cu = p.cuda;
  const cuda = cu && {
    tiled: true,
    ...cu,
    tnThreads: cu.bn / cu.tn,
    slabs: Math.ceil(p.k / cu.bk),
    aRegs: Math.ceil((cu.bk * cu.bm) / cu.threads),
    bRegs: Math.ceil((cu.bk * cu.bn) / cu.threads),
    tileDecompose: decompose('tile', [...bvars, 'ib', 'jb'], [...p.batch, Math.ceil(p.m / cu.bm), Math.ceil(p.n / cu.bn)]),
    cudaLaunch: { blocks: Math.min(65535, cu.tiles), threads: cu.threads },
  };
  const mBlocks = Math.ceil(p.m / t.mc);
  const nBlocks = Math.ceil(p.n / t.nc);
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
    ...taskFields(p),
    m: p.m,
    n: p.n,
    k: p.k,
    dims: `batch [${p.batch.join(', ')}], M ${p.m}, N ${p.n}, K ${p.k}`,
    decompose: decompose('idx', ijVars, full),
    aIndex: offsetExpr([...bvars, 'i', 'kk'], [...p.a.batchStrides, p.a.rowStride, p.a.colStride], p.a.offset),
    bIndex,
    loads: loads(
      p.epilogueInputs,
      epNames,
      ijVars,
      p.epilogueInputs.map((o) => o.strides),
    ),
    body: bodyLines(p.body, args),
    store: `out[${offsetExpr(ijVars, contiguous(full))}] = t${p.body.length - 1};`,
    // C tiles.
    tile: `register tile ${t.mr} x ${t.nr} (${t.nv} vectors of ${t.vec}), task block ${t.mc} x ${t.nc}, B ${packed ? 'packed at compile time' : 'packed per task'} in ${t.nr}-column panels`,
    mr: t.mr,
    nv: t.nv,
    nr: t.nr,
    mc: t.mc,
    nc: t.nc,
    mrLast: p.m % t.mr,
    taskDecompose: decompose('t', [...bvars, 'ib', 'jb'], [...p.batch, mBlocks, nBlocks]),
    aBase: offsetExpr(bvars, p.a.batchStrides, p.a.offset),
    ars: p.a.rowStride,
    acs: p.a.colStride,
    packed,
    /** Runtime packing: B's element (kk, j) of this batch. */
    bLoad: `b[${offsetExpr([...bvars, 'kk', 'j'], [...p.b.batchStrides, p.b.rowStride, p.b.colStride], p.b.offset)}]`,
    panelStride: p.k * t.nr,
    // CUDA block tiles (templates/cuda/matmul.hbs); tiled: false renders one thread per output.
    ...(cuda ?? { tiled: false }),
  };
}
