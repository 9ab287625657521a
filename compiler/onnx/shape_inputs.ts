// Which graph inputs decide shapes: those whose values reach an input the op
// registry declares `constant: true` (Reshape's shape, Slice's starts, Pad's pads,
// a Reduce's axes...). Their values must be known when the model is compiled:
// bound with bindInputs, or seen at run time by a specialising session.
//
// The walk goes backwards from each such position through the ops that compute
// values from their inputs (Cast, Concat, Gather...). It stops at ops whose output
// is compile-time data given only their inputs' shapes (Shape, Size), except
// through their own constant positions (ConstantOfShape's shape).
import { onnxOp } from '../ops/registry.ts';
import type { OnnxModel } from './proto.ts';

export interface ShapeInputUse {
  readonly node: string;
  readonly op: string;
  /** The registry's name of the input position (e.g. 'shape', 'axes'). */
  readonly position: string;
}

export interface ShapeInput {
  /** The graph input's name. */
  readonly name: string;
  /** The first position it reaches (in node order): what the error message names. */
  readonly use: ShapeInputUse;
}

/** Graph inputs (not initializers) whose values decide shapes, in graph-input order. */
export function shapeInputs(model: OnnxModel): ShapeInput[] {
  const g = model.graph;
  const inits = new Set(g.initializer.map((t) => t.name));
  const inputs = new Set(g.input.map((v) => v.name).filter((n) => !inits.has(n)));
  const producer = new Map<string, (typeof g.node)[number]>();
  for (const n of g.node) for (const o of n.output) if (o !== '') producer.set(o, n);
  const found = new Map<string, ShapeInputUse>();
  const seen = new Set<string>();
  const walk = (value: string, use: ShapeInputUse) => {
    if (value === '' || seen.has(value)) return;
    seen.add(value);
    if (inputs.has(value)) {
      if (!found.has(value)) found.set(value, use);
      return;
    }
    const p = producer.get(value);
    const def = p && onnxOp(p.domain, p.opType);
    if (p === undefined || def === undefined) return; // an initializer, or an op import will refuse anyway
    p.input.forEach((name, i) => {
      const spec = def.inputs[Math.min(i, def.inputs.length - 1)];
      if (def.lowering.kind !== 'constant' || spec?.constant) walk(name, use);
    });
  };
  g.node.forEach((n, k) => {
    const def = onnxOp(n.domain, n.opType);
    if (def === undefined) return;
    n.input.forEach((name, i) => {
      const spec = def.inputs[i];
      if (spec?.constant) walk(name, { node: n.name || `${n.opType}#${k}`, op: n.opType, position: spec.name });
    });
  });
  return g.input.filter((v) => found.has(v.name)).map((v) => ({ name: v.name, use: found.get(v.name)! }));
}
