// A float64 evaluator of forward graphs, for finite-difference gradient checks. It reads
// what each registry entry declares (scalar expressions, computations) and evaluates it
// in double precision with the textbook formula of each kind, sharing no code with the
// float32 plan interpreters (compiler/eval) or with any gradient rule: the finite
// differences stay an independent oracle for the compiled float32 gradients.
import type { Graph } from '../../compiler/ir/graph.ts';
import { broadcastStrides, contiguousStrides, numel } from '../../compiler/ir/shape.ts';
import type { Compute, Operand } from '../../compiler/ops/compute.ts';
import { arg, type Expr } from '../../compiler/ops/expr.ts';
import { lowerCtx, nodeDef } from '../../compiler/ops/lowering.ts';

type Buf = Float64Array;

function erf(x: number): number {
  // Maclaurin series: converges with small cancellation for |x| < 5; beyond, erf is 1 within 2e-12.
  if (Math.abs(x) >= 5) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const fmax = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b));
const fmin = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b));

function evalExpr(body: readonly Expr[], args: readonly number[]): number {
  const lets: number[] = [];
  const ev = (e: Expr): number => {
    switch (e.k) {
      case 'arg':
        return args[e.i];
      case 'let':
        return lets[e.i];
      case 'const':
        return e.v;
      case 'unary': {
        const x = ev(e.a);
        const ops: Record<string, (v: number) => number> = {
          neg: (v) => -v,
          abs: Math.abs,
          exp: Math.exp,
          log: Math.log,
          sqrt: Math.sqrt,
          tanh: Math.tanh,
          sigmoid: (v) => 1 / (1 + Math.exp(-v)),
          erf,
          floor: Math.floor,
          ceil: Math.ceil,
        };
        return ops[e.op](x);
      }
      case 'binary': {
        const [x, y] = [ev(e.a), ev(e.b)];
        if (e.dtype !== 'float32' && e.op === 'div') return y === 0 ? 0 : Math.trunc(x / y);
        const ops: Record<string, (a: number, b: number) => number> = {
          add: (a, b) => a + b,
          sub: (a, b) => a - b,
          mul: (a, b) => a * b,
          div: (a, b) => a / b,
          max: fmax,
          min: fmin,
          pow: Math.pow,
          fmod: (a, b) => a % b,
        };
        return ops[e.op](x, y);
      }
      case 'compare': {
        const [x, y] = [ev(e.a), ev(e.b)];
        return (e.op === 'lt' ? x < y : e.op === 'le' ? x <= y : e.op === 'gt' ? x > y : e.op === 'ge' ? x >= y : x === y) ? 1 : 0;
      }
      case 'select':
        return ev(e.c) !== 0 ? ev(e.a) : ev(e.b);
      case 'cast': {
        const x = ev(e.a);
        if (e.dtype === 'float32') return x;
        if (e.dtype === 'bool') return x !== 0 ? 1 : 0;
        return Number.isNaN(x) ? 0 : Math.trunc(x);
      }
    }
  };
  for (const e of body) lets.push(ev(e));
  return lets[lets.length - 1];
}

/** Row-major walk over `shape` with each operand's element offset. */
function walk(shape: readonly number[], ops: readonly Pick<Operand, 'strides' | 'offset'>[], f: (i: number, offs: number[]) => void): void {
  const n = numel(shape);
  const cs = contiguousStrides(shape);
  for (let i = 0; i < n; i++) {
    const offs = ops.map((o) => {
      let off = o.offset;
      for (let d = 0; d < shape.length; d++) off += (Math.floor(i / cs[d]) % shape[d]) * o.strides[d];
      return off;
    });
    f(i, offs);
  }
}

function unflat(i: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let d = dims.length - 1; d >= 0; d--) {
    out[d] = i % dims[d];
    i = Math.floor(i / dims[d]);
  }
  return out;
}

function padSourceF64(mode: string, s: number, n: number): number | undefined {
  if (mode === 'constant') return s < 0 || s >= n ? undefined : s;
  if (mode === 'edge') return Math.min(Math.max(s, 0), n - 1);
  if (mode === 'wrap') return ((s % n) + n) % n;
  if (n === 1) return 0;
  const p = 2 * (n - 1);
  const m = ((s % p) + p) % p;
  return m < n ? m : p - m;
}

function runCompute(c: Compute, bufs: Map<string, Buf>, outLen: number): Buf {
  const get = (id: string) => bufs.get(id)!;
  const out = new Float64Array(outLen);
  switch (c.kind) {
    case 'elementwise': {
      const ins = c.inputs.map((o) => get(o.buf));
      walk(c.shape, c.inputs, (i, offs) => {
        out[i] = evalExpr(
          c.body,
          offs.map((o, j) => ins[j][o]),
        );
      });
      return out;
    }
    case 'matmul': {
      const [a, b] = [get(c.a.buf), get(c.b.buf)];
      const ep = c.epilogueInputs.map((o) => get(o.buf));
      const full = [...c.batch, c.m, c.n];
      walk(full, c.epilogueInputs, (i, offs) => {
        const idx = unflat(i, full);
        const bi = idx.slice(0, c.batch.length);
        const [r, col] = idx.slice(c.batch.length);
        const ao = bi.reduce((s, v, d) => s + v * c.a.batchStrides[d], c.a.offset);
        const bo = bi.reduce((s, v, d) => s + v * c.b.batchStrides[d], c.b.offset);
        let acc = 0;
        for (let k = 0; k < c.k; k++) acc += a[ao + r * c.a.rowStride + k * c.a.colStride] * b[bo + k * c.b.rowStride + col * c.b.colStride];
        out[i] = evalExpr(c.body, [acc, ...offs.map((o, j) => ep[j][o])]);
      });
      return out;
    }
    case 'softmax': {
      const x = get(c.input.buf);
      for (let o = 0; o < c.outer; o++) {
        for (let q = 0; q < c.inner; q++) {
          const at = (i: number) => (o * c.axis + i) * c.inner + q;
          let m = Number.NEGATIVE_INFINITY;
          for (let i = 0; i < c.axis; i++) m = Math.max(m, x[at(i)]);
          let s = 0;
          for (let i = 0; i < c.axis; i++) s += Math.exp(x[at(i)] - m);
          for (let i = 0; i < c.axis; i++) out[at(i)] = c.log ? x[at(i)] - m - Math.log(s) : Math.exp(x[at(i)] - m) / s;
        }
      }
      return out;
    }
    case 'reduce': {
      const x = get(c.input.buf);
      const init = { zero: 0, one: 1, lowest: Number.NEGATIVE_INFINITY, highest: Number.POSITIVE_INFINITY }[c.init];
      const comb = { add: (a: number, b: number) => a + b, mul: (a: number, b: number) => a * b, max: fmax, min: fmin }[c.combine];
      walk(c.kept, [c.input], (i, [base]) => {
        let acc = init;
        walk(c.reduced, [{ strides: c.input.reducedStrides, offset: base }], (_e, [off]) => {
          acc = comb(acc, evalExpr(c.pre, [x[off]]));
        });
        out[i] = evalExpr(c.post, [acc]);
      });
      return out;
    }
    case 'concat': {
      const row = c.sizes.reduce((a, b) => a + b, 0) * c.inner;
      let dst = 0;
      c.inputs.forEach((x, i) => {
        const src = get(x.buf);
        const block = c.sizes[i] * c.inner;
        for (let o = 0; o < c.outer; o++) for (let e = 0; e < block; e++) out[o * row + dst + e] = src[o * block + e];
        dst += block;
      });
      return out;
    }
    case 'gather': {
      const [data, idx] = [get(c.data.buf), get(c.indices.buf)];
      let at = 0;
      for (let o = 0; o < c.outer; o++) {
        for (let j = 0; j < c.count; j++) {
          const k = idx[j] < 0 ? idx[j] + c.axis : idx[j];
          for (let i = 0; i < c.inner; i++) out[at++] = k >= 0 && k < c.axis ? data[(o * c.axis + k) * c.inner + i] : 0;
        }
      }
      return out;
    }
    case 'pad': {
      const x = get(c.input.buf);
      const st = contiguousStrides(c.inShape);
      walk(c.outShape, [], (i) => {
        const oi = unflat(i, c.outShape);
        let off = 0;
        for (let d = 0; d < oi.length; d++) {
          const s = padSourceF64(c.mode, oi[d] - c.padsBegin[d], c.inShape[d]);
          if (s === undefined) {
            out[i] = c.value;
            return;
          }
          off += s * st[d];
        }
        out[i] = x[off];
      });
      return out;
    }
    case 'window': {
      const x = get(c.input.buf);
      const w = c.weight && get(c.weight.buf);
      const b = c.bias && get(c.bias.buf);
      const [inSize, outSize, kSize] = [numel(c.inSpatial), numel(c.outSpatial), numel(c.kernel)];
      const [cg, mg] = [c.c / c.group, c.m / c.group];
      for (let n = 0; n < c.n; n++) {
        for (let m = 0; m < c.m; m++) {
          for (let o = 0; o < outSize; o++) {
            const oi = unflat(o, c.outSpatial);
            let acc = c.mode === 'max' ? Number.NEGATIVE_INFINITY : 0;
            let [count, countPad] = [0, 0];
            for (let ch = 0; ch < (c.mode === 'conv' ? cg : 1); ch++) {
              const chan = c.mode === 'conv' ? Math.floor(m / mg) * cg + ch : m;
              for (let k = 0; k < kSize; k++) {
                const ki = unflat(k, c.kernel);
                const pos = oi.map((v, d) => v * c.strides[d] + ki[d] * c.dilations[d] - c.padsBegin[d]);
                if (pos.some((p, d) => p < -c.padsBegin[d] || p >= c.inSpatial[d] + c.padsEnd[d])) continue;
                countPad++;
                if (pos.some((p, d) => p < 0 || p >= c.inSpatial[d])) continue;
                count++;
                const v = x[(n * c.c + chan) * inSize + pos.reduce((s, p, d) => s * c.inSpatial[d] + p, 0)];
                if (c.mode === 'conv') acc += v * w![(m * cg + ch) * kSize + k];
                else if (c.mode === 'max') acc = fmax(acc, v);
                else acc += v;
              }
            }
            const at = (n * c.m + m) * outSize + o;
            out[at] = c.mode === 'conv' ? acc + (b ? b[m] : 0) : c.mode === 'max' ? acc : acc / (c.countIncludePad ? countPad : count);
          }
        }
      }
      return out;
    }
    case 'cumsum': {
      const x = get(c.input.buf);
      for (let o = 0; o < c.outer; o++) {
        for (let q = 0; q < c.inner; q++) {
          let acc = 0;
          for (let s = 0; s < c.axis; s++) {
            const at = (o * c.axis + (c.reverse ? c.axis - 1 - s : s)) * c.inner + q;
            if (!c.exclusive) acc += x[at];
            out[at] = acc;
            if (c.exclusive) acc += x[at];
          }
        }
      }
      return out;
    }
    default:
      throw new Error(`f64_eval: no float64 evaluation of ${c.kind} (a forward graph has none)`);
  }
}

/** Evaluates every node of a forward graph in float64; returns the value of each graph output. */
export function evalF64(g: Graph, feeds: ReadonlyMap<string, ArrayLike<number>>): Float64Array[] {
  const bufs = new Map<string, Buf>();
  for (const v of g.values.values()) if (v.data !== undefined) bufs.set(v.id, Float64Array.from(v.data.data as ArrayLike<number | bigint>, Number));
  for (const id of g.inputs) bufs.set(id, Float64Array.from(feeds.get(id)!));
  for (const node of g.nodes) {
    const def = nodeDef(node);
    const ctx = lowerCtx(g, node);
    const out = ctx.outputs[0];
    const l = def.lowering;
    if (l.kind === 'alias') bufs.set(out.id, bufs.get(node.inputs[0])!);
    else if (l.kind === 'elementwise') {
      const ins = ctx.inputs.map((v, i) => (v === undefined || def.inputs[i]?.constant ? undefined : v));
      const args = ins.map((v, i) => (v === undefined ? undefined : arg(i, v.dtype)));
      const body = [l.scalar(args, ctx)];
      const operands = ins.map((v) =>
        v === undefined
          ? { buf: '', dtype: 'float32' as const, strides: [], offset: 0 }
          : { buf: v.id, dtype: v.dtype, strides: broadcastStrides(v.shape, out.shape), offset: 0 },
      );
      const c: Compute = {
        kind: 'elementwise',
        name: '',
        ops: [],
        nodes: [],
        shape: out.shape,
        inputs: operands.map((o) => (o.buf === '' ? { ...o, strides: out.shape.map(() => 0) } : o)),
        out: { buf: out.id, dtype: out.dtype },
        body,
      };
      bufs.set('', new Float64Array(1));
      bufs.set(out.id, runCompute(c, bufs, numel(out.shape)));
    } else if (l.kind === 'kernel') bufs.set(out.id, runCompute(l.compute(ctx), bufs, numel(out.shape)));
    else throw new Error(`f64_eval: node ${node.op} has lowering ${l.kind} (expected none in a built graph)`);
  }
  return g.outputs.map((id) => bufs.get(id)!);
}
