// Expr -> C expression text (the same text is valid CUDA). Signed integer
// arithmetic goes through unsigned types so overflow wraps instead of being UB.
import { DTYPES } from '../ir/dtype.ts';
import type { Expr } from '../ops/expr.ts';
import { literal } from './literals.ts';

const FLOAT_UNARY: Record<string, string> = {
  abs: 'volta_absf',
  exp: 'volta_expf',
  log: 'volta_logf',
  sqrt: 'volta_sqrtf',
  tanh: 'volta_tanhf',
  sigmoid: 'volta_sigmoidf',
  erf: 'volta_erff',
  floor: 'volta_floorf',
  ceil: 'volta_ceilf',
};
const FLOAT_BINARY: Record<string, string> = { max: 'volta_fmaxf', min: 'volta_fminf', pow: 'volta_powf', fmod: 'volta_fmodf' };
const OPS: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/', lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==' };

export function renderExpr(e: Expr, args: readonly string[]): string {
  const r = (x: Expr) => renderExpr(x, args);
  switch (e.k) {
    case 'arg':
      return args[e.i];
    case 'let':
      return `t${e.i}`;
    case 'const':
      return literal(e.v, e.dtype);
    case 'compare':
      return `(${r(e.a)} ${OPS[e.op]} ${r(e.b)})`;
    case 'select':
      return `(${r(e.c)} ? ${r(e.a)} : ${r(e.b)})`;
    case 'cast': {
      const from = e.a.dtype;
      if (e.dtype === 'bool') return `((uint8_t)(${r(e.a)} != 0))`;
      if (from === 'float32' && e.dtype !== 'float32') return `volta_f32_to_${DTYPES[e.dtype].short}(${r(e.a)})`;
      return `((${DTYPES[e.dtype].c})${r(e.a)})`;
    }
    case 'unary': {
      if (e.dtype === 'float32') return e.op === 'neg' ? `(-${r(e.a)})` : `${FLOAT_UNARY[e.op]}(${r(e.a)})`;
      const t = DTYPES[e.dtype].c;
      const u = e.dtype === 'int64' ? 'uint64_t' : 'uint32_t';
      if (e.op === 'neg') return `((${t})(0u - (${u})${r(e.a)}))`;
      if (e.op === 'abs') return `volta_abs_${DTYPES[e.dtype].short}(${r(e.a)})`;
      return r(e.a);
    }
    case 'binary': {
      if (e.dtype === 'float32') {
        const fn = FLOAT_BINARY[e.op];
        if (fn !== undefined) return `${fn}(${r(e.a)}, ${r(e.b)})`;
        return `(${r(e.a)} ${OPS[e.op]} ${r(e.b)})`;
      }
      const short = DTYPES[e.dtype].short;
      if (e.op === 'div' || e.op === 'max' || e.op === 'min' || e.op === 'pow') return `volta_${e.op}_${short}(${r(e.a)}, ${r(e.b)})`;
      const t = DTYPES[e.dtype].c;
      const u = e.dtype === 'int64' ? 'uint64_t' : 'uint32_t';
      return `((${t})((${u})${r(e.a)} ${OPS[e.op]} (${u})${r(e.b)}))`;
    }
  }
}
