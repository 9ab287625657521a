// Optimizers as IR: the update of every parameter (and of the optimizer's own state) is
// a chain of registry ops appended to the training graph, so it runs in the same native
// step as forward and backward, in float32 with the backends' rounding. Hyper-parameters
// are compile-time constants (part of the fingerprint); the learning rate is a run-time
// scalar input, so a schedule never recompiles. Formulas follow PyTorch's documentation
// (SGD with dampening 0; Adam with L2 weight decay; AdamW with decoupled weight decay),
// with Adam's bias corrections from running products beta^t kept as state.
import { graphEmitter } from '../autograd/differentiate.ts';
import { VoltaError } from '../ir/errors.ts';
import type { Graph, Value } from '../ir/graph.ts';
import { makeTensor, type TensorData } from '../ir/tensor.ts';
import { GradBuilder } from '../ops/grad.ts';

export type OptimizerSpec =
  | { readonly type: 'sgd'; readonly lr: number; readonly momentum: number; readonly nesterov: boolean; readonly weightDecay: number }
  | {
      readonly type: 'adam' | 'adamw';
      readonly lr: number;
      readonly beta1: number;
      readonly beta2: number;
      readonly eps: number;
      readonly weightDecay: number;
    };

/** A state slot the optimizer adds: a graph input, the value that replaces it after the step, its initial data. */
export interface OptimizerSlot {
  readonly name: string;
  readonly input: Value;
  readonly next: Value;
  readonly init: TensorData;
}

export interface Updated {
  /** Each parameter's value after the step, in the order given. */
  readonly params: readonly Value[];
  readonly slots: readonly OptimizerSlot[];
}

/** Appends the updates of `params` (with their gradients) to g; `lr` is the learning-rate input. */
export function applyOptimizer(g: Graph, spec: OptimizerSpec, params: readonly { param: Value; grad: Value }[], lr: Value): Updated {
  const b = new GradBuilder(graphEmitter(g)(`optimizer/${spec.type}`), g.opset);
  const slots: OptimizerSlot[] = [];
  const slot = (name: string, shape: readonly number[], fill: number, next: (v: Value) => Value): Value => {
    const input = g.addValue({ name, dtype: 'float32', shape });
    const v = next(input);
    slots.push({ name, input, next: v, init: makeTensor('float32', shape, new Float32Array(shape.reduce((a, d) => a * d, 1)).fill(fill)) });
    return v;
  };
  const wd = spec.weightDecay;
  if (spec.type === 'sgd') {
    const mu = spec.momentum;
    const next = params.map(({ param, grad }) => {
      const g1 = wd !== 0 ? b.add(grad, b.scale(param, wd)) : grad;
      let d = g1;
      if (mu !== 0) {
        const buf = slot(`${param.name}.momentum`, param.shape, 0, (v) => b.add(b.scale(v, mu), g1));
        d = spec.nesterov ? b.add(g1, b.scale(buf, mu)) : buf;
      }
      return b.sub(param, b.mul(lr, d));
    });
    return { params: next, slots };
  }
  const { beta1, beta2, eps } = spec;
  // beta^t after this step (t counts from 1), and the bias corrections 1 - beta^t.
  const b1t = slot('adam.beta1_power', [], 1, (v) => b.scale(v, beta1));
  const b2t = slot('adam.beta2_power', [], 1, (v) => b.scale(v, beta2));
  const c1 = b.sub(b.f32(1), b1t);
  const c2 = b.sub(b.f32(1), b2t);
  const next = params.map(({ param, grad }) => {
    const g1 = spec.type === 'adam' && wd !== 0 ? b.add(grad, b.scale(param, wd)) : grad;
    const m = slot(`${param.name}.adam_m`, param.shape, 0, (v) => b.add(b.scale(v, beta1), b.scale(g1, 1 - beta1)));
    const v = slot(`${param.name}.adam_v`, param.shape, 0, (s) => b.add(b.scale(s, beta2), b.scale(b.mul(g1, g1), 1 - beta2)));
    let step = b.div(b.div(m, c1), b.add(b.op('Sqrt', [b.div(v, c2)]), b.f32(eps)));
    if (spec.type === 'adamw' && wd !== 0) step = b.add(step, b.scale(param, wd));
    return b.sub(param, b.mul(lr, step));
  });
  return { params: next, slots };
}

/** Validates an optimizer description (from a config) into a spec; unknown keys are errors. */
export function optimizerSpec(raw: Readonly<Record<string, unknown>>): OptimizerSpec {
  const type = raw.type;
  const allowed: Record<string, readonly string[]> = {
    sgd: ['type', 'lr', 'momentum', 'nesterov', 'weight_decay'],
    adam: ['type', 'lr', 'beta1', 'beta2', 'eps', 'weight_decay'],
    adamw: ['type', 'lr', 'beta1', 'beta2', 'eps', 'weight_decay'],
  };
  if (typeof type !== 'string' || !(type in allowed)) bad(`optimizer type ${JSON.stringify(type)}`, 'sgd, adam or adamw');
  for (const k of Object.keys(raw).sort()) if (!allowed[type].includes(k)) bad(`optimizer key ${JSON.stringify(k)} for ${type}`, allowed[type].join(', '));
  const num = (k: string, dflt: number, ok: (x: number) => boolean, what: string) => {
    const v = raw[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) bad(`optimizer ${k}=${JSON.stringify(v)}`, what);
    return v;
  };
  const lr = num('lr', type === 'sgd' ? 0.01 : 0.001, (x) => x > 0, 'a positive number');
  const weightDecay = num('weight_decay', type === 'adamw' ? 0.01 : 0, (x) => x >= 0, 'a number >= 0');
  if (type === 'sgd') {
    const nesterov = raw.nesterov ?? false;
    if (typeof nesterov !== 'boolean') bad(`optimizer nesterov=${JSON.stringify(nesterov)}`, 'true or false');
    const momentum = num('momentum', 0, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
    if (nesterov && momentum === 0) bad('nesterov with momentum 0', 'momentum > 0 for nesterov');
    return { type, lr, momentum, nesterov, weightDecay };
  }
  const unit = (x: number) => x >= 0 && x < 1;
  return {
    type: type as 'adam' | 'adamw',
    lr,
    beta1: num('beta1', 0.9, unit, 'a number in [0, 1)'),
    beta2: num('beta2', 0.999, unit, 'a number in [0, 1)'),
    eps: num('eps', 1e-8, (x) => x > 0, 'a positive number'),
    weightDecay,
  };
}

function bad(found: string, expected: string): never {
  throw new VoltaError('VOLTA_E_BAD_OPTION', { found, expected });
}
