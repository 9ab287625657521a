// CUDA fields of a conv run as an implicit GEMM on the matmul block tiles (WindowPlan.cudaGemm): per
// tile (image, group, block of output channels, block of output positions), K slabs of the weights
// (A: channel x (c, kernel row, kernel column)) and of the virtual im2col matrix (B: (c, kernel row,
// kernel column) x position, +0 for padding) pass through shared memory, and every output adds its
// products for k = 0..K-1 in increasing order from +0: the window order of the C reference.
import { numel } from '../../ir/shape.ts';
import type { CudaMatmulTile, WindowPlan } from '../../kernels/plan.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';

export function convCudaGemmFields(p: WindowPlan, t: CudaMatmulTile) {
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const kk = cg * numel(p.kernel);
  const positions = numel(p.outSpatial);
  const oVars = p.outSpatial.map((_, i) => `o${i}`);
  const kVars = p.kernel.map((_, i) => `k${i}`);
  const iVars = p.kernel.map((_, i) => `i${i}`);
  const inStrides = contiguous([p.n, p.c, ...p.inSpatial]);
  const spatial = offsetExpr(iVars, inStrides.slice(2));
  const inside = iVars.map((v, i) => `${v} >= 0 && ${v} < ${p.inSpatial[i]}`).join(' && ');
  return {
    cudaGemm: true,
    ...t,
    tnThreads: t.bn / t.tn,
    slabs: Math.ceil(kk / t.bk),
    aRegs: Math.ceil((t.bk * t.bm) / t.threads),
    bRegs: Math.ceil((t.bk * t.bn) / t.threads),
    mg,
    kk,
    positionsCount: positions,
    gemmDims: `implicit GEMM per image and group: M ${mg} channels, N ${positions} positions, K ${kk} (channel, kernel row, kernel column)`,
    tileDecompose: decompose('tile', ['n', 'g', 'ib', 'jb'], [p.n, p.group, Math.ceil(mg / t.bm), Math.ceil(positions / t.bn)]),
    /** B element (kq, j): the input under kernel tap kq of output position j, +0 in the padding. */
    bDecompose: [...decompose('kq', ['c', ...kVars], [cg, ...p.kernel]), ...decompose('j', oVars, p.outSpatial)],
    bPositions: iVars.map((v, i) => `const int64_t ${v} = ${oVars[i]} * ${p.strides[i]} + ${kVars[i]} * ${p.dilations[i]} - ${p.padsBegin[i]};`),
    bInside: inside,
    bLoad: `x[n * ${inStrides[0]} + (g * ${cg} + c) * ${inStrides[1]}${spatial === '0' ? '' : ` + ${spatial}`}]`,
    outDecompose: decompose('j', oVars, p.outSpatial),
    cudaLaunch: { blocks: Math.min(65535, t.tiles), threads: t.threads },
  };
}
