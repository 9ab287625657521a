// View of a conv_transpose plan: the gather of ConvTransposeCompute, one output
// element per item (C loops, CUDA threads), in the interpreter's order.
import { numel } from '../../ir/shape.ts';
import type { ConvTransposePlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';
import { header, type KernelView } from './common.ts';

/** Statements mapping output position o<d> and kernel position k<d> to input position i<d>, or `continue`. */
function inputPosition(p: ConvTransposePlan, d: number): string[] {
  const terms = [`o${d}`];
  if (p.padsBegin[d] !== 0) terms.push(`${p.padsBegin[d]}`);
  const q = `${terms.join(' + ')} - k${d}${p.dilations[d] === 1 ? '' : ` * ${p.dilations[d]}`}`;
  const s = p.strides[d];
  if (s === 1) return [`const int64_t i${d} = ${q};`, `if (i${d} < 0 || i${d} >= ${p.inSpatial[d]}) continue;`];
  return [
    `const int64_t q${d} = ${q};`,
    `if (q${d} < 0 || q${d} % ${s} != 0) continue;`,
    `const int64_t i${d} = q${d} / ${s};`,
    `if (i${d} >= ${p.inSpatial[d]}) continue;`,
  ];
}

export function convTransposeView(p: ConvTransposePlan, name: string, d: Dialect): KernelView {
  const r = p.inSpatial.length;
  const oVars = p.outSpatial.map((_, i) => `o${i}`);
  const kVars = p.kernel.map((_, i) => `k${i}`);
  const iVars = p.kernel.map((_, i) => `i${i}`);
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const channel = p.group === 1 ? 'c' : `(m / ${mg}) * ${cg} + c`;
  const outChannel = p.group === 1 ? 'm' : `m % ${mg}`;
  const inStrides = contiguous([p.n, p.c, ...p.inSpatial]);
  const spatial = offsetExpr(iVars, inStrides.slice(2));
  return {
    kind: 'conv_transpose',
    name,
    header: header(p, name),
    params: [
      `const float *${d.restrict} x`,
      `const float *${d.restrict} w`,
      ...(p.bias ? [`const float *${d.restrict} b`] : []),
      `float *${d.restrict} out`,
    ].join(', '),
    items: p.partition.items,
    dims: `N ${p.n}, C ${p.c}, M ${p.m}, group ${p.group}, in [${p.inSpatial.join(', ')}], out [${p.outSpatial.join(', ')}], kernel [${p.kernel.join(', ')}], strides [${p.strides.join(', ')}], dilations [${p.dilations.join(', ')}], pads begin [${p.padsBegin.join(', ')}]`,
    outLoops: [{ v: 'n', extent: p.n }, { v: 'm', extent: p.m }, ...p.outSpatial.map((extent, i) => ({ v: oVars[i], extent }))],
    decompose: decompose('idx', ['n', 'm', ...oVars], [p.n, p.m, ...p.outSpatial]),
    channels: cg,
    kernelLoops: p.kernel.map((extent, i) => ({ v: kVars[i], extent })),
    positions: p.kernel.flatMap((_, i) => inputPosition(p, i)),
    combine: `acc += x[n * ${inStrides[0]} + (${channel}) * ${inStrides[1]}${spatial === '0' ? '' : ` + ${spatial}`}] * w[((${channel}) * ${mg} + ${outChannel}) * ${numel(p.kernel)}${r === 0 ? '' : ` + ${offsetExpr(kVars, contiguous(p.kernel))}`}];`,
    store: `out[${offsetExpr(['n', 'm', ...oVars], contiguous([p.n, p.m, ...p.outSpatial]))}] = ${p.bias ? 'acc + b[m]' : 'acc'};`,
    ...laneForm(p, cg, mg, `x[n * ${inStrides[0]} + (g * ${cg} + c) * ${inStrides[1]}${spatial === '0' ? '' : ` + ${spatial}`}]`, kVars),
  };
}

/**
 * The C template's vector form (templates/c/conv_transpose.hbs): lanes over a group's output
 * channels, their weights copied per (channel, kernel position) row into a stack table of at
 * most 64 KiB (with 16-float vectors: 1024 rows); larger kernels keep the scalar form.
 */
function laneForm(p: ConvTransposePlan, cg: number, mg: number, xLoad: string, kVars: string[]): Record<string, unknown> {
  const kk = numel(p.kernel);
  const rows = cg * kk;
  if (rows * 16 * 4 > 1 << 16) return {};
  const kIndex = p.kernel.length === 0 ? '' : ` + ${offsetExpr(kVars, contiguous(p.kernel))}`;
  return {
    lanes: 'VOLTA_VEC',
    group: p.group,
    cg,
    mg,
    kk,
    rows,
    laneOutLoops: [{ v: 'n', extent: p.n }, ...p.outSpatial.map((extent, i) => ({ v: `o${i}`, extent }))],
    laneCombine: `accv = accv + ${xLoad} * wt[c * ${kk}${kIndex}];`,
  };
}
