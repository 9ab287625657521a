// The IR: a graph of nodes over statically shaped values. Every collection is
// an array or an insertion-ordered Map filled in a deterministic order, so
// anything derived from it (text, names, fingerprints) is reproducible.

import type { DType } from './dtype.ts';
import { invariant } from './errors.ts';
import type { Shape } from './shape.ts';
import type { TensorData } from './tensor.ts';

export type AttrValue = number | string | readonly number[] | readonly string[] | TensorData;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Value {
  readonly id: string;
  /** The name from the model (feeds/fetches use it). Never reaches generated code except through comment(). */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  /** Present for constants (initializers, folded values). */
  readonly data?: TensorData;
}

export interface Node {
  readonly id: string;
  readonly name: string;
  readonly op: string;
  /** Value ids; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Complete attributes (defaults filled in), keys sorted. */
  readonly attrs: Attrs;
  /** Fusion group this node belongs to (set by the fusion pass). */
  readonly group?: string;
}

export class Graph {
  readonly name: string;
  /** Opset of the default ONNX domain the graph's nodes follow. */
  readonly opset: number;
  readonly values = new Map<string, Value>();
  nodes: Node[] = [];
  inputs: string[] = [];
  outputs: string[] = [];
  private nextValue = 0;
  private nextNode = 0;

  constructor(name: string, opset: number) {
    this.name = name;
    this.opset = opset;
  }

  value(id: string): Value {
    const v = this.values.get(id);
    invariant(v !== undefined, `unknown value id ${id}`);
    return v;
  }

  addValue(v: Omit<Value, 'id'> & { id?: string }): Value {
    const id = v.id ?? `v${this.nextValue++}`;
    invariant(!this.values.has(id), `duplicate value id ${id}`);
    const full: Value = { ...v, id };
    this.values.set(id, full);
    return full;
  }

  /** Replaces a value's record (same id), e.g. to attach folded data. */
  setValue(v: Value): void {
    invariant(this.values.has(v.id), `setValue of unknown ${v.id}`);
    this.values.set(v.id, v);
  }

  addNode(n: Omit<Node, 'id' | 'attrs'> & { id?: string; attrs?: Attrs }): Node {
    const id = n.id ?? `n${this.nextNode++}`;
    const node: Node = { ...n, id, attrs: sortAttrs(n.attrs ?? {}) };
    this.nodes.push(node);
    return node;
  }

  /** Deep-enough copy for passes: nodes and values are immutable records. */
  clone(): Graph {
    const g = new Graph(this.name, this.opset);
    for (const [k, v] of this.values) g.values.set(k, v);
    g.nodes = [...this.nodes];
    g.inputs = [...this.inputs];
    g.outputs = [...this.outputs];
    g.nextValue = this.nextValue;
    g.nextNode = this.nextNode;
    return g;
  }

  /** Node producing each value (constants and inputs have none). */
  producers(): Map<string, Node> {
    const m = new Map<string, Node>();
    for (const n of this.nodes) for (const o of n.outputs) m.set(o, n);
    return m;
  }

  /** Consumer nodes of each value, in node order (a node appears once per use). */
  consumers(): Map<string, Node[]> {
    const m = new Map<string, Node[]>();
    for (const n of this.nodes) {
      for (const i of n.inputs) {
        if (i === '') continue;
        const list = m.get(i);
        if (list) list.push(n);
        else m.set(i, [n]);
      }
    }
    return m;
  }

  /** Whether the value is compile-time data (initializer or folded). */
  isConstant(id: string): boolean {
    return this.value(id).data !== undefined;
  }
}

export function sortAttrs(a: Attrs): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const k of Object.keys(a).sort()) out[k] = a[k];
  return Object.freeze(out);
}

export function isTensorAttr(v: AttrValue): v is TensorData {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dtype' in (v as object);
}
