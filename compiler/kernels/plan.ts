// Kernel plans: one generated kernel each. A plan is the fused computation
// (what, from the op entries: compiler/ops/compute.ts) plus how to run it: the
// work partition over outputs and the per-kind loop decisions (matmul tile,
// reduction lanes). The C and CUDA renderers and the TS interpreter read the
// same plan, and the fingerprint hashes it, so every decision that can change
// output bits is made here once, for both backends.

import type {
  Compute,
  ConcatCompute,
  ConvTransposeCompute,
  ConvWeightGradCompute,
  ElementwiseCompute,
  GatherCompute,
  MatmulCompute,
  PadCompute,
  ReduceCompute,
  ScatterAddCompute,
  SoftmaxCompute,
  WindowCompute,
  WindowGradCompute,
} from '../ops/compute.ts';

/**
 * How a kernel's work splits into independent items. Items partition the
 * outputs (each item writes its own outputs and reads no other item's), never a
 * reduction axis, so any assignment of items to threads or blocks gives the
 * same bits.
 */
export interface Partition {
  readonly items: number;
  /** What one item is, for comments and reports. */
  readonly item: 'element' | 'row' | 'output';
}

/**
 * Matmul loop form: 'rows' accumulates a tile of `n` outputs of one row together
 * (vectorises across j when B is read along j); 'dot' runs one dot product per
 * output (B read along k). K stays innermost and increasing for every output.
 */
export interface MatmulTile {
  readonly form: 'rows' | 'dot';
  readonly n: number;
}

interface Planned {
  readonly partition: Partition;
}

export type ElementwisePlan = ElementwiseCompute & Planned;
export type MatmulPlan = MatmulCompute & Planned & { readonly tile: MatmulTile };
/** `lanes`: the reduction order (see reduce_order.ts). */
export type SoftmaxPlan = SoftmaxCompute & Planned & { readonly lanes: number };
export type ReducePlan = ReduceCompute & Planned & { readonly lanes: number };
export type ConcatPlan = ConcatCompute & Planned;
export type WindowPlan = WindowCompute & Planned;
export type GatherPlan = GatherCompute & Planned;
export type PadPlan = PadCompute & Planned;
export type WindowGradPlan = WindowGradCompute & Planned;
export type ConvWeightGradPlan = ConvWeightGradCompute & Planned;
export type ScatterAddPlan = ScatterAddCompute & Planned;
export type ConvTransposePlan = ConvTransposeCompute & Planned;

export type KernelPlan =
  | ElementwisePlan
  | MatmulPlan
  | SoftmaxPlan
  | ReducePlan
  | ConcatPlan
  | WindowPlan
  | GatherPlan
  | PadPlan
  | WindowGradPlan
  | ConvWeightGradPlan
  | ScatterAddPlan
  | ConvTransposePlan;

/** Storages a kernel reads, in parameter order (value ids, before alias resolution). */
export function kernelReads(p: Compute): string[] {
  switch (p.kind) {
    case 'elementwise':
      return p.inputs.map((o) => o.buf);
    case 'matmul':
      return [p.a.buf, p.b.buf, ...p.epilogueInputs.map((o) => o.buf)];
    case 'softmax':
    case 'reduce':
      return [p.input.buf];
    case 'concat':
      return p.inputs.map((i) => i.buf);
    case 'window':
      return [p.input.buf, ...(p.weight ? [p.weight.buf] : []), ...(p.bias ? [p.bias.buf] : [])];
    case 'gather':
      return [p.data.buf, p.indices.buf];
    case 'pad':
      return [p.input.buf];
    case 'window_grad':
      return [p.dy.buf, ...(p.input ? [p.input.buf] : [])];
    case 'conv_weight_grad':
      return [p.input.buf, p.dy.buf];
    case 'scatter_add':
      return [p.updates.buf, p.indices.buf];
    case 'conv_transpose':
      return [p.input.buf, p.weight.buf, ...(p.bias ? [p.bias.buf] : [])];
  }
}

/** Buffers a kernel takes, in parameter order: what it reads, then its output. */
export function kernelArgs(p: Compute): string[] {
  return [...kernelReads(p), p.out.buf];
}
