// Joint forward + backward graphs (compiler/autograd) that between them emit every
// backward kernel kind: conv input and weight gradients, max and average pool input
// gradients, and Gather's scatter-add with run-time indices. Outputs: the gradients.
import { differentiate } from '../../compiler/autograd/differentiate.ts';
import type { Graph, Value } from '../../compiler/ir/graph.ts';
import { numel } from '../../compiler/ir/shape.ts';
import { GraphBuilder, makeTensor } from '../../runtime/index.ts';
import type { NamedGraph } from './models.ts';
import { randomFloats } from './models.ts';

/** The gradients of sum(out * R) with respect to `wrt` (R fixed, seeded), as the graph's outputs. */
function gradientsOf(b: GraphBuilder, outs: Value[], wrt: Value[], seed: number): Graph {
  let loss: Value | undefined;
  outs.forEach((o, i) => {
    const r = b.constant(`R${i}`, makeTensor('float32', o.shape, randomFloats(numel(o.shape), seed + i, 1)));
    const term = b.op('ReduceSum', [b.op('Mul', [o, r])], { keepdims: 0 });
    loss = loss === undefined ? term : b.op('Add', [loss, term]);
  });
  b.output(loss!);
  const g = b.build();
  const d = differentiate(
    g,
    g.outputs[0],
    wrt.map((v) => v.id),
  );
  d.graph.outputs = [...d.grads];
  return d.graph;
}

/** One graph (one native build per backend, to keep CI time down) with every backward kind. */
export function backwardGraphs(): NamedGraph[] {
  const b = new GraphBuilder('backward');
  // Grouped, strided, dilated, padded 2-D conv with bias: dX, dW and dB.
  const x = b.input('x', 'float32', [2, 4, 7, 6]);
  const w = b.input('w', 'float32', [6, 2, 3, 2]);
  const bias = b.input('b', 'float32', [6]);
  const conv = b.op('Conv', [x, w, bias], { group: 2, strides: [2, 1], dilations: [1, 2], pads: [1, 0, 2, 1] });
  // Max and average pools (ceil mode, pads, both count_include_pad settings) of another input.
  const p = b.input('p', 'float32', [2, 3, 7, 6]);
  const mx = b.op('MaxPool', [p], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1, pads: [1, 1, 0, 0] });
  // Overlapping windows (3 x 3, stride 2): an element can be the argmax of several windows.
  const mxo = b.op('MaxPool', [p], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  const av = b.op('AveragePool', [p], { kernel_shape: [3, 3], auto_pad: 'SAME_LOWER', count_include_pad: 1 });
  const av2 = b.op('AveragePool', [p], { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1] });
  // Gather on a middle axis with run-time indices (negative and out-of-range ones too).
  const data = b.input('data', 'float32', [3, 5, 4]);
  const idx = b.input('idx', 'int64', [2, 3]);
  const gathered = b.op('Gather', [data, idx], { axis: 1 });
  return [{ name: 'backward', graph: gradientsOf(b, [conv, mx, mxo, av, av2, gathered], [x, w, bias, p, data], 21) }];
}
