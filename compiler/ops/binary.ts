// Add, Sub, Mul, Div: numpy broadcasting, one kernel expression each.
import { defineOp } from './define.ts';
import { binaryOp, inferBroadcast, MAX_KNOWN_OPSET, NUMERIC } from './elementwise.ts';
import { add, cast, div, type Expr, mul, pow, sub } from './expr.ts';
import { broadcastGrad } from './grad.ts';

const note = 'numpy broadcasting (opset 7+; the opset 1/6 `broadcast` attribute form is not supported)';

export const Add = binaryOp({ name: 'Add', since: 7, types: NUMERIC, coverage: note, grad: broadcastGrad((_b, _i, dy) => dy) }, add);
export const Sub = binaryOp({ name: 'Sub', since: 7, types: NUMERIC, coverage: note, grad: broadcastGrad((b, i, dy) => (i === 0 ? dy : b.neg(dy))) }, sub);
export const Mul = binaryOp(
  { name: 'Mul', since: 7, types: NUMERIC, coverage: note, grad: broadcastGrad((b, i, dy, ctx) => b.mul(dy, ctx.inputs[1 - i]!)) },
  mul,
);
export const Div = binaryOp(
  {
    name: 'Div',
    since: 7,
    types: NUMERIC,
    coverage: `${note}; integer division truncates toward zero, and an integer division by zero gives 0 instead of trapping`,
    // d/da = 1 / b; d/db = -a / b^2 = -y / b.
    grad: broadcastGrad((b, i, dy, ctx) => (i === 0 ? b.div(dy, ctx.inputs[1]!) : b.neg(b.div(b.mul(dy, ctx.outputs[0]), ctx.inputs[1]!)))),
  },
  div,
);

/** x^y: float bases use volta_powf (exponent cast to float32); integer bases with integer
 * exponents multiply exactly (wrapping); integer bases with float exponents go through
 * volta_powf and cast back (truncating, saturating). */
export const Pow = defineOp({
  name: 'Pow',
  onnx: { opType: 'Pow', domain: '', opsets: [7, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'X', type: 'T' },
    { name: 'Y', type: 'T1' },
  ],
  outputs: ['Z'],
  types: { T: NUMERIC, T1: NUMERIC },
  attrs: {},
  infer: inferBroadcast,
  lowering: {
    kind: 'elementwise',
    scalar: (args) => {
      const [x, y] = args as Expr[];
      if (x.dtype === 'float32') return pow(x, cast(y, 'float32'));
      if (y.dtype !== 'float32') return pow(x, cast(y, x.dtype));
      return cast(pow(cast(x, 'float32'), y), x.dtype);
    },
  },
  // Float base (only float values need gradients): d/dx = y x^(y-1), d/dy = x^y log(x).
  grad: broadcastGrad((b, i, dy, ctx) => {
    const x = ctx.inputs[0]!;
    const y = ctx.inputs[1]!.dtype === 'float32' ? ctx.inputs[1]! : b.op('Cast', [ctx.inputs[1]!], { to: 1 });
    if (i === 0) return b.mul(dy, b.mul(y, b.op('Pow', [x, b.sub(y, b.f32(1))])));
    return b.mul(dy, b.mul(ctx.outputs[0], b.log(x)));
  }),
  coverage:
    'numpy broadcasting; integer exponents up to 64 by repeated squaring, others as exp(y log|x|) (within rtol 1e-3 of the reference, not correctly rounded); integer x with a negative integer exponent gives 0 unless |x| = 1',
});
