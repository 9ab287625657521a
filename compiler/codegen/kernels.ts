// View models for kernel templates: TS computes every expression string; the
// templates only lay them out. One function per plan kind, shared by C and CUDA
// (the dialect picks restrict spelling and qualifier; CUDA templates differ in loops).
import { DTYPES } from '../ir/dtype.ts';
import { numel } from '../ir/shape.ts';
import type { ConcatPlan, ElementwisePlan, GatherPlan, KernelPlan, MatmulPlan, PadPlan, ReducePlan, SoftmaxPlan, WindowPlan } from '../kernels/plan.ts';
import type { Operand } from '../ops/compute.ts';
import type { Expr } from '../ops/expr.ts';
import type { Dialect } from './dialect.ts';
import { collapseDims, contiguous, decompose, offsetExpr } from './index_math.ts';
import { literal } from './literals.ts';
import { comment } from './names.ts';
import { renderExpr } from './render_expr.ts';

export interface KernelView {
  readonly kind: KernelPlan['kind'];
  readonly name: string;
  readonly header: string;
  readonly params: string;
  /** Independent work items (the plan's partition): CUDA runs one thread per item. */
  readonly items: number;
  readonly [key: string]: unknown;
}

function header(plan: KernelPlan, name: string): string {
  const nodes = plan.nodes.map(comment).join(', ');
  return `/* ${name}: ${plan.ops.join(' -> ')}${nodes ? ` | nodes ${nodes}` : ''} */`;
}

function bodyLines(body: readonly Expr[], args: readonly string[]): string[] {
  return body.map((e, j) => `const ${DTYPES[e.dtype].c} t${j} = ${renderExpr(e, args)};`);
}

function loads(ops: readonly Operand[], names: readonly string[], vars: readonly string[], strides: readonly (readonly number[])[]): string[] {
  return ops.map((o, n) => `const ${DTYPES[o.dtype].c} x${n} = ${names[n]}[${offsetExpr(vars, strides[n], o.offset)}];`);
}

function params(d: Dialect, ins: readonly { dtype: keyof typeof DTYPES }[], out: { dtype: keyof typeof DTYPES }, inNames: readonly string[]): string {
  return [...ins.map((o, n) => `const ${DTYPES[o.dtype].c} *${d.restrict} ${inNames[n]}`), `${DTYPES[out.dtype].c} *${d.restrict} out`].join(', ');
}

function elementwise(p: ElementwisePlan, name: string, d: Dialect): KernelView {
  const outStrides = contiguous(p.shape);
  const c = collapseDims(p.shape, [...p.inputs.map((o) => o.strides), outStrides]);
  const vars = c.shape.map((_, i) => `i${i}`);
  const inNames = p.inputs.map((_, n) => `in${n}`);
  const args = p.inputs.map((_, n) => `x${n}`);
  return {
    kind: 'elementwise',
    name,
    header: header(p, name),
    params: params(d, p.inputs, p.out, inNames),
    items: p.partition.items,
    loops: c.shape.map((extent, i) => ({ v: vars[i], extent })),
    decompose: decompose('i', vars, c.shape),
    loads: loads(p.inputs, inNames, vars, c.strides),
    body: bodyLines(p.body, args),
    store: `out[${offsetExpr(vars, c.strides[c.strides.length - 1])}] = t${p.body.length - 1};`,
    shape: `[${p.shape.join(', ')}]`,
  };
}

function matmul(p: MatmulPlan, name: string, d: Dialect): KernelView {
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

function softmax(p: SoftmaxPlan, name: string, d: Dialect): KernelView {
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
    outer: p.outer,
    axis: p.axis,
    inner: p.inner,
    log: p.log,
    lanes: p.lanes,
    half: p.lanes >> 1,
    loops: rowDims,
    decompose: decompose(
      't',
      vars,
      rowDims.map((x) => x.extent),
    ),
    base: offsetExpr(vars, strides),
    x: at('r'),
    y: at('r').replace(/^in/, 'out'),
  };
}

const INIT: Record<ReducePlan['init'], Record<string, string>> = {
  zero: { float32: '0.0f', int32: '0', int64: 'INT64_C(0)', bool: '0' },
  one: { float32: '1.0f', int32: '1', int64: 'INT64_C(1)', bool: '1' },
  lowest: { float32: '(-VOLTA_INF)', int32: 'INT32_MIN', int64: 'INT64_MIN', bool: '0' },
  highest: { float32: 'VOLTA_INF', int32: 'INT32_MAX', int64: 'INT64_MAX', bool: '1' },
};

function reduce(p: ReducePlan, name: string, d: Dialect): KernelView {
  const k = collapseDims(p.kept, [p.input.strides, contiguous(p.kept)]);
  const r = collapseDims(p.reduced, [p.input.reducedStrides]);
  const kVars = k.shape.map((_, i) => `k${i}`);
  const rVars = r.shape.map((_, i) => `r${i}`);
  const t = DTYPES[p.accDtype].c;
  const combine = (b: Expr): string =>
    renderExpr({ k: 'binary', op: p.combine, a: { k: 'arg', i: 0, dtype: p.accDtype }, b, dtype: p.accDtype }, ['lane[l]', 'lane[l + s]']);
  const count = numel(p.reduced);
  // One reduced dim after collapsing: walk it in chunks of `lanes`; otherwise count elements in nested loops.
  const chunked = r.shape.length <= 1;
  const at = chunked ? offsetExpr(['(e0 + l)'], [r.strides[0]?.[0] ?? 0]) : offsetExpr(rVars, r.strides[0]);
  const pre = combine({ k: 'let', i: p.pre.length - 1, dtype: p.accDtype });
  return {
    kind: 'reduce',
    name,
    header: header(p, name),
    params: `const ${DTYPES[p.input.dtype].c} *${d.restrict} in, ${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    items: p.partition.items,
    dims: `kept [${p.kept.join(', ')}], reduced [${p.reduced.join(', ')}], ${p.lanes} lanes`,
    keptLoops: k.shape.map((extent, i) => ({ v: kVars[i], extent })),
    reducedLoops: r.shape.map((extent, i) => ({ v: rVars[i], extent })),
    decompose: decompose('idx', kVars, k.shape),
    accType: t,
    init: INIT[p.init][p.accDtype],
    lanes: p.lanes,
    half: p.lanes >> 1,
    count,
    chunked,
    base: offsetExpr(kVars, k.strides[0], p.input.offset),
    load: `const ${DTYPES[p.input.dtype].c} x0 = in[base + ${at}];`,
    pre: bodyLines(p.pre, ['x0']),
    combineChunk: `lane[l] = ${pre};`,
    combineCount: `{ const int64_t l = e & ${p.lanes - 1}; lane[l] = ${pre}; e++; }`,
    combineTree: `lane[l] = ${combine({ k: 'arg', i: 1, dtype: p.accDtype })};`,
    post: bodyLines(p.post, ['lane[0]']),
    store: `out[${offsetExpr(kVars, k.strides[1])}] = t${p.post.length - 1};`,
  };
}

function concat(p: ConcatPlan, name: string, d: Dialect): KernelView {
  const total = p.sizes.reduce((a, b) => a + b, 0);
  let start = 0;
  const parts = p.sizes.map((size, i) => {
    const part = {
      i,
      size,
      start,
      end: start + size,
      /** Elements per outer index of this input, and where they land in the output row. */
      block: size * p.inner,
      dst: start * p.inner,
    };
    start += size;
    return part;
  });
  return {
    kind: 'concat',
    name,
    header: header(p, name),
    params: [...p.inputs.map((x, i) => `const ${DTYPES[x.dtype].c} *${d.restrict} in${i}`), `${DTYPES[p.out.dtype].c} *${d.restrict} out`].join(', '),
    items: p.partition.items,
    dims: `outer ${p.outer}, axis ${p.sizes.join(' + ')}, inner ${p.inner}`,
    outer: p.outer,
    row: total * p.inner,
    inner: p.inner,
    parts,
    ctype: DTYPES[p.out.dtype].c,
  };
}

function windowKernel(p: WindowPlan, name: string, d: Dialect): KernelView {
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
  return {
    kind: 'window',
    name,
    header: header(p, name),
    params: [
      `const float *${d.restrict} x`,
      ...(p.weight ? [`const float *${d.restrict} w`] : []),
      ...(p.bias ? [`const float *${d.restrict} b`] : []),
      `float *${d.restrict} out`,
    ].join(', '),
    items: p.partition.items,
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
    store: `out[${offsetExpr(['n', 'm', ...oVars], contiguous([p.n, p.m, ...p.outSpatial]))}]`,
    rank: r,
  };
}

function gather(p: GatherPlan, name: string, d: Dialect): KernelView {
  return {
    kind: 'gather',
    name,
    header: header(p, name),
    params: `const ${DTYPES[p.data.dtype].c} *${d.restrict} data, const ${DTYPES[p.indices.dtype].c} *${d.restrict} indices, ${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    items: p.partition.items,
    dims: `outer ${p.outer}, axis ${p.axis}, inner ${p.inner}, ${p.count} indices`,
    decompose: decompose('idx', ['o', 'j', 'i'], [p.outer, p.count, p.inner]),
    axis: p.axis,
    inner: p.inner,
    zero: literal(0, p.out.dtype),
  };
}

/** Per-dim source index for Pad, as C statements over s<d> (the unpadded position). */
function padMap(mode: PadPlan['mode'], d: number, n: number, value: string): string[] {
  const s = `s${d}`;
  switch (mode) {
    case 'constant':
      return [`if (${s} < 0 || ${s} >= ${n}) { out[idx] = ${value}; continue; }`];
    case 'edge':
      return [`${s} = ${s} < 0 ? 0 : (${s} >= ${n} ? ${n - 1} : ${s});`];
    case 'wrap':
      return [`${s} = ((${s} % ${n}) + ${n}) % ${n};`];
    case 'reflect':
      if (n === 1) return [`${s} = 0;`];
      return [`${s} = ((${s} % ${2 * (n - 1)}) + ${2 * (n - 1)}) % ${2 * (n - 1)};`, `${s} = ${s} < ${n} ? ${s} : ${2 * (n - 1)} - ${s};`];
  }
}

function pad(p: PadPlan, name: string, d: Dialect): KernelView {
  const oVars = p.outShape.map((_, i) => `o${i}`);
  const sVars = p.outShape.map((_, i) => `s${i}`);
  const value = literal(p.value, p.out.dtype);
  return {
    kind: 'pad',
    name,
    header: header(p, name),
    params: `const ${DTYPES[p.input.dtype].c} *${d.restrict} in, ${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    items: p.partition.items,
    dims: `${p.mode}: in [${p.inShape.join(', ')}] -> out [${p.outShape.join(', ')}], pads before [${p.padsBegin.join(', ')}]`,
    decompose: decompose('idx', oVars, p.outShape),
    maps: p.outShape.flatMap((_, i) => [`int64_t ${sVars[i]} = ${oVars[i]} - (${p.padsBegin[i]});`, ...padMap(p.mode, i, p.inShape[i], value)]),
    load: `out[idx] = in[${offsetExpr(sVars, contiguous(p.inShape))}];`,
  };
}

export function kernelView(plan: KernelPlan, name: string, d: Dialect): KernelView {
  switch (plan.kind) {
    case 'elementwise':
      return elementwise(plan, name, d);
    case 'matmul':
      return matmul(plan, name, d);
    case 'softmax':
      return softmax(plan, name, d);
    case 'reduce':
      return reduce(plan, name, d);
    case 'concat':
      return concat(plan, name, d);
    case 'window':
      return windowKernel(plan, name, d);
    case 'gather':
      return gather(plan, name, d);
    case 'pad':
      return pad(plan, name, d);
  }
}
