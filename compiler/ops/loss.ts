// SoftmaxCrossEntropyLoss, decomposed: log-probabilities from one max-shifted LogSoftmax
// kernel (numerically stable), the label's entry picked by a one-hot mask, then the
// reduction. Its gradient follows from the pieces' rules and comes out in closed form,
// (softmax - onehot) scaled by the reduction, without ever dividing by a probability.
import { makeTensor } from '../ir/tensor.ts';
import { attr } from './attr.ts';
import { defineOp, fail, input, intAttr, type NodeCtx, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';
import { GradBuilder } from './grad.ts';

function check(ctx: NodeCtx): void {
  const [scores, labels] = [input(ctx, 0), input(ctx, 1)];
  const s = scores.shape;
  if (s.length < 2 || labels.shape.length !== s.length - 1 || labels.shape[0] !== s[0] || labels.shape.some((d, i) => i > 0 && d !== s[i + 1])) {
    shapeError(ctx, 'scores must be [N, C, d...] and labels [N, d...]', [s, labels.shape]);
  }
  const w = ctx.inputs[2];
  if (w !== undefined && (w.shape.length !== 1 || w.shape[0] !== s[1])) shapeError(ctx, `weights must be [C] = [${s[1]}]`, [s, labels.shape, w.shape]);
  if (ctx.opset < 13 && s.length > 2)
    fail(ctx, 'VOLTA_E_UNSUPPORTED_OPSET', `opset ${ctx.opset} with rank-${s.length} scores`, 'rank-2 scores before opset 13');
}

export const SoftmaxCrossEntropyLoss = defineOp({
  name: 'SoftmaxCrossEntropyLoss',
  onnx: { opType: 'SoftmaxCrossEntropyLoss', domain: '', opsets: [12, MAX_KNOWN_OPSET] },
  inputs: [
    { name: 'scores', type: 'T' },
    { name: 'labels', type: 'Tind' },
    { name: 'weights', type: 'T', optional: true },
  ],
  outputs: ['output', 'log_prob'],
  types: { T: ['float32'], Tind: ['int32', 'int64'] },
  attrs: {
    reduction: attr.string({ default: 'mean', allowed: ['mean', 'sum', 'none'] }),
    ignore_index: attr.int({ optional: true }),
  },
  infer: (ctx) => {
    check(ctx);
    const [scores, labels] = [input(ctx, 0), input(ctx, 1)];
    const loss = ctx.attrs.reduction === 'none' ? labels.shape : [];
    return [
      { dtype: scores.dtype, shape: loss },
      { dtype: scores.dtype, shape: scores.shape },
    ];
  },
  lowering: {
    kind: 'decompose',
    build: (ctx, e) => {
      const [scores, labels] = [input(ctx, 0), input(ctx, 1)];
      const b = new GradBuilder(e, ctx.opset);
      const s = scores.shape;
      const logp = b.op('LogSoftmax', [scores], { axis: 1 });
      const classes = e.constant(
        makeTensor(
          labels.dtype,
          s.map((d, i) => (i === 1 ? d : 1)),
          [...Array(s[1]).keys()],
        ),
      );
      const wide = b.reshape(
        labels,
        s.map((d, i) => (i === 1 ? 1 : d)),
      );
      const onehot = b.op('Cast', [b.equal(wide, classes)], { to: 1 });
      let nll = b.neg(b.reduceSum(b.mul(logp, onehot), [1], false));
      const all = labels.shape.map((_, i) => i);
      // Per-class weights: each label's weight (0 for a label outside [0, C)) scales its loss, and mean
      // divides by the sum of the weights kept instead of the count.
      const weights = ctx.inputs[2];
      const wLabel =
        weights &&
        b.reduceSum(
          b.mul(
            onehot,
            b.reshape(
              weights,
              s.map((d, i) => (i === 1 ? d : 1)),
            ),
          ),
          [1],
          false,
        );
      if (wLabel) nll = b.mul(nll, wLabel);
      let count = wLabel ? b.reduceSum(wLabel, all, false) : b.f32(labels.shape.reduce((a, d) => a * d, 1));
      if (ctx.attrs.ignore_index !== undefined) {
        const ignored = b.equal(labels, e.constant(makeTensor(labels.dtype, [], [intAttr(ctx, 'ignore_index')])));
        const keep = b.where(ignored, b.f32(0), b.f32(1));
        nll = b.mul(nll, keep);
        count = b.reduceSum(wLabel ? b.mul(keep, wLabel) : keep, all, false);
      }
      const loss =
        ctx.attrs.reduction === 'none' ? nll : ctx.attrs.reduction === 'sum' ? b.reduceSum(nll, all, false) : b.div(b.reduceSum(nll, all, false), count);
      return [loss, logp];
    },
  },
  coverage:
    "weights (per class; mean divides by the sum of the kept labels' weights) and ignore_index (mean divides by the labels kept) supported; a label outside [0, C) contributes 0; LogSoftmax (max-shifted) then the label entry picked by a one-hot mask",
});
