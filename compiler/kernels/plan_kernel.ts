// Decides how each computation runs: its work partition and its per-kind loop
// choices. Backend-free: both renderers read the result.
import { numel } from '../ir/shape.ts';
import type { Compute } from '../ops/compute.ts';
import type { KernelPlan, MatmulTile } from './plan.ts';
import { reduceLanes } from './reduce_order.ts';

/** Outputs of a 'rows' matmul tile accumulated together. */
export const MATMUL_ROW_TILE = 64;

export function planKernel(c: Compute): KernelPlan {
  switch (c.kind) {
    case 'elementwise':
      return { ...c, partition: { items: numel(c.shape), item: 'element' } };
    case 'matmul': {
      const tile: MatmulTile = c.b.colStride === 1 ? { form: 'rows', n: MATMUL_ROW_TILE } : { form: 'dot', n: 1 };
      return { ...c, tile, partition: { items: numel(c.batch) * c.m * c.n, item: 'output' } };
    }
    case 'softmax':
      return { ...c, lanes: reduceLanes(c.axis), partition: { items: c.outer * c.inner, item: 'row' } };
    case 'reduce':
      return { ...c, lanes: reduceLanes(numel(c.reduced)), partition: { items: numel(c.kept), item: 'output' } };
    case 'concat':
      return { ...c, partition: { items: c.outer * c.sizes.reduce((a, b) => a + b, 0) * c.inner, item: 'element' } };
    case 'window':
      return { ...c, partition: { items: c.n * c.m * numel(c.outSpatial), item: 'output' } };
    case 'gather':
      return { ...c, partition: { items: c.outer * c.count * c.inner, item: 'element' } };
    case 'pad':
      return { ...c, partition: { items: numel(c.outShape), item: 'element' } };
    case 'window_grad':
      return { ...c, partition: { items: c.n * c.c * numel(c.inSpatial), item: 'element' } };
    case 'conv_weight_grad':
      return { ...c, partition: { items: c.m * (c.c / c.group) * numel(c.kernel), item: 'output' } };
    case 'scatter_add':
      return { ...c, partition: { items: c.outer * c.axis, item: 'row' } };
    case 'conv_transpose':
      return { ...c, partition: { items: c.n * c.m * numel(c.outSpatial), item: 'output' } };
  }
}
