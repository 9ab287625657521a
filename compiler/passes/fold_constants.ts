// Evaluates nodes whose inputs are all constants, with the same kernel plans
// and the same rounding as the generated code (compiler/eval), so folding never
// changes a result bit.

import { isAlias, lowerGroup } from '../codegen/lower.ts';
import { interpret } from '../eval/interpret.ts';
import { DTYPES } from '../ir/dtype.ts';
import { numel } from '../ir/shape.ts';
import { definePass } from './pass.ts';

export const foldConstants = definePass({
  name: 'fold-constants',
  run: (input, log) => {
    const g = input.clone();
    const kept = [];
    for (const node of g.nodes) {
      const ins = node.inputs.filter((i) => i !== '');
      if (ins.length === 0 || !ins.every((i) => g.isConstant(i)) || node.outputs.length !== 1) {
        kept.push(node);
        continue;
      }
      const out = g.value(node.outputs[0]);
      if (isAlias(node)) {
        const src = g.value(node.inputs[0]).data!;
        g.setValue({ ...out, data: { dtype: src.dtype, shape: out.shape, data: src.data } });
        log('fold-view', node.id);
        continue;
      }
      const plan = lowerGroup(g, [node]);
      const bufs = new Map(ins.map((i) => [i, g.value(i).data!.data]));
      const result = DTYPES[out.dtype].make(numel(out.shape));
      bufs.set(out.id, result);
      interpret(plan, bufs);
      g.setValue({ ...out, data: { dtype: out.dtype, shape: out.shape, data: result } });
      log('fold-kernel', node.id);
    }
    g.nodes = kept;
    return g;
  },
});
