// Folds inference BatchNormalization (and any per-channel affine step) into the
// weights of the Conv, ConvTranspose or Gemm before it.
//
// Import decomposes BatchNormalization into y = ((x - mean) / sqrt(var + eps)) * scale + B
// with per-channel constants (folded by fold-constants before this pass runs). Each
// step t of that chain, applied to the output z = sum_k x_k W[m,k] + b[m] of channel m,
// is absorbed exactly in real arithmetic:
//   z + c  ->  W,       b + c          z - c  ->  W,       b - c
//   z * c  ->  W * c,   b * c          z / c  ->  W / c,   b / c
// one step at a time, in the graph's order, each product rounded to float32 once. So
// BN becomes W' = (W / std) * scale and b' = ((b - mean) / std) * scale + B, with
// std = sqrt(var + eps) as the graph computes it.
//
// The folded model differs from the unfolded one by rounding only (the division and
// scale now happen per weight, before the sum, instead of once after it): outputs are
// not bit-identical to the unfolded graph (disablePasses: ['fold-batchnorm'] keeps
// it), and test/passes/fold_batchnorm.test.ts bounds the difference against
// onnxruntime (which folds BN the same way).
//
// A step folds only when the anchor's weights (and bias) are constants, its output
// has that step as its sole consumer and is not a graph output, and the step's other
// operand is a constant that varies at most along the output-channel axis.
import type { Graph, Node, Value } from '../ir/graph.ts';
import { numel } from '../ir/shape.ts';
import { makeTensor } from '../ir/tensor.ts';
import { definePass } from './pass.ts';

type Step = 'Add' | 'Sub' | 'Mul' | 'Div';
const STEPS: readonly string[] = ['Add', 'Sub', 'Mul', 'Div'];

/** Where an anchor's output channels live: in its output (axis) and in its weight. */
interface Anchor {
  readonly rule: string;
  /** Output-channel axis of the anchor's output. */
  readonly axis: number;
  /** Output channel of each weight element. */
  channelOf(w: Value, node: Node): (i: number) => number;
  /** Whether the bias can absorb an Add/Sub (Gemm: only with beta = 1). */
  biasOk(node: Node): boolean;
}

const convLike = (rule: string, transposed: boolean): Anchor => ({
  rule,
  axis: 1,
  channelOf: (w, node) => {
    const inner = numel(w.shape.slice(2));
    if (!transposed) return (i) => Math.floor(i / numel(w.shape.slice(1)));
    // ConvTranspose W is [C, M / group, k...]: channel = group of c * (M / group) + j.
    const [c, mg] = w.shape;
    const perGroup = c / (node.attrs.group as number);
    return (i) => {
      const ci = Math.floor(i / (mg * inner));
      const j = Math.floor(i / inner) % mg;
      return Math.floor(ci / perGroup) * mg + j;
    };
  },
  biasOk: () => true,
});

const ANCHORS: Readonly<Record<string, Anchor>> = {
  Conv: convLike('fold-into-conv', false),
  ConvTranspose: convLike('fold-into-conv-transpose', true),
  Gemm: {
    rule: 'fold-into-gemm',
    axis: 1,
    // B is [K, N] (or [N, K] with transB): the output column is the channel.
    channelOf: (w, node) => (node.attrs.transB === 1 ? (i) => Math.floor(i / w.shape[1]) : (i) => i % w.shape[1]),
    biasOk: (node) => node.attrs.beta === 1,
  },
};

/** The constant's value per output channel (length channels), if it varies only along `axis`. */
function perChannel(v: Value, outShape: readonly number[], axis: number): Float32Array | undefined {
  if (v.data === undefined || v.dtype !== 'float32' || v.shape.length > outShape.length) return undefined;
  const padded = [...Array(outShape.length - v.shape.length).fill(1), ...v.shape];
  if (padded.some((d, i) => d !== 1 && (i !== axis || d !== outShape[axis]))) return undefined;
  const src = v.data.data as Float32Array;
  return Float32Array.from({ length: outShape[axis] }, (_, m) => src[padded[axis] === 1 ? 0 : m]);
}

function apply(step: Step, a: number, c: number): number {
  switch (step) {
    case 'Add':
      return Math.fround(a + c);
    case 'Sub':
      return Math.fround(a - c);
    case 'Mul':
      return Math.fround(a * c);
    case 'Div':
      return Math.fround(a / c);
  }
}

/**
 * The bias as [channels] when it is per channel (Conv's B; a Gemm C of shape [], [1], [N] or
 * [1, N]), else broadcast to the whole output [M, N] (a Gemm C of [M, 1] or [M, N]); zeros if absent.
 */
function biasPerElement(b: Value | undefined, out: readonly number[], axis: number): { shape: number[]; data: Float32Array } {
  const channels = out[axis];
  if (b === undefined) return { shape: [channels], data: new Float32Array(channels) };
  const src = b.data!.data as Float32Array;
  if (numel(b.shape) === 1) return { shape: [channels], data: new Float32Array(channels).fill(src[0]) };
  if (b.shape.length === 1 || (b.shape.length === 2 && b.shape[0] === 1)) return { shape: [channels], data: Float32Array.from(src) };
  // [M, 1] or [M, N] under an output [M, N].
  const [rows, cols] = out;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) data[r * cols + k] = src[r * b.shape[1] + (b.shape[1] === 1 ? 0 : k)];
  return { shape: [rows, cols], data };
}

/** Folds the sole consumer of `node`'s output into it when it is a per-channel affine step; the new node, or undefined. */
function foldOne(g: Graph, node: Node, consumers: Map<string, Node[]>, outputs: ReadonlySet<string>): { node: Node; step: Node } | undefined {
  const anchor = ANCHORS[node.op];
  const out = node.outputs[0];
  const uses = consumers.get(out) ?? [];
  if (anchor === undefined || outputs.has(out) || uses.length !== 1) return undefined;
  const step = uses[0];
  if (!STEPS.includes(step.op) || step.inputs.length !== 2) return undefined;
  const at = step.inputs.indexOf(out);
  // z - c and z / c fold; c - z and c / z do not. z op z is no affine step.
  if (at < 0 || step.inputs[1 - at] === out || (at === 1 && (step.op === 'Sub' || step.op === 'Div'))) return undefined;
  const w = g.value(node.inputs[1]);
  const b = node.inputs[2] ? g.value(node.inputs[2]) : undefined;
  const z = g.value(out);
  const y = g.value(step.outputs[0]);
  if (w.data === undefined || w.dtype !== 'float32' || (b !== undefined && b.data === undefined) || numel(y.shape) !== numel(z.shape)) return undefined;
  const c = perChannel(g.value(step.inputs[1 - at]), z.shape, anchor.axis);
  const kind = step.op as Step;
  if (c === undefined || ((kind === 'Add' || kind === 'Sub') && !anchor.biasOk(node))) return undefined;
  const channels = z.shape[anchor.axis];
  let inputs = [...node.inputs];
  if (kind === 'Mul' || kind === 'Div') {
    const ch = anchor.channelOf(w, node);
    const wd = w.data.data as Float32Array;
    const nw = g.addValue({
      name: `${w.name}*${step.name}`,
      dtype: 'float32',
      shape: w.shape,
      data: makeTensor(
        'float32',
        w.shape,
        wd.map((x, i) => apply(kind, x, c[ch(i)])),
      ),
    });
    inputs[1] = nw.id;
  }
  if (b !== undefined || kind === 'Add' || kind === 'Sub') {
    const { shape, data } = biasPerElement(b, z.shape, anchor.axis);
    const ch = shape.length === 1 ? (i: number) => i : (i: number) => i % channels;
    const nb = g.addValue({
      name: `${b?.name ?? `${node.name}.bias`}*${step.name}`,
      dtype: 'float32',
      shape,
      data: makeTensor(
        'float32',
        shape,
        data.map((x, i) => apply(kind, x, c[ch(i)])),
      ),
    });
    inputs = [inputs[0], inputs[1], nb.id];
  }
  return { node: { ...node, inputs, outputs: [step.outputs[0]] }, step };
}

export const foldBatchnorm = definePass({
  name: 'fold-batchnorm',
  run: (input, log) => {
    const g = input.clone();
    const outputs = new Set(g.outputs);
    let changed = true;
    while (changed) {
      changed = false;
      const consumers = g.consumers();
      for (let i = 0; i < g.nodes.length; i++) {
        const r = foldOne(g, g.nodes[i], consumers, outputs);
        if (r === undefined) continue;
        log(ANCHORS[r.node.op].rule, r.step.id);
        g.nodes = g.nodes.filter((n) => n !== r.step).map((n) => (n === g.nodes[i] ? r.node : n));
        changed = true;
        break;
      }
    }
    return g;
  },
});
