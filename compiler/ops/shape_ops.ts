import { normalizeAxis, numel, shapeStr } from '../ir/shape.ts';
import { attr } from './attr.ts';
import { constInput, defineOp, fail, input, intAttr } from './define.ts';
import { ANY_DTYPE, MAX_KNOWN_OPSET } from './elementwise.ts';
import { reshapeGrad } from './grad.ts';

export const Reshape = defineOp({
  name: 'Reshape',
  onnx: { opType: 'Reshape', domain: '', opsets: [5, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'data', type: 'T' },
    { name: 'shape', type: 'S', constant: true },
  ],
  outputs: ['reshaped'],
  types: { T: ANY_DTYPE, S: ['int64'] },
  attrs: { allowzero: attr.int({ default: 0, allowed: [0, 1], doc: 'opset 14+' }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const s = input(ctx, 1);
    if (s.shape.length !== 1) fail(ctx, 'VOLTA_E_SHAPE', `shape input has shape ${shapeStr(s.shape)}`, 'a 1-D tensor');
    const req = constInput(ctx, 1, 'shape input') ?? [];
    const allowzero = intAttr(ctx, 'allowzero') === 1;
    const out: number[] = [];
    let infer = -1;
    req.forEach((d, i) => {
      if (d === -1) {
        if (infer >= 0) fail(ctx, 'VOLTA_E_SHAPE', `shape ${shapeStr(req)} has more than one -1`);
        infer = i;
        out.push(1);
      } else if (d === 0 && !allowzero) {
        if (i >= x.shape.length) fail(ctx, 'VOLTA_E_SHAPE', `shape ${shapeStr(req)} copies dim ${i} of a rank-${x.shape.length} input`);
        out.push(x.shape[i]);
      } else if (d < 0 || !Number.isSafeInteger(d)) {
        fail(ctx, 'VOLTA_E_SHAPE', `shape ${shapeStr(req)} has dim ${d}`);
      } else out.push(d);
    });
    const total = numel(x.shape);
    if (infer >= 0) {
      const rest = numel(out);
      if (rest === 0 || total % rest !== 0) fail(ctx, 'VOLTA_E_SHAPE', `cannot infer -1 in ${shapeStr(req)} from input ${shapeStr(x.shape)}`);
      out[infer] = total / rest;
    }
    if (numel(out) !== total) fail(ctx, 'VOLTA_E_SHAPE', `input ${shapeStr(x.shape)} (${total} elements) cannot become ${shapeStr(out)}`);
    return [{ dtype: x.dtype, shape: out }];
  },
  lowering: { kind: 'alias' },
  grad: reshapeGrad,
  coverage: 'shape must be a compile-time constant; 0 and -1 as in the spec; allowzero supported',
});

export const Flatten = defineOp({
  name: 'Flatten',
  onnx: { opType: 'Flatten', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T' }],
  outputs: ['output'],
  types: { T: ANY_DTYPE },
  attrs: { axis: attr.int({ default: 1 }) },
  infer: (ctx) => {
    const x = input(ctx, 0);
    const raw = intAttr(ctx, 'axis');
    const a = raw === x.shape.length ? raw : normalizeAxis(raw, x.shape.length);
    if (a === undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `axis=${raw} for rank ${x.shape.length}`, `-${x.shape.length}..${x.shape.length}`);
    return [{ dtype: x.dtype, shape: [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))] }];
  },
  lowering: { kind: 'alias' },
  grad: reshapeGrad,
  coverage: 'any axis in [-r, r]',
});

export const Identity = defineOp({
  name: 'Identity',
  onnx: { opType: 'Identity', domain: '', opsets: [1, MAX_KNOWN_OPSET] },
  inputs: [{ name: 'input', type: 'T' }],
  outputs: ['output'],
  types: { T: ANY_DTYPE },
  attrs: {},
  infer: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }],
  lowering: { kind: 'alias' },
  grad: reshapeGrad,
  coverage: 'tensor inputs only (no sequences or optionals)',
});
