// The training step as one graph: forward (the model's training form), the mean
// softmax-cross-entropy loss against int64 labels, its reverse-mode gradient
// (compiler/autograd) and the optimizer's updates. It compiles like any graph; the
// runtime keeps its state slots in native memory between steps (addon State).
//
//   inputs:  data [B, sample...], labels int64 [B], lr float32 [], ...state
//   outputs: loss float32 [], logits [B, classes], ...next value of each state slot
// State slots, in order: parameters, buffers (BatchNormalization running statistics),
// then the optimizer's slots.
import { differentiate, graphEmitter } from '../autograd/differentiate.ts';
import { VoltaError } from '../ir/errors.ts';
import type { Graph, Value } from '../ir/graph.ts';
import type { TensorData } from '../ir/tensor.ts';
import { importDecoded } from '../onnx/import.ts';
import { applyOptimizer, type OptimizerSpec } from './optimizers.ts';
import type { TrainableModel } from './prepare.ts';

export interface StateSlot {
  readonly name: string;
  readonly role: 'param' | 'buffer' | 'optimizer';
  readonly init: TensorData;
}

export interface TrainGraph {
  readonly graph: Graph;
  readonly state: readonly StateSlot[];
}

function imported(m: TrainableModel, form: 'train' | 'infer', batch: number): { g: Graph; byName: (name: string) => Value } {
  const g = importDecoded(m[form], { inputShapes: { [m.input.name]: [batch, ...m.input.sample] } });
  const byName = (name: string) => {
    for (const id of [...g.inputs, ...g.outputs]) if (g.value(id).name === name) return g.value(id);
    throw new VoltaError('VOLTA_E_INTERNAL', { found: `no value ${JSON.stringify(name)} in the imported ${form} form` });
  };
  return { g, byName };
}

export function buildTrainGraph(m: TrainableModel, batch: number, optimizer: OptimizerSpec): TrainGraph {
  const { g, byName } = imported(m, 'train', batch);
  const data = byName(m.input.name);
  const logits = byName(m.logits);
  if (logits.shape.length !== 2 || logits.shape[0] !== batch) {
    throw new VoltaError('VOLTA_E_SHAPE', {
      found: `the model's output ${JSON.stringify(m.logits)} is [${logits.shape.join(',')}]`,
      expected: `logits [${batch}, classes]`,
    });
  }
  const labels = g.addValue({ name: 'labels', dtype: 'int64', shape: [batch] });
  const lr = g.addValue({ name: 'lr', dtype: 'float32', shape: [] });
  const loss = graphEmitter(g)('loss').op('SoftmaxCrossEntropyLoss', [logits, labels], { reduction: 'mean' });
  const params = m.params.map((p) => byName(p.name));
  const d = differentiate(
    g,
    loss.id,
    params.map((p) => p.id),
  );
  const joint = d.graph;
  const updated = applyOptimizer(
    joint,
    optimizer,
    params.map((param, i) => ({ param, grad: joint.value(d.grads[i]) })),
    lr,
  );
  const buffers = m.buffers.map((b) => ({ input: byName(b.name), next: byName(b.next) }));
  joint.inputs = [data.id, labels.id, lr.id, ...params.map((p) => p.id), ...buffers.map((b) => b.input.id), ...updated.slots.map((s) => s.input.id)];
  joint.outputs = [loss.id, logits.id, ...updated.params.map((p) => p.id), ...buffers.map((b) => b.next.id), ...updated.slots.map((s) => s.next.id)];
  return {
    graph: joint,
    state: [
      ...m.params.map((p) => ({ name: p.name, role: 'param' as const, init: p.data })),
      ...m.buffers.map((b) => ({ name: b.name, role: 'buffer' as const, init: b.data })),
      ...updated.slots.map((s) => ({ name: s.name, role: 'optimizer' as const, init: s.init })),
    ],
  };
}

/** The inference form for evaluation: inputs data [B, sample...], ...parameters, ...buffers; output the logits. */
export function buildEvalGraph(m: TrainableModel, batch: number): Graph {
  const { g, byName } = imported(m, 'infer', batch);
  g.inputs = [byName(m.input.name).id, ...m.params.map((p) => byName(p.name).id), ...m.buffers.map((b) => byName(b.name).id)];
  return g;
}
