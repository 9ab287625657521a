// The C fields of a conv run as an implicit GEMM (kernels/plan_conv.ts): task
// decomposition, the copy of a block's input rows into stride-phase planes, the
// koff table and the micro-kernel's tile.
import type { ConvGemm, WindowPlan } from '../../kernels/plan.ts';
import { decompose } from '../index_math.ts';

function table(xs: readonly number[]): string {
  const rows: string[] = [];
  for (let i = 0; i < xs.length; i += 16) rows.push(`  ${xs.slice(i, i + 16).join(', ')},`);
  return rows.join('\n');
}

export function convGemmFields(p: WindowPlan, g: ConvGemm) {
  const rank2 = p.inSpatial.length === 2;
  const [H, W] = rank2 ? p.inSpatial : [1, p.inSpatial[0]];
  const [OH, OW] = rank2 ? p.outSpatial : [1, p.outSpatial[0]];
  const KH = rank2 ? p.kernel[0] : 1;
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const t = g.tile;
  return {
    gemm: true,
    inPlace: g.inPlace,
    gemmDesc: `implicit GEMM per image and group: ${mg} channels x ${OH * OW} positions, K ${g.koff.length === cg && g.inPlace ? cg : g.koff.length} (channel, kernel row, kernel column); register tile ${t.mr} x ${t.nr} (${t.nv} vectors of ${t.vec}); task: ${t.mc} channels x ${g.inPlace ? `${g.panelsPerTask} panels of positions, read in place` : `${g.rows} output rows, their input rows copied zero-padded into ${g.sh} x ${g.sw} stride-phase planes of ${g.hph} x ${g.wph}`}`,
    koffTable: table(g.koff),
    kk: g.koff.length,
    mr: t.mr,
    nv: t.nv,
    nr: t.nr,
    mc: t.mc,
    mg,
    cg,
    mrLast: mg % t.mr,
    taskDecompose: decompose('t', ['n', 'g', 'mb', 'vb'], [p.n, p.group, g.mBlocks, g.vBlocks]),
    gemmResult: p.bias ? 'acc + b[m]' : 'acc',
    outVars: rank2 ? 'const int64_t o0 = oh, o1 = ow;' : 'const int64_t o0 = ow; (void)oh;',
    H,
    W,
    OH,
    OW,
    P: OH * OW,
    C: p.c,
    rows: g.rows,
    wph: g.wph,
    /** Lanes per output row in the tile: the row pitch of the phase planes, or OW when read in place. */
    wrap: g.inPlace ? OW : g.wph,
    hph: g.hph,
    sh: g.sh,
    sw: g.sw,
    ph: g.ph,
    pw: g.pw,
    planeFloats: g.hph * g.wph,
    cstride: g.sh * g.sw * g.hph * g.wph,
    blockFloats: g.blockFloats,
    localRows: `(rows - 1) * ${g.sh} + ${(KH - 1) * g.dh + 1}`,
    panelsPerTask: g.panelsPerTask,
  };
}

/** The C fields of a pool run row by row (PoolRows). */
export function poolRowsFields(p: WindowPlan, rowsPerTask: number) {
  const rank2 = p.inSpatial.length === 2;
  const two = (xs: readonly number[], one: number) => (rank2 ? [xs[0], xs[1]] : [one, xs[0]]);
  const [H, W] = two(p.inSpatial, 1);
  const [OH, OW] = two(p.outSpatial, 1);
  const [KH, KW] = two(p.kernel, 1);
  const [SH, SW] = two(p.strides, 1);
  const [DH, DW] = two(p.dilations, 1);
  const [PH, PW] = two(p.padsBegin, 0);
  const [PEH, PEW] = two(p.padsEnd, 0);
  // Output columns whose window column kw lies in the input: [lo, hi).
  const lo: number[] = [];
  const hi: number[] = [];
  for (let kw = 0; kw < KW; kw++) {
    const off = kw * DW - PW;
    const l = Math.min(OW, Math.max(0, Math.ceil(-off / SW)));
    lo.push(l);
    hi.push(Math.max(l, Math.min(OW, Math.floor((W - 1 - off) / SW) + 1)));
  }
  const cw: number[] = [];
  const cwp: number[] = [];
  for (let ow = 0; ow < OW; ow++) {
    let a = 0;
    let b = 0;
    for (let kw = 0; kw < KW; kw++) {
      const iw = ow * SW + kw * DW - PW;
      if (iw >= -PW && iw < W + PEW) b++;
      if (iw >= 0 && iw < W) a++;
    }
    cw.push(a);
    cwp.push(b);
  }
  const avg = p.mode === 'avg';
  return {
    poolRows: true,
    rowsDesc: `row by row: a task is ${rowsPerTask} output rows; for each kernel row in the input and kernel column, the output columns it covers combine it`,
    perRows: rowsPerTask,
    outRows: p.n * p.m * OH,
    C: p.c,
    M: p.m,
    H,
    W,
    OH,
    OW,
    KH,
    KW,
    SH,
    SW,
    DH,
    DW,
    PH,
    PEH,
    lo: lo.join(', '),
    hi: hi.join(', '),
    kwOff: Array.from({ length: KW }, (_, kw) => kw * DW - PW).join(', '),
    counts: avg ? table(p.countIncludePad ? cwp : cw) : '',
    avg,
    rowCount: p.countIncludePad ? 'chp' : 'ch',
    combineRow: avg ? 'acc[ow] = acc[ow] + xr[ow * ' + SW + ' + off];' : 'acc[ow] = volta_fmaxf(acc[ow], xr[ow * ' + SW + ' + off]);',
    poolResult: avg ? `acc[ow] / (float)(${p.countIncludePad ? 'chp' : 'ch'} * cnt[ow])` : 'acc[ow]',
    outVars: rank2 ? 'const int64_t o0 = oh, o1 = ow;' : 'const int64_t o0 = ow; (void)oh;',
  };
}
