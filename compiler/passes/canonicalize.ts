// Canonical forms that later stages handle best. Rule 'gemm-pretranspose-b':
// a Gemm with transB=1 and a constant B gets B transposed once (folded at
// compile time by fold-constants), so its kernel reads B row-wise and can
// vectorise across outputs. Each output still sums over k in increasing order,
// so the result bits do not change.
import { definePass } from './pass.ts';

export const canonicalize = definePass({
  name: 'canonicalize',
  run: (input, log) => {
    const g = input.clone();
    const nodes = [];
    for (const n of g.nodes) {
      const b = n.inputs[1];
      if (n.op !== 'Gemm' || n.attrs.transB !== 1 || !g.isConstant(b)) {
        nodes.push(n);
        continue;
      }
      const w = g.value(b);
      const wt = g.addValue({ name: `${w.name}^T`, dtype: w.dtype, shape: [w.shape[1], w.shape[0]] });
      const t = g.addNode({ name: `${n.name}/pretranspose_b`, op: 'Transpose', inputs: [b], outputs: [wt.id], attrs: { perm: [1, 0] } });
      g.nodes.pop(); // addNode appended it; keep node order: transpose right before its Gemm
      nodes.push(t, { ...n, inputs: [n.inputs[0], wt.id, ...n.inputs.slice(2)], attrs: { ...n.attrs, transB: 0 } });
      log('gemm-pretranspose-b', n.id);
    }
    g.nodes = nodes;
    return g;
  },
});
