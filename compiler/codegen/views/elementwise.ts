// View of an elementwise kernel. C: task t covers flat elements
// [t * perTask, (t + 1) * perTask); within it an odometer walks the collapsed dims
// so the innermost loop is a plain strided loop (vectorised by the C compiler:
// lanes are independent outputs). CUDA: a grid-stride loop, one element per step, or four (float4
// loads and store, the last items % 4 elements one per thread) where every input is the output's layout
// or one scalar, 16-byte aligned: each element still computes the same scalar body, so the bits are unchanged.
import { DTYPES } from '../../ir/dtype.ts';
import { numel } from '../../ir/shape.ts';
import type { ElementwisePlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { collapseDims, contiguous, decompose, offsetExpr } from '../index_math.ts';
import { bodyLines, header, type KernelView, loads, params, taskFields } from './common.ts';

/** Odometer statements over collapsed dims `shape` (vars c0..): start, per-run base offsets, carry. */
export function odometer(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]) {
  const r = shape.length;
  const c = shape.map((_, i) => `c${i}`);
  const s = contiguous(shape);
  const start = c.map((v, d) => `int64_t ${v} = ${d === 0 ? (s[d] === 1 ? 'e' : `e / ${s[d]}`) : `(${s[d] === 1 ? 'e' : `e / ${s[d]}`}) % ${shape[d]}`};`);
  const bases = strides.map((st, n) => `const int64_t o${n} = ${offsetExpr(c, st, offsets[n])};`);
  // Carry: the innermost dim restarts at 0, the next one up counts on.
  let carry = '';
  for (let d = 0; d <= r - 2; d++) carry = `if (++${c[d]} == ${shape[d]}) { ${c[d]} = 0;${carry ? ` ${carry}` : ''} }`;
  return { start, bases, inner: shape[r - 1], innerVar: c[r - 1], carry: `${c[r - 1]} = 0;${carry ? ` ${carry}` : ''}` };
}

export function elementwiseView(p: ElementwisePlan, name: string, d: Dialect): KernelView {
  const outStrides = contiguous(p.shape);
  const c = collapseDims(p.shape, [...p.inputs.map((o) => o.strides), outStrides]);
  const shape = c.shape.length === 0 ? [1] : c.shape;
  const strides = c.shape.length === 0 ? c.strides.map(() => [0]) : c.strides;
  const vars = c.shape.map((_, i) => `i${i}`);
  const inNames = p.inputs.map((_, n) => `in${n}`);
  const args = p.inputs.map((_, n) => `x${n}`);
  const od = odometer(
    shape,
    strides.slice(0, p.inputs.length),
    p.inputs.map((o) => o.offset),
  );
  return {
    ...vectorFields(p, c, inNames),
    kind: 'elementwise',
    name,
    header: header(p, name),
    params: params(d, p.inputs, p.out, inNames),
    items: p.partition.items,
    ...taskFields(p),
    loops: c.shape.map((extent, i) => ({ v: vars[i], extent })),
    decompose: decompose('i', vars, c.shape),
    loads: loads(p.inputs, inNames, vars, c.strides),
    body: bodyLines(p.body, args),
    store: `out[${offsetExpr(vars, c.strides[c.strides.length - 1])}] = t${p.body.length - 1};`,
    shape: `[${p.shape.join(', ')}]`,
    // C task form.
    start: od.start,
    bases: od.bases,
    inner: od.inner,
    innerVar: od.innerVar,
    carry: od.carry,
    runLoads: p.inputs.map((o, n) => {
      const s = strides[n][shape.length - 1];
      return `const ${DTYPES[o.dtype].c} x${n} = in${n}[${s === 0 ? `o${n}` : s === 1 ? `o${n} + q` : `o${n} + q * ${s}`}];`;
    }),
    runStore: `out[e + q] = t${p.body.length - 1};`,
  };
}

/** Threads per block of the vectorised elementwise launch (emit.ts's CUDA_BLOCK). */
const VEC_BLOCK = 256;

/** CUDA float4 fields (templates/cuda/elementwise.hbs), or vec4: false. */
function vectorFields(p: ElementwisePlan, c: { shape: number[]; strides: number[][] }, inNames: readonly string[]) {
  const items = numel(p.shape);
  const f32 = p.out.dtype === 'float32' && p.inputs.every((o) => o.dtype === 'float32');
  const flat = c.shape.length === 1 && c.strides.at(-1)![0] === 1;
  const lanesOk = p.inputs.every((o, n) => c.strides[n][0] === 0 || (c.strides[n][0] === 1 && o.offset % 4 === 0));
  if (!(f32 && flat && lanesOk && items >= 8)) return { vec4: false };
  const quads = Math.floor(items / 4);
  const lanes = (['x', 'y', 'z', 'w'] as const).map((l) => ({
    lane: l,
    loads: p.inputs.map((o, n) => `const float x${n} = ${c.strides[n][0] === 0 ? `${inNames[n]}[${o.offset}]` : `v${n}.${l}`};`),
  }));
  return {
    vec4: true,
    quads,
    vecLoads: p.inputs.flatMap((o, n) => (c.strides[n][0] === 1 ? [`const float4 v${n} = ((const float4 *)(${inNames[n]} + ${o.offset}))[q];`] : [])),
    lanes,
    last: `t${p.body.length - 1}`,
    // Elements after the last whole quad, one per thread.
    tail: items % 4 !== 0,
    tailFrom: quads * 4,
    tailLoads: p.inputs.map((o, n) => `const float x${n} = ${inNames[n]}[${o.offset}${c.strides[n][0] === 0 ? '' : ' + i'}];`),
    cudaLaunch: { blocks: Math.max(1, Math.min(65535, Math.ceil(quads / VEC_BLOCK))), threads: VEC_BLOCK },
  };
}
