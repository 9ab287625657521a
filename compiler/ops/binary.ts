// Add, Sub, Mul, Div: numpy broadcasting, one kernel expression each.
import { binaryOp, NUMERIC } from './elementwise.ts';
import { add, div, mul, sub } from './expr.ts';

const note = 'numpy broadcasting (opset 7+; the opset 1/6 `broadcast` attribute form is not supported)';

export const Add = binaryOp({ name: 'Add', since: 7, types: NUMERIC, coverage: note }, add);
export const Sub = binaryOp({ name: 'Sub', since: 7, types: NUMERIC, coverage: note }, sub);
export const Mul = binaryOp({ name: 'Mul', since: 7, types: NUMERIC, coverage: note }, mul);
export const Div = binaryOp(
  {
    name: 'Div',
    since: 7,
    types: NUMERIC,
    coverage: `${note}; integer division truncates toward zero, and an integer division by zero gives 0 instead of trapping`,
  },
  div,
);
