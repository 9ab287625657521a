// Mod: the remainder with the sign of the divisor (fmod=0, integers, as Python's %) or of
// the dividend (fmod=1, as C's fmod; float32 through the exact volta_fmodf).
import { attr } from './attr.ts';
import { defineOp, fail, input, intAttr, type NodeCtx } from './define.ts';
import { inferBroadcast, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { add, div, type Expr, eq, fmod, lit, lt, mul, select, sub } from './expr.ts';
import { broadcastGrad } from './grad.ts';

function checkMode(ctx: NodeCtx) {
  if (input(ctx, 0).dtype === 'float32' && intAttr(ctx, 'fmod') === 0)
    fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', 'fmod=0 with float32 inputs', 'fmod=1 for floating-point inputs (as the ONNX spec requires)');
  return inferBroadcast(ctx);
}

/** Integer remainder truncated toward zero; a divisor of 0 gives 0 (numpy), never a trap. */
function truncRem(a: Expr, b: Expr): Expr {
  const zero = lit(0, a.dtype);
  return select(eq(b, zero), zero, sub(a, mul(div(a, b), b)));
}

export const Mod = defineOp({
  name: 'Mod',
  onnx: { opType: 'Mod', domain: '', opsets: [10, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'A', type: 'T' },
    { name: 'B', type: 'T' },
  ],
  outputs: ['C'],
  types: { T: NUMERIC },
  attrs: { fmod: attr.int({ default: 0, allowed: [0, 1], doc: '0: sign of the divisor (integers only); 1: sign of the dividend' }) },
  infer: checkMode,
  lowering: {
    kind: 'elementwise',
    scalar: (args, ctx) => {
      const [a, b] = args as Expr[];
      if (a.dtype === 'float32') return fmod(a, b);
      const r = truncRem(a, b);
      if (intAttr(ctx, 'fmod') === 1) return r;
      // Python's %: a non-zero remainder whose sign differs from the divisor's moves by b.
      const zero = lit(0, a.dtype);
      const differ = select(lt(r, zero), select(lt(b, zero), lit(0, 'bool'), lit(1, 'bool')), select(lt(zero, r), lt(b, zero), lit(0, 'bool')));
      return select(differ, add(r, b), r);
    },
  },
  // fmod(a, b) = a - trunc(a / b) * b: dA = dY; B gets none (trunc(a / b) is not a registry op).
  grad: broadcastGrad((_b, i, dy) => (i === 0 ? dy : undefined)),
  gradNote: 'A only (dA = dY); differentiating through B is VOLTA_E_NO_GRADIENT',
  coverage:
    'numpy broadcasting; fmod=1: float32 through an exact fmod (sign of A; NaN for B = 0 or infinite A), integers truncated; fmod=0: integers only, sign of B (Python %); an integer divisor of 0 gives 0',
});
