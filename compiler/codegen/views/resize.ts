// View of a resize plan: per-axis tables (source index, weight) as static arrays
// next to the kernel, and the weighted gather of ResizeCompute over them.
import { DTYPES } from '../../ir/dtype.ts';
import { contiguousStrides } from '../../ir/shape.ts';
import type { ResizePlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { decompose } from '../index_math.ts';
import { f32Literal } from '../literals.ts';
import { header, type KernelView } from './common.ts';

interface Table {
  readonly type: string;
  readonly name: string;
  readonly size: number;
  readonly rows: string[];
}

function table(type: string, name: string, values: readonly string[]): Table {
  const rows: string[] = [];
  for (let i = 0; i < values.length; i += 16) rows.push(`${values.slice(i, i + 16).join(', ')},`);
  return { type, name, size: values.length, rows };
}

export function resizeView(p: ResizePlan, name: string, d: Dialect): KernelView {
  const r = p.outShape.length;
  const inStrides = contiguousStrides(p.inShape);
  const tables: Table[] = [];
  const weighted: number[] = [];
  p.axes.forEach((a, i) => {
    if (a.index.length > 0) tables.push(table('int32_t', `${name}_i${i}`, a.index.map(String)));
    if (a.weight.length > 0) {
      tables.push(table('float', `${name}_w${i}`, a.weight.map(f32Literal)));
      weighted.push(i);
    }
  });
  /** The tap slot of axis i for the current output: o_i * taps (+ t_i on weighted axes). */
  const slot = (i: number) => {
    const a = p.axes[i];
    const base = a.taps === 1 ? `o${i}` : `o${i} * ${a.taps}`;
    return a.weight.length > 0 ? `${base} + t${i}` : base;
  };
  const source = (i: number) => (p.axes[i].index.length === 0 ? `o${i}` : `${name}_i${i}[${slot(i)}]`);
  const term = (i: number) => {
    const src = source(i);
    if (inStrides[i] === 1) return src;
    return p.axes[i].index.length === 0 ? `${src} * ${inStrides[i]}` : `(int64_t)${src} * ${inStrides[i]}`;
  };
  // A size-1 input dim contributes nothing to the offset.
  const terms = p.axes.flatMap((_, i) => (p.inShape[i] === 1 ? [] : [term(i)]));
  const offset = terms.length ? terms.join(' + ') : '0';
  const outside = p.axes.flatMap((a, i) => (a.outside ? [`${name}_i${i}[o${i} * ${a.taps}] < 0`] : []));
  const weight = weighted.map((i) => `${name}_w${i}[${slot(i)}]`);
  const t = DTYPES[p.out.dtype].c;
  const copy = weighted.length === 0 ? `out[idx] = x[${offset}];` : '';
  const combine = weighted.length ? `acc += (${weight.join(' * ')}) * x[${offset}];` : '';
  // Only the output coordinates the body reads (an unused local is an nvcc -Werror all-warnings error).
  const text = [...outside, copy, combine].join(' ');
  const oVars = p.outShape.map((_, i) => `o${i}`);
  return {
    kind: 'resize',
    name,
    header: header(p, name),
    params: `const ${t} *${d.restrict} x, ${t} *${d.restrict} out`,
    items: p.partition.items,
    dims: `[${p.inShape.join(', ')}] -> [${p.outShape.join(', ')}], taps per axis [${p.axes.map((a) => a.taps).join(', ')}]`,
    tables,
    decompose: decompose('idx', oVars, p.outShape).filter((_, i) => new RegExp(`\\b${oVars[i]}\\b`).test(text)),
    outside: outside.length ? outside.join(' || ') : '',
    extrapolation: f32Literal(p.extrapolation),
    copy,
    tapLoops: weighted.map((i) => ({ v: `t${i}`, extent: p.axes[i].taps })),
    combine,
    rank: r,
  };
}
