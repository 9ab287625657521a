// Constant: compile-time data; import turns it into a constant value directly.
import { isTensorAttr } from '../ir/graph.ts';
import { makeTensor, type TensorData } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { defineOp, fail, type NodeCtx } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';

const KINDS = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'] as const;

function value(ctx: NodeCtx): TensorData {
  const set = KINDS.filter((k) => ctx.attrs[k] !== undefined);
  if (set.length !== 1) {
    fail(
      ctx,
      'VOLTA_E_UNSUPPORTED_ATTR',
      set.length === 0 ? 'no value attribute' : `several value attributes (${set.join(', ')})`,
      `exactly one of ${KINDS.join(', ')}`,
    );
  }
  const v = ctx.attrs[set[0]];
  switch (set[0]) {
    case 'value':
      if (!isTensorAttr(v)) return fail(ctx, 'VOLTA_E_BAD_MODEL', 'value is not a tensor');
      return v;
    case 'value_float':
      return makeTensor('float32', [], [v as number]);
    case 'value_floats':
      return makeTensor('float32', [(v as number[]).length], v as number[]);
    case 'value_int':
      return makeTensor('int64', [], [v as number]);
    default:
      return makeTensor('int64', [(v as number[]).length], v as number[]);
  }
}

export const Constant = defineOp({
  name: 'Constant',
  onnx: { opType: 'Constant', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [],
  outputs: ['output'],
  types: {},
  attrs: {
    value: attr.tensor({ optional: true }),
    value_float: attr.float({ optional: true }),
    value_floats: attr.floats({ optional: true }),
    value_int: attr.int({ optional: true }),
    value_ints: attr.ints({ optional: true }),
  },
  infer: (ctx) => {
    const t = value(ctx);
    return [{ dtype: t.dtype, shape: t.shape }];
  },
  lowering: { kind: 'constant', value },
  coverage: 'value, value_float(s), value_int(s); sparse_value and string values are not supported',
});
