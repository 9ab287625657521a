// View models for kernel templates: TS computes every expression string; the
// templates only lay them out. One view per plan kind (codegen/views/), shared by
// C and CUDA (the dialect picks restrict spelling; CUDA templates differ in loops).
import type { KernelPlan } from '../kernels/plan.ts';
import type { Dialect } from './dialect.ts';
import type { KernelView } from './views/common.ts';
import { concatView } from './views/concat.ts';
import { convTransposeView } from './views/conv_transpose.ts';
import { elementwiseView } from './views/elementwise.ts';
import { gatherView } from './views/gather.ts';
import { argReduceView, cumsumView, scatterRowsView, topkView } from './views/index_ops.ts';
import { matmulView } from './views/matmul.ts';
import { padView } from './views/pad.ts';
import { recurrentView } from './views/recurrent.ts';
import { reduceView } from './views/reduce.ts';
import { resizeView } from './views/resize.ts';
import { scatterAddView } from './views/scatter_add.ts';
import { softmaxView } from './views/softmax.ts';
import { windowView } from './views/window.ts';
import { convWeightGradView, windowGradView } from './views/window_grad.ts';

export type { KernelView } from './views/common.ts';

type ViewFn<K extends KernelPlan['kind']> = (p: Extract<KernelPlan, { kind: K }>, name: string, d: Dialect) => KernelView;

/** One view per kind: a kind without a view is a type error here. */
const VIEWS: { readonly [K in KernelPlan['kind']]: ViewFn<K> } = {
  elementwise: elementwiseView,
  matmul: matmulView,
  softmax: softmaxView,
  reduce: reduceView,
  concat: concatView,
  window: windowView,
  gather: gatherView,
  pad: padView,
  window_grad: windowGradView,
  conv_weight_grad: convWeightGradView,
  scatter_add: scatterAddView,
  conv_transpose: convTransposeView,
  resize: resizeView,
  recurrent: recurrentView,
  arg_reduce: argReduceView,
  topk: topkView,
  cumsum: cumsumView,
  scatter_rows: scatterRowsView,
};

export function kernelView(plan: KernelPlan, name: string, d: Dialect): KernelView {
  return (VIEWS[plan.kind] as ViewFn<KernelPlan['kind']>)(plan, name, d);
}
