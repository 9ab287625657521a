// Runs a kernel plan in TS with exactly the order and rounding of the emitted
// C and CUDA. Used by constant folding and as the reference in tests.

import type { AnyTypedArray } from '../ir/dtype.ts';
import { invariant } from '../ir/errors.ts';
import { contiguousStrides, numel } from '../ir/shape.ts';
import type { ConcatPlan, ElementwisePlan, GatherPlan, KernelPlan, MatmulPlan, PadPlan, ReducePlan, SoftmaxPlan, WindowPlan } from '../kernels/plan.ts';
import { laneReduce } from '../kernels/reduce_order.ts';
import type { Operand } from '../ops/compute.ts';
import { binary, evalBody, reduceInit, type Scalar } from './scalar.ts';
import * as vm from './volta_math.ts';

export type Buffers = ReadonlyMap<string, AnyTypedArray>;

function get(bufs: Buffers, id: string): AnyTypedArray {
  const b = bufs.get(id);
  invariant(b !== undefined, `interpreter: no buffer ${id}`);
  return b;
}

/** Calls f(linear, operandOffsets) for every point of `shape` in row-major order. */
function forEachIndex(shape: readonly number[], operands: readonly Operand[], f: (i: number, offs: number[]) => void): void {
  const n = numel(shape);
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  const offs = operands.map((o) => o.offset);
  for (let i = 0; i < n; i++) {
    f(i, offs);
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      for (let o = 0; o < operands.length; o++) offs[o] += operands[o].strides[d];
      if (idx[d] < shape[d]) break;
      for (let o = 0; o < operands.length; o++) offs[o] -= operands[o].strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

function elementwise(p: ElementwisePlan, bufs: Buffers): void {
  const ins = p.inputs.map((o) => get(bufs, o.buf));
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const e = p.body[0];
  if (p.body.length === 1 && e.k === 'arg' && p.inputs[e.i].dtype === p.out.dtype) {
    // A pure copy (transpose, output copy): no expression to evaluate per element.
    const src = ins[e.i] as unknown as Scalar[];
    forEachIndex(p.shape, [p.inputs[e.i]], (i, offs) => {
      out[i] = src[offs[0]];
    });
    return;
  }
  forEachIndex(p.shape, p.inputs, (i, offs) => {
    out[i] = evalBody(
      p.body,
      offs.map((o, j) => ins[j][o]),
    );
  });
}

function matmul(p: MatmulPlan, bufs: Buffers): void {
  const a = get(bufs, p.a.buf) as Float32Array;
  const b = get(bufs, p.b.buf) as Float32Array;
  const ep = p.epilogueInputs.map((o) => get(bufs, o.buf));
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const nb = numel(p.batch);
  const shape = [...p.batch, p.m, p.n];
  // Batch offsets of A and B, in row-major batch order.
  const boff = (strides: readonly number[], bi: number) => {
    let off = 0;
    let rem = bi;
    for (let d = p.batch.length - 1; d >= 0; d--) {
      off += (rem % p.batch[d]) * strides[d];
      rem = Math.floor(rem / p.batch[d]);
    }
    return off;
  };
  const accs = new Float32Array(nb * p.m * p.n);
  for (let bi = 0; bi < nb; bi++) {
    const ao = p.a.offset + boff(p.a.batchStrides, bi);
    const bo = p.b.offset + boff(p.b.batchStrides, bi);
    for (let i = 0; i < p.m; i++) {
      for (let j = 0; j < p.n; j++) {
        let acc = 0;
        for (let kk = 0; kk < p.k; kk++) {
          acc = Math.fround(acc + Math.fround(a[ao + i * p.a.rowStride + kk * p.a.colStride] * b[bo + kk * p.b.rowStride + j * p.b.colStride]));
        }
        accs[(bi * p.m + i) * p.n + j] = acc;
      }
    }
  }
  forEachIndex(shape, p.epilogueInputs, (i, offs) => {
    out[i] = evalBody(p.body, [accs[i], ...offs.map((o, j) => ep[j][o])]);
  });
}

function softmax(p: SoftmaxPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as Float32Array;
  const y = get(bufs, p.out.buf) as Float32Array;
  const f = Math.fround;
  for (let o = 0; o < p.outer; o++) {
    for (let q = 0; q < p.inner; q++) {
      const base = o * p.axis * p.inner + q;
      let m = x[base];
      for (let i = 1; i < p.axis; i++) m = vm.fmaxf(m, x[base + i * p.inner]);
      const sum = laneReduce(
        p.axis,
        p.lanes,
        0,
        (i) => {
          const e = vm.expf(f(x[base + i * p.inner] - m));
          if (!p.log) y[base + i * p.inner] = e;
          return e;
        },
        (a, b) => f(a + b),
      );
      const ls = p.log ? vm.logf(sum) : 0;
      for (let i = 0; i < p.axis; i++) {
        const at = base + i * p.inner;
        y[at] = p.log ? f(f(x[at] - m) - ls) : f(y[at] / sum);
      }
    }
  }
}

function reduce(p: ReducePlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as unknown as Scalar[];
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const count = numel(p.reduced);
  const offs = new Array<number>(count);
  forEachIndex(p.kept, [p.input], (i, kept) => {
    forEachIndex(p.reduced, [{ ...p.input, strides: p.input.reducedStrides, offset: kept[0] }], (e, o) => {
      offs[e] = o[0];
    });
    const combine = (a: Scalar, b: Scalar) => binary(p.combine, p.accDtype, a, b);
    const acc = laneReduce(count, p.lanes, reduceInit(p.init, p.accDtype), (e) => evalBody(p.pre, [x[offs[e]]]), combine);
    out[i] = evalBody(p.post, [acc]);
  });
}

function concat(p: ConcatPlan, bufs: Buffers): void {
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const row = p.sizes.reduce((a, b) => a + b, 0) * p.inner;
  let dst = 0;
  p.inputs.forEach((x, i) => {
    const src = get(bufs, x.buf) as unknown as Scalar[];
    const block = p.sizes[i] * p.inner;
    for (let o = 0; o < p.outer; o++) for (let e = 0; e < block; e++) out[o * row + dst + e] = src[o * block + e];
    dst += block;
  });
}

function window(p: WindowPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as Float32Array;
  const w = p.weight ? (get(bufs, p.weight.buf) as Float32Array) : undefined;
  const b = p.bias ? (get(bufs, p.bias.buf) as Float32Array) : undefined;
  const y = get(bufs, p.out.buf) as Float32Array;
  const f = Math.fround;
  const r = p.inSpatial.length;
  const inSize = numel(p.inSpatial);
  const kSize = numel(p.kernel);
  const cg = p.c / p.group;
  const mg = p.m / p.group;
  const unflat = (i: number, dims: readonly number[]) => {
    const out = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      out[d] = i % dims[d];
      i = Math.floor(i / dims[d]);
    }
    return out;
  };
  const outSize = numel(p.outSpatial);
  const channels = p.mode === 'conv' ? cg : 1;
  for (let n = 0; n < p.n; n++) {
    for (let m = 0; m < p.m; m++) {
      for (let o = 0; o < outSize; o++) {
        const oi = unflat(o, p.outSpatial);
        let acc = p.mode === 'max' ? -Infinity : 0;
        let count = 0;
        let countPad = 0;
        for (let c = 0; c < channels; c++) {
          const ch = p.mode === 'conv' ? Math.floor(m / mg) * cg + c : m;
          for (let k = 0; k < kSize; k++) {
            const ki = unflat(k, p.kernel);
            let inPadded = true;
            let inBounds = true;
            let off = 0;
            for (let d = 0; d < r; d++) {
              const i = oi[d] * p.strides[d] + ki[d] * p.dilations[d] - p.padsBegin[d];
              if (i < -p.padsBegin[d] || i >= p.inSpatial[d] + p.padsEnd[d]) inPadded = false;
              if (i < 0 || i >= p.inSpatial[d]) inBounds = false;
              off = off * p.inSpatial[d] + i;
            }
            if (!inPadded) continue;
            countPad++;
            if (!inBounds) continue;
            count++;
            const v = x[(n * p.c + ch) * inSize + off];
            if (p.mode === 'conv') acc = f(acc + f(v * w![(m * cg + c) * kSize + k]));
            else if (p.mode === 'max') acc = vm.fmaxf(acc, v);
            else acc = f(acc + v);
          }
        }
        const at = (n * p.m + m) * outSize + o;
        if (p.mode === 'conv') y[at] = b ? f(acc + b[m]) : acc;
        else if (p.mode === 'max') y[at] = acc;
        else y[at] = f(acc / (p.countIncludePad ? countPad : count));
      }
    }
  }
}

function gather(p: GatherPlan, bufs: Buffers): void {
  const data = get(bufs, p.data.buf) as unknown as Scalar[];
  const indices = get(bufs, p.indices.buf) as unknown as Scalar[];
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const zero = p.out.dtype === 'int64' ? 0n : 0;
  let at = 0;
  for (let o = 0; o < p.outer; o++) {
    for (let j = 0; j < p.count; j++) {
      let k = Number(indices[j]);
      if (k < 0) k += p.axis;
      for (let i = 0; i < p.inner; i++) out[at++] = k >= 0 && k < p.axis ? data[(o * p.axis + k) * p.inner + i] : zero;
    }
  }
}

/** Mirrors padMap in compiler/codegen/kernels.ts. */
function padSource(mode: PadPlan['mode'], s: number, n: number): number | undefined {
  if (mode === 'constant') return s < 0 || s >= n ? undefined : s;
  if (mode === 'edge') return s < 0 ? 0 : s >= n ? n - 1 : s;
  if (mode === 'wrap') return ((s % n) + n) % n;
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((s % period) + period) % period;
  return m < n ? m : period - m;
}

function pad(p: PadPlan, bufs: Buffers): void {
  const x = get(bufs, p.input.buf) as unknown as Scalar[];
  const out = get(bufs, p.out.buf) as unknown as Scalar[];
  const inStrides = contiguousStrides(p.inShape);
  const value = p.out.dtype === 'int64' ? BigInt(p.value) : p.out.dtype === 'float32' ? Math.fround(p.value) : p.value;
  forEachIndex(p.outShape, [], (i) => {
    let rem = i;
    let off = 0;
    let fill = false;
    for (let d = p.outShape.length - 1; d >= 0; d--) {
      const o = rem % p.outShape[d];
      rem = Math.floor(rem / p.outShape[d]);
      const s = padSource(p.mode, o - p.padsBegin[d], p.inShape[d]);
      if (s === undefined) fill = true;
      else off += s * inStrides[d];
    }
    out[i] = fill ? value : x[off];
  });
}

export function interpret(plan: KernelPlan, bufs: Buffers): void {
  if (plan.kind === 'elementwise') elementwise(plan, bufs);
  else if (plan.kind === 'matmul') matmul(plan, bufs);
  else if (plan.kind === 'reduce') reduce(plan, bufs);
  else if (plan.kind === 'concat') concat(plan, bufs);
  else if (plan.kind === 'window') window(plan, bufs);
  else if (plan.kind === 'gather') gather(plan, bufs);
  else if (plan.kind === 'pad') pad(plan, bufs);
  else softmax(plan, bufs);
}
