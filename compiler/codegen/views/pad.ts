// View of a pad: each output index maps per dim to an input index or the fill value.
import { DTYPES } from '../../ir/dtype.ts';
import type { PadPlan } from '../../kernels/plan.ts';
import type { Dialect } from '../dialect.ts';
import { contiguous, decompose, offsetExpr } from '../index_math.ts';
import { literal } from '../literals.ts';
import { header, type KernelView, taskFields } from './common.ts';

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

export function padView(p: PadPlan, name: string, d: Dialect): KernelView {
  const oVars = p.outShape.map((_, i) => `o${i}`);
  const sVars = p.outShape.map((_, i) => `s${i}`);
  const value = literal(p.value, p.out.dtype);
  return {
    kind: 'pad',
    name,
    header: header(p, name),
    params: `const ${DTYPES[p.input.dtype].c} *${d.restrict} in, ${DTYPES[p.out.dtype].c} *${d.restrict} out`,
    items: p.partition.items,
    ...taskFields(p),
    dims: `${p.mode}: in [${p.inShape.join(', ')}] -> out [${p.outShape.join(', ')}], pads before [${p.padsBegin.join(', ')}]`,
    decompose: decompose('idx', oVars, p.outShape),
    maps: p.outShape.flatMap((_, i) => [`int64_t ${sVars[i]} = ${oVars[i]} - (${p.padsBegin[i]});`, ...padMap(p.mode, i, p.inShape[i], value)]),
    load: `out[idx] = in[${offsetExpr(sVars, contiguous(p.inShape))}];`,
  };
}
