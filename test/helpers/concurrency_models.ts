// Three small, different models with the same input, for tests that compile
// into one cache from several processes at once.
import type { Graph } from '../../compiler/ir/graph.ts';
import { GraphBuilder, makeTensor } from '../../runtime/index.ts';
import { randomFloats } from './models.ts';

export function concurrencyModels(): Graph[] {
  const make = (k: number) => {
    const b = new GraphBuilder(`conc${k}`);
    const x = b.input('x', 'float32', [4, 16]);
    const w = b.constant('w', makeTensor('float32', [16, 8 + k], randomFloats(16 * (8 + k), 40 + k)));
    const h = b.op('MatMul', [x, w]);
    b.output(b.op(k === 0 ? 'Relu' : k === 1 ? 'Tanh' : 'Sigmoid', [h]));
    return b.build();
  };
  return [make(0), make(1), make(2)];
}
