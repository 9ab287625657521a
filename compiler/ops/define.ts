// The shape of one op entry. Each op is declared once (compiler/ops/<op>.ts);
// import, inference, lowering (both backends), constant folding and the coverage
// doc all read that entry.

import type { DType } from '../ir/dtype.ts';
import { type ErrorCode, VoltaError } from '../ir/errors.ts';
import type { Attrs, AttrValue, Value } from '../ir/graph.ts';
import { normalizeAxis, type Shape, shapeStr } from '../ir/shape.ts';
import { type TensorData, toNumbers } from '../ir/tensor.ts';
import type { AttrSpec } from './attr.ts';
import type { Compute } from './compute.ts';
import type { Expr } from './expr.ts';

export interface InputSpec {
  readonly name: string;
  /** Type-constraint name (inputs sharing it must share a dtype) — as in the ONNX spec. */
  readonly type: string;
  readonly optional?: boolean;
  /**
   * The value must be known at compile time (e.g. Reshape's shape): a graph input
   * reaching it is bound or specialised by value (compiler/onnx/shape_inputs.ts).
   */
  readonly constant?: boolean;
  /** Only the dtype is read (CastLike's target_type): never loaded, never needed at compile time. */
  readonly typeOnly?: boolean;
  /** Last input only: it may repeat (Sum, Max...); at least one is required. */
  readonly variadic?: boolean;
}

export interface NodeCtx {
  readonly node: { readonly name: string; readonly op: string; readonly id?: string };
  /** undefined where an optional input is omitted. */
  readonly inputs: readonly (Value | undefined)[];
  readonly attrs: Attrs;
  readonly opset: number;
  /** How many outputs the node names (ONNX import); undefined where unknown (GraphBuilder). */
  readonly outputCount?: number;
}

export interface OutType {
  readonly dtype: DType;
  readonly shape: Shape;
}

export interface LowerCtx extends NodeCtx {
  readonly outputs: readonly Value[];
}

export type Lowering =
  /** One scalar expression per element; fusable. args[i] is undefined for omitted optional inputs. */
  | { readonly kind: 'elementwise'; readonly scalar: (args: readonly (Expr | undefined)[], ctx: LowerCtx) => Expr }
  /** Output 0 is input 0's storage viewed with another shape (no kernel). */
  | { readonly kind: 'alias' }
  /** A kernel of its own; `epilogue`: elementwise consumers may fuse into it. */
  | { readonly kind: 'kernel'; readonly epilogue?: boolean; readonly compute: (ctx: LowerCtx) => Compute }
  /** Output is compile-time data (Constant). */
  | { readonly kind: 'constant'; readonly value: (ctx: NodeCtx) => TensorData }
  /** Rewritten into registry ops when the node is added (import or builder): no kernel of its own. */
  | { readonly kind: 'decompose'; readonly build: (ctx: NodeCtx, e: Emitter) => readonly Value[] };

/** What a decomposition may use: registry ops (fully checked, as in import) and constants. */
export interface Emitter {
  op(op: string, inputs: readonly (Value | undefined)[], attrs?: Readonly<Record<string, AttrValue>>): Value;
  constant(data: TensorData): Value;
}

/**
 * What a gradient rule sees: the forward node (inputs, outputs, attributes) and the
 * gradient of the loss with respect to each of its outputs.
 */
export interface GradCtx extends LowerCtx {
  /** d(loss)/d(output i): output i's dtype and shape; undefined where output i does not reach the loss. */
  readonly dOutputs: readonly (Value | undefined)[];
  /** Whether input i needs a gradient (it depends on a value being differentiated); a rule may skip the others. */
  readonly needs: readonly boolean[];
}

/**
 * Reverse-mode rule, written as registry ops through the emitter (so the backward graph
 * goes through the same passes, plans and backends as any graph). Returns the gradient of
 * each input (its dtype and shape; broadcasting already summed back), undefined where the
 * input has none (indices, compile-time shapes) or is not needed. Differentiation fails
 * with VOLTA_E_NO_GRADIENT when a needed input gets undefined.
 */
export type GradRule = (ctx: GradCtx, e: Emitter) => readonly (Value | undefined)[];

export interface OpDef {
  readonly name: string;
  /** domain 'volta': an internal op (backward kernels), never imported from or written to ONNX. */
  readonly onnx: { readonly opType: string; readonly domain: '' | 'volta'; readonly opsets: readonly [number, number] };
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly string[];
  /** The last output may repeat (Split): infer says how many there are. */
  readonly variadicOutput?: boolean;
  /**
   * Trailing outputs that nothing in the graph reads (no node input, no graph output) are taken as
   * omitted, so infer sees fewer outputs: for outputs whose value Volta declines to define (Dropout's
   * mask before opset 12) but that exported models name without using.
   */
  readonly unreadOutputsOmitted?: boolean;
  /** Allowed dtypes per type constraint. */
  readonly types: Readonly<Record<string, readonly DType[]>>;
  /** Output types: the dtype of an output is either a constraint name or a fixed dtype. */
  readonly outputTypes?: readonly string[];
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** Shape (and dtype) inference; throws VoltaError via fail(). */
  readonly infer: (ctx: NodeCtx) => readonly OutType[];
  readonly lowering: Lowering;
  /** Reverse-mode gradient (compiler/autograd/); absent: differentiating through the op is VOLTA_E_NO_GRADIENT. */
  readonly grad?: GradRule;
  /** What the gradient rule computes, for the coverage doc (with `grad`). */
  readonly gradNote?: string;
  /** What the coverage doc says, beyond what the schema already shows. */
  readonly coverage: string;
}

export function defineOp<const T extends OpDef>(def: T): T {
  return Object.freeze(def);
}

export function fail(ctx: NodeCtx, code: ErrorCode, found: string, expected?: string, hint?: string): never {
  throw new VoltaError(code, { node: ctx.node.name, op: ctx.node.op, found, expected, hint });
}

export function shapeError(ctx: NodeCtx, what: string, shapes: readonly Shape[]): never {
  fail(ctx, 'VOLTA_E_SHAPE', `${what}; input shapes ${shapes.map(shapeStr).join(', ')}`);
}

/** Input i, which the schema says is present. */
export function input(ctx: NodeCtx, i: number): Value {
  const v = ctx.inputs[i];
  if (v === undefined) fail(ctx, 'VOLTA_E_BAD_MODEL', `required input ${i} is missing`);
  return v;
}

/**
 * Values of input i, which the op needs at compile time (shapes, axes, pads...);
 * undefined when the optional input is omitted. A run-time value is VOLTA_E_DYNAMIC_SHAPE.
 */
export function constInput(ctx: NodeCtx, i: number, what: string): number[] | undefined {
  const v = ctx.inputs[i];
  if (v === undefined) return undefined;
  if (v.data === undefined)
    fail(
      ctx,
      'VOLTA_E_DYNAMIC_SHAPE',
      `${what} is computed at run time`,
      `a constant ${what}`,
      `fold the ${what} computation before export, or export with static shapes`,
    );
  return toNumbers(v.data);
}

/** An axis attribute normalised for rank r (negative counts from the end). */
export function axisAttr(ctx: NodeCtx, rank: number, name = 'axis'): number {
  const raw = ctx.attrs[name] as number;
  const a = normalizeAxis(raw, rank);
  if (a === undefined) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `${name}=${raw} for rank ${rank}`, `-${rank}..${rank - 1}`);
  return a;
}

export function intAttr(ctx: NodeCtx, name: string): number {
  return ctx.attrs[name] as number;
}
export function floatAttr(ctx: NodeCtx, name: string): number {
  return ctx.attrs[name] as number;
}
export function intsAttr(ctx: NodeCtx, name: string): readonly number[] | undefined {
  return ctx.attrs[name] as readonly number[] | undefined;
}
