// Exact literals. A float32 prints as the shortest decimal that the C compiler
// (decimal -> float, correctly rounded) maps back to the same bits; NaN and
// infinities become macros from volta_ops.h.
import type { DType } from '../ir/dtype.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function neighbour(x: number, up: boolean): number {
  f32[0] = x;
  const pos = x > 0 || (x === 0 && !Object.is(x, -0));
  u32[0] += up === pos ? 1 : -1;
  return f32[0];
}

export function f32Literal(v: number): string {
  const x = Math.fround(v);
  if (Number.isNaN(x)) return 'VOLTA_NAN';
  if (x === Infinity) return 'VOLTA_INF';
  if (x === -Infinity) return '(-VOLTA_INF)';
  if (x === 0) return Object.is(x, -0) ? '-0.0f' : '0.0f';
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    const d = Number(s);
    if (Math.fround(d) !== x) continue;
    // d is the nearest double to s; only if d sits exactly on a float midpoint could
    // the direct decimal->float rounding differ. Refuse such candidates.
    const lo = neighbour(x, false);
    const hi = neighbour(x, true);
    if (d * 2 === x + lo || d * 2 === x + hi) continue;
    const t = s.includes('e') ? s.replace(/^(-?\d+)e/, '$1.0e') : s.includes('.') ? s : `${s}.0`;
    return `${t}f`;
  }
  return `${x.toPrecision(9)}f`;
}

export function literal(v: number, dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return f32Literal(v);
    case 'int64':
      return `INT64_C(${v})`;
    case 'int32':
      return v === -(2 ** 31) ? '(-2147483647 - 1)' : String(v | 0);
    case 'bool':
      return v ? '1' : '0';
  }
}
