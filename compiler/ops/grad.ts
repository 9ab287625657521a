// Building blocks for gradient rules (OpDef.grad): registry ops through the rule's
// emitter, in the form the graph's opset wants (axes as inputs or attributes), and the
// sum that takes a broadcast gradient back to its operand's shape.
import type { AttrValue, Value } from '../ir/graph.ts';
import { numel, type Shape, sameShape } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import type { Emitter, GradCtx, GradRule } from './define.ts';

export class GradBuilder {
  constructor(
    private readonly e: Emitter,
    readonly opset: number,
  ) {}

  op(op: string, inputs: readonly (Value | undefined)[], attrs: Readonly<Record<string, AttrValue>> = {}): Value {
    return this.e.op(op, inputs, attrs);
  }

  /** A float32 scalar constant (broadcasts against anything). */
  f32(v: number): Value {
    return this.e.constant(makeTensor('float32', [], [v]));
  }

  i64(xs: readonly number[]): Value {
    return this.e.constant(makeTensor('int64', [xs.length], xs));
  }

  /** float32 zeros of a shape: a constant (the exact zero gradient of piecewise-constant ops). */
  zeros(shape: Shape): Value {
    return this.e.constant(makeTensor('float32', shape));
  }

  add = (a: Value, b: Value) => this.op('Add', [a, b]);
  sub = (a: Value, b: Value) => this.op('Sub', [a, b]);
  mul = (a: Value, b: Value) => this.op('Mul', [a, b]);
  div = (a: Value, b: Value) => this.op('Div', [a, b]);
  neg = (a: Value) => this.op('Neg', [a]);
  exp = (a: Value) => this.op('Exp', [a]);
  log = (a: Value) => this.op('Log', [a]);
  where = (c: Value, a: Value, b: Value) => this.op('Where', [c, a, b]);
  less = (a: Value, b: Value) => this.op('Less', [a, b]);
  greater = (a: Value, b: Value) => this.op('Greater', [a, b]);
  equal = (a: Value, b: Value) => this.op('Equal', [a, b]);

  /** a * k for a float constant k. */
  scale(a: Value, k: number): Value {
    return k === 1 ? a : this.mul(a, this.f32(k));
  }

  reshape(x: Value, shape: Shape): Value {
    if (sameShape(x.shape, shape)) return x;
    // An empty result has no elements to move (and Reshape would read a 0 as "copy this dim").
    if (numel(shape) === 0) return this.zeros(shape);
    return this.op('Reshape', [x, this.i64(shape)]);
  }

  transpose(x: Value, perm: readonly number[]): Value {
    return perm.every((p, i) => p === i) ? x : this.op('Transpose', [x], { perm: [...perm] });
  }

  /** Swaps the last two dims. */
  transposeLast(x: Value): Value {
    const r = x.shape.length;
    return this.transpose(
      x,
      [...Array(r).keys()].map((i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)),
    );
  }

  /** ReduceSum over sorted distinct axes (none: x itself). */
  reduceSum(x: Value, axes: readonly number[], keepdims: boolean): Value {
    if (axes.length === 0) return x;
    const keep = keepdims ? 1 : 0;
    return this.opset >= 13 ? this.op('ReduceSum', [x, this.i64(axes)], { keepdims: keep }) : this.op('ReduceSum', [x], { axes: [...axes], keepdims: keep });
  }

  /** x broadcast to `shape` (numpy rules). */
  expand(x: Value, shape: Shape): Value {
    return sameShape(x.shape, shape) ? x : this.op('Expand', [x, this.i64(shape)]);
  }

  /**
   * Sums a gradient computed over a broadcast shape back to an operand's shape: over the
   * leading dims the operand lacks and over the dims where it has size 1.
   */
  sumTo(g: Value, shape: Shape): Value {
    if (sameShape(g.shape, shape)) return g;
    const lead = g.shape.length - shape.length;
    const axes = g.shape.map((_, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1));
    return this.reshape(this.reduceSum(g, axes, true), shape);
  }

  /** Slice along axes with step 1 (starts/ends as inputs from opset 10, attributes before). */
  slice(x: Value, axes: readonly number[], starts: readonly number[], ends: readonly number[]): Value {
    if (this.opset >= 10) return this.op('Slice', [x, this.i64(starts), this.i64(ends), this.i64(axes)]);
    return this.op('Slice', [x], { axes: [...axes], starts: [...starts], ends: [...ends] });
  }

  /** Constant-zero Pad by begin/end per dim (negative values crop). */
  pad(x: Value, begin: readonly number[], end: readonly number[]): Value {
    if (begin.every((b) => b === 0) && end.every((b) => b === 0)) return x;
    if (this.opset >= 11) return this.op('Pad', [x, this.i64([...begin, ...end]), this.f32(0)]);
    return this.op('Pad', [x], { pads: [...begin, ...end], value: 0 });
  }

  /**
   * The adjoint of an index map along one axis: out[.., i, ..] = sum over o with
   * map(o) = i of g[.., o, ..], in increasing o. Written as a MatMul with a constant 0/1
   * matrix (one term per o, so the sum is exact in that order).
   */
  scatterAxis(g: Value, axis: number, inSize: number, map: (o: number) => number | undefined): Value {
    const outSize = g.shape[axis];
    const sel = new Float32Array(inSize * outSize);
    for (let o = 0; o < outSize; o++) {
      const i = map(o);
      if (i !== undefined) sel[i * outSize + o] = 1;
    }
    const outer = g.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = g.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const s = this.e.constant(makeTensor('float32', [inSize, outSize], sel));
    const r = this.op('MatMul', [s, this.reshape(g, [outer, outSize, inner])]);
    return this.reshape(r, [...g.shape.slice(0, axis), inSize, ...g.shape.slice(axis + 1)]);
  }
}

/** Elementwise unary rule: dX from (x, y, dy). */
export type UnaryGrad = (b: GradBuilder, x: Value, y: Value, dy: Value, ctx: GradCtx) => Value;

export function unaryGrad(f: UnaryGrad): GradRule {
  return (ctx, e) => {
    const dy = ctx.dOutputs[0];
    const x = ctx.inputs[0];
    if (dy === undefined || x === undefined || !ctx.needs[0]) return [undefined];
    return [f(new GradBuilder(e, ctx.opset), x, ctx.outputs[0], dy, ctx)];
  };
}

/**
 * Rule of a broadcasting op: each needed input's gradient over the output shape
 * (from `f`), summed back to the input's shape.
 */
export function broadcastGrad(f: (b: GradBuilder, i: number, dy: Value, ctx: GradCtx) => Value | undefined): GradRule {
  return (ctx, e) => {
    const dy = ctx.dOutputs[0];
    const b = new GradBuilder(e, ctx.opset);
    return ctx.inputs.map((x, i) => {
      if (dy === undefined || x === undefined || !ctx.needs[i]) return undefined;
      const g = f(b, i, dy, ctx);
      return g === undefined ? undefined : b.sumTo(g, x.shape);
    });
  };
}

/** The rule of ops whose output is input 0 viewed with another shape (Reshape, Flatten, Squeeze...). */
export const reshapeGrad: GradRule = (ctx, e) => {
  const dy = ctx.dOutputs[0];
  const x = ctx.inputs[0];
  if (dy === undefined || x === undefined || !ctx.needs[0]) return ctx.inputs.map(() => undefined);
  return [new GradBuilder(e, ctx.opset).reshape(dy, x.shape), ...ctx.inputs.slice(1).map(() => undefined)];
};
