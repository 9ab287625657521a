// Runs a kernel plan in TS with exactly the order and rounding of the emitted
// C and CUDA. Used by constant folding and as the reference in tests. One
// interpreter per plan kind (eval/interp/).
import type { KernelPlan } from '../kernels/plan.ts';
import { concatInterp } from './interp/concat.ts';
import { convTransposeInterp } from './interp/conv_transpose.ts';
import { elementwiseInterp } from './interp/elementwise.ts';
import { gatherInterp } from './interp/gather.ts';
import { argReduceInterp, cumsumInterp, scatterRowsInterp, topkInterp } from './interp/index_ops.ts';
import { matmulInterp } from './interp/matmul.ts';
import { padInterp } from './interp/pad.ts';
import { recurrentInterp } from './interp/recurrent.ts';
import { reduceInterp } from './interp/reduce.ts';
import { resizeInterp } from './interp/resize.ts';
import { scatterAddInterp } from './interp/scatter_add.ts';
import { softmaxInterp } from './interp/softmax.ts';
import type { Buffers } from './interp/walk.ts';
import { windowInterp } from './interp/window.ts';
import { convWeightGradInterp, windowGradInterp } from './interp/window_grad.ts';

export type { Buffers } from './interp/walk.ts';

type InterpFn<K extends KernelPlan['kind']> = (p: Extract<KernelPlan, { kind: K }>, bufs: Buffers) => void;

/** One interpreter per kind: a kind without one is a type error here. */
const INTERPRETERS: { readonly [K in KernelPlan['kind']]: InterpFn<K> } = {
  elementwise: elementwiseInterp,
  matmul: matmulInterp,
  softmax: softmaxInterp,
  reduce: reduceInterp,
  concat: concatInterp,
  window: windowInterp,
  gather: gatherInterp,
  pad: padInterp,
  window_grad: windowGradInterp,
  conv_weight_grad: convWeightGradInterp,
  scatter_add: scatterAddInterp,
  conv_transpose: convTransposeInterp,
  resize: resizeInterp,
  recurrent: recurrentInterp,
  arg_reduce: argReduceInterp,
  topk: topkInterp,
  cumsum: cumsumInterp,
  scatter_rows: scatterRowsInterp,
};

export function interpret(plan: KernelPlan, bufs: Buffers): void {
  (INTERPRETERS[plan.kind] as InterpFn<KernelPlan['kind']>)(plan, bufs);
}
