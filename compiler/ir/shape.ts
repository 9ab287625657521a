// Static shapes. Every dim is a concrete non-negative integer; limits keep all
// index arithmetic in generated code inside int64 and all buffers allocatable.
import { VoltaError } from './errors.ts';

export type Shape = readonly number[];

/** Largest element count of one tensor: 2^31 - 1, so byte sizes of any dtype fit in 2^34. */
export const MAX_ELEMENTS = 2 ** 31 - 1;
export const MAX_RANK = 8;

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major strides in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Validates a shape read from outside (model file, user). */
export function checkShape(shape: readonly number[], where: { node?: string; op?: string; what: string }): Shape {
  if (shape.length > MAX_RANK) {
    throw new VoltaError('VOLTA_E_SHAPE_TOO_LARGE', {
      node: where.node,
      op: where.op,
      found: `${where.what} has rank ${shape.length}`,
      expected: `rank <= ${MAX_RANK}`,
    });
  }
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new VoltaError('VOLTA_E_SHAPE', {
        node: where.node,
        op: where.op,
        found: `${where.what} has dim ${d} in ${shapeStr(shape)}`,
        expected: 'non-negative integer dims',
      });
    }
    n *= d;
    if (d > MAX_ELEMENTS || n > MAX_ELEMENTS) {
      throw new VoltaError('VOLTA_E_SHAPE_TOO_LARGE', {
        node: where.node,
        op: where.op,
        found: `${where.what} has shape ${shapeStr(shape)}`,
        expected: `at most ${MAX_ELEMENTS} elements per tensor`,
        hint: 'split the tensor or use smaller dims',
      });
    }
  }
  return Object.freeze([...shape]);
}

/** numpy-style multidirectional broadcast; undefined when incompatible. */
export function broadcastShapes(shapes: readonly Shape[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) return undefined;
    }
  }
  return out;
}

/** ONNX unidirectional broadcast: `from` broadcasts to `to` without widening it. */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  const b = broadcastShapes([to, from]);
  return b !== undefined && sameShape(b, to);
}

/**
 * Strides to read an input of shape `inShape` while iterating over `outShape`
 * (which it broadcasts to): broadcast dims get stride 0.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const cs = contiguousStrides(inShape);
  const out = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = outShape.length - inShape.length + i;
    out[o] = inShape[i] === 1 && outShape[o] !== 1 ? 0 : cs[i];
  }
  return out;
}

export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}
