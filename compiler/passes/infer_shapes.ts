// Re-runs every node's shape/dtype rule and checks the graph agrees with it.
// Import already inferred types; after rewrites this catches a pass that broke them.

import { VoltaError } from '../ir/errors.ts';
import { sameShape, shapeStr } from '../ir/shape.ts';
import { inferNode } from '../ops/check.ts';
import { lowerCtx } from '../ops/lowering.ts';
import { opDef } from '../ops/registry.ts';
import { definePass } from './pass.ts';

export const inferShapes = definePass({
  name: 'infer-shapes',
  run: (g, log) => {
    for (const node of g.nodes) {
      const def = opDef(node.op);
      if (def === undefined) throw new VoltaError('VOLTA_E_UNSUPPORTED_OP', { node: node.name, op: node.op });
      const outs = inferNode(def, lowerCtx(g, node));
      node.outputs.forEach((id, i) => {
        const v = g.value(id);
        if (v.dtype !== outs[i].dtype || !sameShape(v.shape, outs[i].shape)) {
          throw new VoltaError('VOLTA_E_INTERNAL', {
            node: node.name,
            op: node.op,
            found: `output ${i} is recorded as ${v.dtype}${shapeStr(v.shape)} but infers to ${outs[i].dtype}${shapeStr(outs[i].shape)}`,
            hint: 'this is a bug in a graph pass',
          });
        }
      });
      log('check-node', node.id);
    }
    return g;
  },
});
