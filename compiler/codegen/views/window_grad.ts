// Views of the window gradient kinds: the loop nests of compiler/ops/compute.ts
// (WindowGradCompute, ConvWeightGradCompute) as C statements shared by both backends.
// One output item per iteration of the template's loop (C) or per thread (CUDA).
import { numel } from '../../ir/shape.ts';
import type { ConvWeightGradPlan, WindowGradPlan } from '../../kernels/plan.ts';
import type { WindowGeometry } from '../../ops/compute.ts';
import type { Dialect } from '../dialect.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';
import { header, type KernelView } from './common.ts';

const flat = (vars: readonly string[], dims: readonly number[]) => offsetExpr(vars, contiguous(dims));

function dims(g: WindowGeometry): string {
  return `N ${g.n}, C ${g.c}, M ${g.m}, group ${g.group}, in [${g.inSpatial.join(', ')}], out [${g.outSpatial.join(', ')}], kernel [${g.kernel.join(', ')}], strides [${g.strides.join(', ')}], dilations [${g.dilations.join(', ')}], pads [${[...g.padsBegin, ...g.padsEnd].join(', ')}]`;
}

/**
 * Nested loops over kernel dims q<d> whose input position j<d> = o<d> * stride + q<d> * dilation
 * - pad lies inside X (each dim checked at its own level), around `inner`.
 */
function windowLoops(g: WindowGeometry, o: string, q: string, j: string, inner: string[], indent: string): string[] {
  const r = g.kernel.length;
  const open = g.kernel.flatMap((k, d) => {
    const pad = indent + '  '.repeat(d);
    return [
      `${pad}for (int64_t ${q}${d} = 0; ${q}${d} < ${k}; ${q}${d}++) {`,
      `${pad}  const int64_t ${j}${d} = ${o}${d} * ${g.strides[d]} + ${q}${d} * ${g.dilations[d]} - ${g.padsBegin[d]};`,
      `${pad}  if (${j}${d} < 0 || ${j}${d} >= ${g.inSpatial[d]}) continue;`,
    ];
  });
  const body = inner.map((l) => indent + '  '.repeat(r) + l);
  const close = g.kernel.map((_, d) => `${indent}${'  '.repeat(r - 1 - d)}}`);
  return [...open, ...body, ...close];
}

export function windowGradView(p: WindowGradPlan, name: string, d: Dialect): KernelView {
  const r = p.inSpatial.length;
  const iv = p.inSpatial.map((_, i) => `i${i}`);
  const ov = p.outSpatial.map((_, i) => `o${i}`);
  const inSize = numel(p.inSpatial);
  const outSize = numel(p.outSpatial);
  const g = `dy[(n * ${p.c} + c) * ${outSize} + ${flat(ov, p.outSpatial)}]`;
  let contribution: string[];
  let planeArgmax: Record<string, unknown> = {};
  if (p.mode === 'avg') {
    // The forward's divisor: a product of per-dim counts of window positions inside X (or the padded extent).
    const count = p.kernel.map((k, i) => {
      const [lo, hi] = p.countIncludePad ? [-p.padsBegin[i], p.inSpatial[i] + p.padsEnd[i]] : [0, p.inSpatial[i]];
      const j = `o${i} * ${p.strides[i]} + q * ${p.dilations[i]} - ${p.padsBegin[i]}`;
      return `{ int64_t cd = 0; for (int64_t q = 0; q < ${k}; q++) { const int64_t j = ${j}; if (j >= ${lo} && j < ${hi}) cd++; } count *= cd; }`;
    });
    contribution = ['int64_t count = 1;', ...count, `acc += ${g} / (float)count;`];
  } else {
    const jv = p.kernel.map((_, i) => `j${i}`);
    const scan = windowLoops(
      p,
      'o',
      'q',
      'j',
      [
        `const int64_t jj = ${flat(jv, p.inSpatial)};`,
        `const float v = x[(n * ${p.c} + c) * ${inSize} + jj];`,
        'if (at < 0 || v > best || (v != v && best == best)) { best = v; at = jj; }',
      ],
      '',
    );
    contribution = ['float best = (-VOLTA_INF);', 'int64_t at = -1;', ...scan, `if (at == ${flat(iv, p.inSpatial)}) acc += ${g};`];
    // C: each window's argmax found once per plane (same scan), then looked up per kernel position.
    if (outSize <= 1 << 14)
      planeArgmax = {
        planeArgmax: true,
        planes: p.n * p.c,
        C: p.c,
        inPlane: inSize,
        outPlane: outSize,
        argmaxDecompose: decompose('op', ov, p.outSpatial),
        argmaxBody: ['float best = (-VOLTA_INF);', 'int64_t at = -1;', ...scan, 'amax[op] = (int32_t)at;'],
        gradDecompose: decompose('ip', iv, p.inSpatial),
        lookup: `if (amax[${flat(ov, p.outSpatial)}] == ${flat(iv, p.inSpatial)}) acc += ${g};`,
        // Windows that cannot overlap: each dX element is some window's argmax at most once, so the plane
        // is zeroed and each argmax gets +0 + dY (what the one addition from +0 gives, -0 included).
        disjoint: p.kernel.every((k, i) => p.strides[i] >= (k - 1) * p.dilations[i] + 1),
      };
  }
  // Kernel positions k<d> whose output position o<d> = (i<d> + pad - k<d> * dilation) / stride is whole and in range.
  const open = p.kernel.flatMap((k, i) => {
    const pad = '  '.repeat(i);
    return [
      `${pad}for (int64_t k${i} = 0; k${i} < ${k}; k${i}++) {`,
      `${pad}  const int64_t t${i} = i${i} + ${p.padsBegin[i]} - k${i} * ${p.dilations[i]};`,
      `${pad}  if (t${i} < 0 || t${i} % ${p.strides[i]} != 0 || t${i} / ${p.strides[i]} >= ${p.outSpatial[i]}) continue;`,
      `${pad}  const int64_t o${i} = t${i} / ${p.strides[i]};`,
    ];
  });
  const close = p.kernel.map((_, i) => `${'  '.repeat(r - 1 - i)}}`);
  const body = ['float acc = 0.0f;', ...open, ...contribution.map((l) => '  '.repeat(r) + l), ...close, 'out[idx] = acc;'];
  if (planeArgmax.planeArgmax) planeArgmax.gradBody = ['float acc = 0.0f;', ...open, '  '.repeat(r) + planeArgmax.lookup, ...close];
  return {
    kind: 'window_grad',
    name,
    header: header(p, name),
    params: [`const float *${d.restrict} dy`, ...(p.input ? [`const float *${d.restrict} x`] : []), `float *${d.restrict} out`].join(', '),
    items: p.partition.items,
    dims: `${p.mode} input gradient: ${dims(p)}`,
    decompose: decompose('idx', ['n', 'c', ...iv], [p.n, p.c, ...p.inSpatial]),
    body,
    ...planeArgmax,
  };
}

export function convWeightGradView(p: ConvWeightGradPlan, name: string, d: Dialect): KernelView {
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const kv = p.kernel.map((_, i) => `k${i}`);
  const ov = p.outSpatial.map((_, i) => `o${i}`);
  const jv = p.kernel.map((_, i) => `j${i}`);
  const r = p.kernel.length;
  const open = p.outSpatial.flatMap((extent, i) => {
    const pad = '  '.repeat(i + 1);
    return [
      `${pad}for (int64_t o${i} = 0; o${i} < ${extent}; o${i}++) {`,
      `${pad}  const int64_t j${i} = o${i} * ${p.strides[i]} + k${i} * ${p.dilations[i]} - ${p.padsBegin[i]};`,
      `${pad}  if (j${i} < 0 || j${i} >= ${p.inSpatial[i]}) continue;`,
    ];
  });
  const close = p.outSpatial.map((_, i) => `${'  '.repeat(r - i)}}`);
  const body = [
    `const int64_t ch = ${cg} * (m / ${mg}) + c;`,
    'float acc = 0.0f;',
    `for (int64_t n = 0; n < ${p.n}; n++) {`,
    ...open,
    `${'  '.repeat(r + 1)}acc += dy[(n * ${p.m} + m) * ${numel(p.outSpatial)} + ${flat(ov, p.outSpatial)}] * x[(n * ${p.c} + ch) * ${numel(p.inSpatial)} + ${flat(jv, p.inSpatial)}];`,
    ...close,
    '}',
    'out[idx] = acc;',
  ];
  return {
    kind: 'conv_weight_grad',
    name,
    header: header(p, name),
    params: `const float *${d.restrict} x, const float *${d.restrict} dy, float *${d.restrict} out`,
    items: p.partition.items,
    dims: `conv weight gradient: ${dims(p)}`,
    decompose: decompose('idx', ['m', 'c', ...kv], [p.m, cg, ...p.kernel]),
    body,
    ...laneForm(p, cg, mg),
  };
}

/** The C template's vector form (rank 1 and 2; rank 1 as one row): lanes over output channels (templates/c/conv_weight_grad.hbs). */
function laneForm(p: ConvWeightGradPlan, cg: number, mg: number): Record<string, number | string> {
  if (p.kernel.length > 2) return {};
  const two = (xs: readonly number[], one: number): [number, number] => (xs.length === 1 ? [one, xs[0]] : [xs[0], xs[1]]);
  const [H, W] = two(p.inSpatial, 1);
  const [OH, OW] = two(p.outSpatial, 1);
  const [KH, KW] = two(p.kernel, 1);
  const [sh, sw] = two(p.strides, 1);
  const [dh, dw] = two(p.dilations, 1);
  const [ph, pw] = two(p.padsBegin, 0);
  // dt holds one output row of dy per lane on the stack: long rows keep the scalar form.
  if (OW > 1024) return {};
  const rows = cg * KH * KW;
  const geometry = { H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, OHW: OH * OW, KHW: KH * KW };
  return { lanes: 'VOLTA_VEC', N: p.n, M: p.m, C: p.c, group: p.group, cg, mg, rows, rowBlock: Math.min(rows, 256), ...geometry };
}
