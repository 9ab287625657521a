// Resize (opsets 10-19+) and the deprecated Upsample (opsets 7-9): one resize
// kernel reading per-axis tables of source indices and weights built at compile
// time (compiler/ops/resize_coords.ts); see ResizeCompute for the order.

import { normalizeAxis } from '../ir/shape.ts';
import { attr } from './attr.ts';
import type { ResizeCompute } from './compute.ts';
import { constInput, defineOp, fail, floatAttr, input, intsAttr, type LowerCtx, type NodeCtx } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { type AxisSpec, axisTable, type CoordMode, type InterpMode, type NearestMode, type ResizeMode } from './resize_coords.ts';

const f = Math.fround;
const COORD_MODES = [
  'half_pixel',
  'half_pixel_symmetric',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_half_pixel_for_nearest',
  'tf_half_pixel_for_nn',
  'tf_crop_and_resize',
];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
/** C's round(): halves away from zero. */
const roundAway = (x: number) => (x < 0 ? -Math.round(-x) : Math.round(x));

interface Dims {
  readonly mode: ResizeMode;
  readonly axes: readonly AxisSpec[];
  readonly outShape: number[];
  readonly extrapolation: number;
}

/** scales/sizes/roi of the node, by opset: Upsample's attribute or input, Resize-10's input 1, or Resize-11+'s inputs 1-3. */
function given(ctx: NodeCtx): { scales?: number[]; sizes?: number[]; roi?: number[] } {
  const nonEmpty = (v: number[] | undefined) => (v !== undefined && v.length > 0 ? v : undefined);
  if (ctx.node.op === 'Upsample') {
    if (ctx.opset >= 9) return { scales: nonEmpty(constInput(ctx, 1, 'scales input')) };
    return { scales: nonEmpty(ctx.attrs.scales === undefined ? undefined : [...(ctx.attrs.scales as number[])]) };
  }
  if (ctx.opset < 11) return { scales: nonEmpty(constInput(ctx, 1, 'scales input')) };
  return {
    roi: nonEmpty(constInput(ctx, 1, 'roi input')),
    scales: nonEmpty(constInput(ctx, 2, 'scales input')),
    sizes: nonEmpty(constInput(ctx, 3, 'sizes input')),
  };
}

function resizeDims(ctx: NodeCtx): Dims {
  const x = input(ctx, 0);
  const r = x.shape.length;
  const old = ctx.node.op === 'Upsample' || ctx.opset < 11;
  if (ctx.node.op === 'Upsample' && ctx.opset > 9) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_OPSET', `Upsample at opset ${ctx.opset}`, 'opsets 7-9 (deprecated since 10)', 'use Resize');
  }
  const mode = ctx.attrs.mode as InterpMode;
  if (old && mode === 'cubic') fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `mode=cubic at opset ${ctx.opset}`, 'nearest or linear before Resize-11');
  if (mode !== 'nearest' && x.dtype !== 'float32')
    fail(ctx, 'VOLTA_E_UNSUPPORTED_DTYPE', `X is ${x.dtype} with mode=${mode}`, 'float32 (nearest accepts any dtype)');
  const coordAttr = old ? 'asymmetric' : ((ctx.attrs.coordinate_transformation_mode as string | undefined) ?? 'half_pixel');
  // onnxruntime's (and some exporters') spelling of tf_half_pixel_for_nearest.
  const coord = (coordAttr === 'tf_half_pixel_for_nn' ? 'tf_half_pixel_for_nearest' : coordAttr) as CoordMode;
  if (coord === 'tf_crop_and_resize' && x.dtype !== 'float32') fail(ctx, 'VOLTA_E_UNSUPPORTED_DTYPE', `X is ${x.dtype} with tf_crop_and_resize`, 'float32');
  const nearest = (old ? 'simple' : ((ctx.attrs.nearest_mode as string | undefined) ?? 'round_prefer_floor')) as NearestMode;
  const axesRaw = intsAttr(ctx, 'axes') ?? [...Array(r).keys()];
  const axes = axesRaw.map((a) => normalizeAxis(a, r));
  if (axes.some((a) => a === undefined) || new Set(axes).size !== axes.length) {
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axes=[${axesRaw.join(',')}] for rank ${r}`, 'distinct axes in range');
  }
  const on = axes as number[];
  const g = given(ctx);
  if (g.scales !== undefined && g.sizes !== undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'both scales and sizes are given', 'exactly one of scales and sizes');
  if (g.scales === undefined && g.sizes === undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', 'neither scales nor sizes is given', 'exactly one of scales and sizes');
  const list = (g.scales ?? g.sizes)!;
  if (list.length !== on.length)
    fail(ctx, 'VOLTA_E_SHAPE', `${g.scales ? 'scales' : 'sizes'} has ${list.length} values for ${on.length} axes`, `${on.length} values`);
  const scales = x.shape.map(() => 1);
  const outShape = [...x.shape];
  if (g.scales !== undefined) {
    on.forEach((a, i) => {
      const s = f(list[i]);
      if (!(s > 0)) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `scales [${list.join(',')}]`, 'positive scales');
      scales[a] = s;
      outShape[a] = Math.floor(f(s * x.shape[a]));
    });
  } else {
    on.forEach((a, i) => {
      if (!(list[i] >= 0)) fail(ctx, 'VOLTA_E_SHAPE', `sizes [${list.join(',')}]`, 'non-negative sizes');
      outShape[a] = list[i];
      scales[a] = x.shape[a] === 0 ? 1 : f(f(list[i]) / f(x.shape[a]));
    });
    const policy = ctx.attrs.keep_aspect_ratio_policy as string | undefined;
    if (policy === 'not_larger' || policy === 'not_smaller') {
      // One scale for every resized axis (the smallest or largest), sizes recomputed from it.
      const pick = on.map((a) => scales[a]).reduce((p, s) => (policy === 'not_larger' ? Math.min(p, s) : Math.max(p, s)));
      for (const a of on) {
        scales[a] = pick;
        outShape[a] = roundAway(f(pick * x.shape[a]));
      }
    }
  }
  const roi = g.roi;
  const roiAxes = roi !== undefined && roi.length === 2 * on.length ? on : [...Array(r).keys()];
  if (coord === 'tf_crop_and_resize' && roi !== undefined && roi.length !== 2 * roiAxes.length) {
    fail(ctx, 'VOLTA_E_SHAPE', `roi has ${roi.length} values`, `${2 * on.length} (start and end per axis)`);
  }
  const roiStart = x.shape.map(() => 0);
  const roiEnd = x.shape.map(() => 1);
  if (roi !== undefined && coord === 'tf_crop_and_resize') {
    roiAxes.forEach((a, i) => {
      roiStart[a] = roi[i];
      roiEnd[a] = roi[i + roiAxes.length];
    });
  }
  return {
    mode: {
      mode,
      coord,
      nearest,
      cubicA: f(floatAttr(ctx, 'cubic_coeff_a') ?? -0.75),
      excludeOutside: ctx.attrs.exclude_outside === 1,
    },
    axes: x.shape.map((n, d) => ({ inSize: n, outSize: outShape[d], scale: scales[d], roiStart: roiStart[d], roiEnd: roiEnd[d] })),
    outShape,
    extrapolation: f((ctx.attrs.extrapolation_value as number | undefined) ?? 0),
  };
}

function compute(ctx: LowerCtx): ResizeCompute {
  const x = input(ctx, 0);
  const out = ctx.outputs[0];
  const d = resizeDims(ctx);
  const axes = d.axes.map((a) => axisTable(d.mode, a));
  return {
    kind: 'resize',
    name: `resize_${d.mode.mode}`,
    ops: [ctx.node.op],
    nodes: [ctx.node.name],
    inShape: x.shape,
    outShape: d.outShape,
    axes,
    extrapolation: d.extrapolation,
    input: { buf: x.id, dtype: x.dtype },
    out: { buf: out.id, dtype: out.dtype },
  };
}

const infer = (ctx: NodeCtx) => [{ dtype: input(ctx, 0).dtype, shape: resizeDims(ctx).outShape }];

export const Resize = defineOp({
  name: 'Resize',
  onnx: { opType: 'Resize', domain: '', opsets: [10, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T1' },
    { name: 'roi', type: 'T2', optional: true, constant: true },
    { name: 'scales', type: 'T2', optional: true, constant: true },
    { name: 'sizes', type: 'S', optional: true, constant: true },
  ],
  outputs: ['Y'],
  types: { T1: ANY_DTYPE, T2: ['float32'], S: ['int64'] },
  attrs: {
    antialias: attr.int({ default: 0, allowed: [0], doc: 'antialiased downsampling (1) is not supported' }),
    axes: attr.ints({ optional: true }),
    coordinate_transformation_mode: attr.string({
      optional: true,
      allowed: COORD_MODES,
      doc: "default half_pixel; asymmetric at opset 10; tf_half_pixel_for_nn is onnxruntime's name for tf_half_pixel_for_nearest",
    }),
    cubic_coeff_a: attr.float({ default: -0.75 }),
    exclude_outside: attr.int({ default: 0, allowed: [0, 1] }),
    extrapolation_value: attr.float({ default: 0 }),
    keep_aspect_ratio_policy: attr.string({ default: 'stretch', allowed: ['stretch', 'not_larger', 'not_smaller'] }),
    mode: attr.string({ default: 'nearest', allowed: ['nearest', 'linear', 'cubic'] }),
    nearest_mode: attr.string({ optional: true, allowed: NEAREST_MODES, doc: 'default round_prefer_floor; at opset 10 floor upsampling, ceil downsampling' }),
  },
  infer,
  lowering: { kind: 'kernel', compute },
  coverage:
    "scales, sizes and roi must be compile-time constants; nearest (any dtype; every nearest_mode), n-linear and cubic (float32; cubic_coeff_a, exclude_outside) over any axes; every coordinate_transformation_mode (tf_crop_and_resize with extrapolation_value; tf_half_pixel_for_nn accepted as onnxruntime's name of tf_half_pixel_for_nearest; default asymmetric, and floor/ceil nearest, at opset 10); axes with scale 1 and unchanged size are copied, as onnxruntime does; axes, keep_aspect_ratio_policy; source indices and weights are float32 tables built at compile time as onnxruntime computes them; each output sums its taps in row-major order from +0, weights multiplied in axis order; antialias=1 is refused",
});

export const Upsample = defineOp({
  name: 'Upsample',
  onnx: { opType: 'Upsample', domain: '', opsets: [7, 9] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'scales', type: 'S', optional: true, constant: true },
  ],
  outputs: ['Y'],
  types: { T: ANY_DTYPE, S: ['float32'] },
  attrs: {
    mode: attr.string({ default: 'nearest', allowed: ['nearest', 'linear'] }),
    scales: attr.floats({ optional: true, doc: 'opsets 7-8' }),
  },
  infer,
  lowering: { kind: 'kernel', compute },
  coverage: "Resize's kernel with asymmetric coordinates; nearest takes floor when upsampling (ceil when downsampling), as onnxruntime; linear needs float32",
});
