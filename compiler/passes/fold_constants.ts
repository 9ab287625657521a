// Evaluates nodes whose inputs are all constants (compiler/eval/fold.ts: same
// plans and rounding as the generated code, so folding never changes a bit).
import { foldNode, isFoldable } from '../eval/fold.ts';
import { definePass } from './pass.ts';

export const foldConstants = definePass({
  name: 'fold-constants',
  run: (input, log) => {
    const g = input.clone();
    const kept = [];
    for (const node of g.nodes) {
      if (!isFoldable(g, node)) {
        kept.push(node);
        continue;
      }
      log(foldNode(g, node), node.id);
    }
    g.nodes = kept;
    return g;
  },
});
