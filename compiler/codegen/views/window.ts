import { DTYPES } from '../../ir/dtype.ts';
import { numel } from '../../ir/shape.ts';
import type { WindowPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';
import { bodyLines, header, type KernelView, loads, taskFields } from './common.ts';
import { convCudaGemmFields } from './window_cuda.ts';
import { convGemmFields, poolRowsFields } from './window_gemm.ts';

export function windowView(p: WindowPlan, name: string, d: Dialect): KernelView {
  const r = p.inSpatial.length;
  const oVars = p.outSpatial.map((_, i) => `o${i}`);
  const kVars = p.kernel.map((_, i) => `k${i}`);
  const iVars = p.kernel.map((_, i) => `i${i}`);
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const inStrides = contiguous([p.n, p.c, ...p.inSpatial]);
  const conv = p.mode === 'conv';
  const channel = conv ? (p.group === 1 ? 'c' : `(m / ${mg}) * ${cg} + c`) : 'm';
  const spatial = offsetExpr(iVars, inStrides.slice(2));
  const epNames = p.epilogueInputs.map((_, i) => `e${i}`);
  const outVars = ['n', 'm', ...oVars];
  const outOffset = offsetExpr(outVars, contiguous([p.n, p.m, ...p.outSpatial]));
  const store = `out[${outOffset}] = t${p.body.length - 1};`;
  // MaxPool's Indices: the flat input index of the first NaN, else of the first maximum (the value is
  // tested before acc takes it); spatial dims row-major, or column-major (storage_order=1).
  const inSize = numel(p.inSpatial);
  const colStrides = p.inSpatial.map((_, i) => numel(p.inSpatial.slice(0, i)));
  const flatAt = `(n * ${p.c} + m) * ${inSize} + ${offsetExpr(iVars, p.indices?.columnMajor ? colStrides : inStrides.slice(2))}`;
  return {
    kind: 'window',
    name,
    header: header(p, name),
    params: [
      `const float *${d.restrict} x`,
      ...(p.weight ? [`const float *${d.restrict} w`] : []),
      ...(p.bias ? [`const float *${d.restrict} b`] : []),
      ...p.epilogueInputs.map((o, i) => `const ${DTYPES[o.dtype].c} *${d.restrict} ${epNames[i]}`),
      `${DTYPES[p.out.dtype].c} *${d.restrict} out`,
      ...(p.indices ? [`int64_t *${d.restrict} indices`] : []),
    ].join(', '),
    items: p.partition.items,
    ...taskFields(p),
    dims: `${p.mode}: N ${p.n}, C ${p.c}, M ${p.m}, group ${p.group}, in [${p.inSpatial.join(', ')}], out [${p.outSpatial.join(', ')}], kernel [${p.kernel.join(', ')}], strides [${p.strides.join(', ')}], dilations [${p.dilations.join(', ')}], pads [${[...p.padsBegin, ...p.padsEnd].join(', ')}]`,
    outLoops: [{ v: 'n', extent: p.n }, { v: 'm', extent: p.m }, ...p.outSpatial.map((extent, i) => ({ v: oVars[i], extent }))],
    decompose: decompose('idx', ['n', 'm', ...oVars], [p.n, p.m, ...p.outSpatial]),
    init: p.mode === 'max' ? '(-VOLTA_INF)' : '0.0f',
    channelLoop: conv ? `for (int64_t c = 0; c < ${cg}; c++)` : '',
    kernelLoops: p.kernel.map((extent, i) => ({ v: kVars[i], extent })),
    positions: iVars.map((v, i) => `const int64_t ${v} = ${oVars[i]} * ${p.strides[i]} + ${kVars[i]} * ${p.dilations[i]} - ${p.padsBegin[i]};`),
    padded: iVars.map((v, i) => `${v} < -${p.padsBegin[i]} || ${v} >= ${p.inSpatial[i] + p.padsEnd[i]}`).join(' || '),
    inBounds: iVars.map((v, i) => `${v} < 0 || ${v} >= ${p.inSpatial[i]}`).join(' || '),
    load: `const float v = x[n * ${inStrides[0]} + (${channel}) * ${inStrides[1]}${spatial === '0' ? '' : ` + ${spatial}`}];`,
    combine: conv
      ? `acc += v * w[(m * ${cg} + c) * ${numel(p.kernel)} + ${offsetExpr(kVars, contiguous(p.kernel))}];`
      : p.mode === 'max'
        ? 'acc = volta_fmaxf(acc, v);'
        : 'acc += v;',
    result: conv ? (p.bias ? 'acc + b[m]' : 'acc') : p.mode === 'max' ? 'acc' : `acc / (float)${p.countIncludePad ? 'count_pad' : 'count'}`,
    epLoads: loads(
      p.epilogueInputs,
      epNames,
      outVars,
      p.epilogueInputs.map((o) => o.strides),
    ),
    epBody: bodyLines(p.body, ['r', ...p.epilogueInputs.map((_, i) => `x${i}`)]),
    store,
    argmax: p.indices !== undefined,
    track: `if (at < 0 || (v != v ? acc == acc : v > acc)) at = ${flatAt};`,
    storeIndex: `indices[${outOffset}] = at;`,
    rank: r,
    // CUDA: an implicit GEMM on the matmul block tiles, else a block per (image, output channel) with the
    // channel's weights (and, depthwise, its input plane) in shared memory (templates/cuda/window.hbs).
    ...(p.cudaGemm ? convCudaGemmFields(p, p.cudaGemm) : { cudaGemm: false }),
    ...(p.cudaPlane
      ? {
          plane: p.cudaPlane,
          planeChannel: `n * ${p.c} + m / ${mg}`,
          loadPlane: `const float v = xs[${spatial}];`,
        }
      : { plane: false }),
    ...(p.cudaWeightTile
      ? {
          weightTile: p.cudaWeightTile,
          pairs: p.n * p.m,
          positionsCount: numel(p.outSpatial),
          pairDecompose: decompose('pair', ['n', 'm'], [p.n, p.m]),
          posDecompose: decompose('pos', oVars, p.outSpatial),
          combineShared: `acc += v * ws[c * ${numel(p.kernel)} + ${offsetExpr(kVars, contiguous(p.kernel))}];`,
          cudaLaunch: { blocks: Math.min(65535, p.n * p.m), threads: Math.min(256, Math.ceil(numel(p.outSpatial) / 32) * 32) },
        }
      : { weightTile: false }),
    ...(p.gemm ? convGemmFields(p, p.gemm) : { gemm: false }),
    ...(p.rows ? poolRowsFields(p, p.rows.rows) : { poolRows: false }),
    ...(p.lanes
      ? {
          convLanes: true,
          images: p.lanes.images,
          N: p.n,
          group: p.group,
          mg,
          kk: numel(p.kernel),
          rows: cg * numel(p.kernel),
          laneOutLoops: p.outSpatial.map((extent, i) => ({ v: oVars[i], extent })),
          laneCombine: `accv = accv + v * wt[c * ${numel(p.kernel)}${r === 0 ? '' : ` + ${offsetExpr(kVars, contiguous(p.kernel))}`}];`,
        }
      : { convLanes: false }),
  };
}
