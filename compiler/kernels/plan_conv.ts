// Conv as an implicit GEMM on the matmul micro-kernel. Per image n and group g,
// out[m][v] = sum over k of w[m][k] * X[k][v], where k = (channel of the group,
// kernel row, kernel column) row-major -- exactly the window's per-output order -- and
// v runs over output positions. A task copies the input rows its block of output rows
// reads into its scratch, zero-padded and split by stride phase, so that for every k the
// positions of one output row are contiguous floats: X[k][v] = block[koff[k] + v] with
// v = row * wph + column (lanes with column >= OW are computed and dropped). 1x1 convs
// with stride 1 and no padding read the input in place (v = the flat position).
//
// Zero padding contributes w * 0 = +-0 to a sum that is never -0 (it starts at +0), which
// leaves it unchanged only when w is finite; so the GEMM form is used only for constant,
// all-finite weights, and the direct window loop (which skips padding) otherwise.
import type { TensorData } from '../ir/tensor.ts';
import type { WindowCompute } from '../ops/compute.ts';
import type { ConvGemm, Partition, PlanTarget } from './plan.ts';
import { matmulTile } from './tiles.ts';

/** Per-task scratch the copy mode aims to stay within (about half of a Zen 5 L2). */
const BLOCK_BYTES = 256 * 1024;

/** The GEMM form of a conv, or undefined when the direct loop must run it. */
export function convGemm(
  c: WindowCompute,
  target: PlanTarget,
  weight: TensorData | undefined,
): { gemm: ConvGemm; partition: Partition; scratch: number } | undefined {
  if (c.mode !== 'conv' || weight === undefined || weight.dtype !== 'float32' || c.inSpatial.length > 2) return undefined;
  const wd = weight.data as Float32Array;
  for (let i = 0; i < wd.length; i++) if (!Number.isFinite(wd[i])) return undefined;
  // Rank 1 is rank 2 with one row.
  const two = <T>(xs: readonly T[], one: T): [T, T] => (xs.length === 1 ? [one, xs[0]] : [xs[0], xs[1]]);
  const [H, W] = two(c.inSpatial, 1);
  const [OH, OW] = two(c.outSpatial, 1);
  const [KH, KW] = two(c.kernel, 1);
  const [sh, sw] = two(c.strides, 1);
  const [dh, dw] = two(c.dilations, 1);
  const [ph, pw] = two(c.padsBegin, 0);
  const [peh, pew] = two(c.padsEnd, 0);
  const cg = c.c / c.group;
  const mg = c.m / c.group;
  const k = cg * KH * KW;
  const inPlace = KH === 1 && KW === 1 && sh === 1 && sw === 1 && ph + pw + peh + pew === 0;
  const outRows = OH;
  const positions = OH * OW;
  const tile = matmulTile(mg, inPlace ? positions : OW * Math.min(OH, 4), k, target, true);
  // A task covers mc output channels (all of the group's when the weights fit in L2).
  const mc = tile.mr * Math.max(1, Math.min(Math.ceil(mg / tile.mr), Math.floor(BLOCK_BYTES / 4 / Math.max(1, k) / tile.mr)));
  const mBlocks = Math.ceil(mg / mc);
  const blocks = c.n * c.group * mBlocks;
  if (inPlace) {
    // Panels of nr positions, grouped so that tasks are ~64k multiply-adds and there are a few per thread.
    const panels = Math.ceil(positions / tile.nr);
    const perTask = Math.max(1, Math.min(panels, Math.ceil((1 << 16) / Math.max(1, mc * k * tile.nr)), Math.ceil((panels * blocks) / 8)));
    const pBlocks = Math.ceil(panels / perTask);
    const koff = Array.from({ length: cg }, (_, ch) => ch * H * W);
    return {
      gemm: {
        tile: { ...tile, mc },
        inPlace,
        koff,
        rows: outRows,
        wph: OW,
        hph: OH,
        sh,
        sw,
        dh,
        dw,
        ph,
        pw,
        mBlocks,
        vBlocks: pBlocks,
        panelsPerTask: perTask,
        blockFloats: 0,
      },
      partition: { items: c.n * c.m * positions, item: 'output', tasks: blocks * pBlocks, perTask: mc * perTask * tile.nr, work: c.n * c.m * positions * k },
      scratch: k * tile.nr * 4,
    };
  }
  // Copy mode: phase planes of the padded input, rows of a task's block only.
  const wp = W + pw + pew;
  const wph = Math.ceil(wp / sw);
  const planeRows = (rows: number) => rows - 1 + Math.ceil(((KH - 1) * dh + 1) / sh);
  const blockFloats = (rows: number) => {
    const hph = planeRows(rows);
    const cstride = sh * sw * hph * wph;
    const koffMax =
      (cg - 1) * cstride +
      ((((KH - 1) * dh) % sh) * sw + (((KW - 1) * dw) % sw)) * hph * wph +
      Math.floor(((KH - 1) * dh) / sh) * wph +
      Math.floor(((KW - 1) * dw) / sw);
    return Math.max(cg * cstride, koffMax + rows * wph + tile.nr);
  };
  // Rows per task: as many as keep the block within BLOCK_BYTES, but at least 4 tasks per image and group when possible.
  let rows = Math.max(1, Math.min(outRows, Math.ceil(outRows / Math.max(1, Math.ceil(8 / blocks)))));
  while (rows > 1 && blockFloats(rows) * 4 > BLOCK_BYTES) rows--;
  // Fewer rows when that computes fewer lanes in all (the last panel of a block is padded to nr lanes:
  // 56 x 56 with 3 x 3 kernels, 7 rows of 58 = 406 lanes take 480, 4 rows of 58 = 232 take 240).
  const lanes = (r: number) => {
    const panels = (n: number) => Math.ceil((n * wph) / tile.nr) * tile.nr;
    return Math.floor(outRows / r) * panels(r) + (outRows % r ? panels(outRows % r) : 0);
  };
  for (let r = rows - 1; r >= Math.ceil(rows / 2); r--) if (lanes(r) < lanes(rows)) rows = r;
  const hph = planeRows(rows);
  const cstride = sh * sw * hph * wph;
  const koff: number[] = [];
  for (let ch = 0; ch < cg; ch++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const rp = (kh * dh) % sh;
        const cp = (kw * dw) % sw;
        koff.push(ch * cstride + (rp * sw + cp) * hph * wph + Math.floor((kh * dh) / sh) * wph + Math.floor((kw * dw) / sw));
      }
    }
  }
  const rBlocks = Math.ceil(outRows / rows);
  return {
    gemm: {
      tile: { ...tile, mc },
      inPlace,
      koff,
      rows,
      wph,
      hph,
      sh,
      sw,
      dh,
      dw,
      ph,
      pw,
      mBlocks,
      vBlocks: rBlocks,
      panelsPerTask: 0,
      blockFloats: blockFloats(rows),
    },
    partition: { items: c.n * c.m * positions, item: 'output', tasks: blocks * rBlocks, perTask: mc * rows * OW, work: c.n * c.m * positions * k },
    scratch: blockFloats(rows) * 4,
  };
}
