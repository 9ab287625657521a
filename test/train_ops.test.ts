// The ops training adds, against onnxruntime: SoftmaxCrossEntropyLoss (every reduction,
// ignore_index, per-class weights, [N, C, d] scores, the log_prob output) and BatchNormalization in training
// mode (batch statistics and the running-statistics update). One model, one build.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { randomFloats } from './helpers/models.ts';
import { compareWithOrt, type Feed } from './helpers/ort_oracle.ts';

const cacheDir = join(tmpdir(), 'volta-train-ops-cache');

it('SoftmaxCrossEntropyLoss and training-mode BatchNormalization agree with onnxruntime', async () => {
  const w = new OnnxWriter('train_ops', 15);
  w.input('scores', 'float32', [4, 5]);
  w.input('labels', 'int64', [4]);
  w.input('scores3', 'float32', [3, 4, 2]);
  w.input('labels3', 'int64', [3, 2]);
  w.input('x', 'float32', [4, 3, 2, 2]);
  const cases: [string, string, string, Record<string, string | number>, string?][] = [
    ['mean', 'scores', 'labels', { reduction: 'mean' }],
    ['sum', 'scores', 'labels', { reduction: 'sum' }],
    ['none', 'scores', 'labels', { reduction: 'none' }],
    ['ignored_mean', 'scores', 'labels', { reduction: 'mean', ignore_index: 2 }],
    ['spatial_mean', 'scores3', 'labels3', { reduction: 'mean' }],
    ['spatial_none_ignored', 'scores3', 'labels3', { reduction: 'none', ignore_index: 0 }],
  ];
  // Per-class weights: [C] initializers (one with a zero weight).
  w.initializer('cw5', makeTensor('float32', [5], [0.5, 2, 1.25, 0, 3]));
  w.initializer('cw4', makeTensor('float32', [4], [1.5, 0.25, 2, 0.75]));
  cases.push(
    ['weighted_mean', 'scores', 'labels', { reduction: 'mean' }, 'cw5'],
    ['weighted_sum_ignored', 'scores', 'labels', { reduction: 'sum', ignore_index: 0 }, 'cw5'],
    ['weighted_spatial_mean_ignored', 'scores3', 'labels3', { reduction: 'mean', ignore_index: 1 }, 'cw4'],
    ['weighted_spatial_none', 'scores3', 'labels3', { reduction: 'none' }, 'cw4'],
  );
  for (const [name, s, l, attrs, cw] of cases) {
    const [loss, logp] = w.node('SoftmaxCrossEntropyLoss', [s, l, ...(cw ? [cw] : [])], attrs, { name, outputs: [`${name}_loss`, `${name}_logp`] });
    w.output(loss, 'float32');
    w.output(logp, 'float32');
  }
  for (const [i, n] of ['scale', 'bias', 'mean', 'var'].entries())
    w.initializer(
      n,
      makeTensor(
        'float32',
        [3],
        randomFloats(3, 40 + i, 1).map((v) => (n === 'var' ? 1 + v * 0.5 : v)),
      ),
    );
  const bn = w.node(
    'BatchNormalization',
    ['x', 'scale', 'bias', 'mean', 'var'],
    { training_mode: 1, momentum: { float: 0.8 }, epsilon: { float: 1e-3 } },
    { outputs: ['bn_y', 'bn_mean', 'bn_var'] },
  );
  for (const o of bn) w.output(o, 'float32');
  const feeds: Record<string, Feed> = {
    scores: { dtype: 'float32', data: randomFloats(20, 1, 4), dims: [4, 5] },
    labels: { dtype: 'int64', data: BigInt64Array.from([0n, 2n, 4n, 2n]), dims: [4] },
    scores3: { dtype: 'float32', data: randomFloats(24, 2, 30), dims: [3, 4, 2] },
    labels3: { dtype: 'int64', data: BigInt64Array.from([3n, 0n, 1n, 1n, 0n, 2n]), dims: [3, 2] },
    x: { dtype: 'float32', data: randomFloats(48, 3, 2), dims: [4, 3, 2, 2] },
  };
  const { errors } = await compareWithOrt(w.bytes(), feeds, { cacheDir });
  for (const [name, e] of Object.entries(errors)) expect(e, name).toBeLessThan(1e-5);
});
