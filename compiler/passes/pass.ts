// A pass: a named pure function Graph -> Graph. It reports each rewrite by rule
// name, so a dump can say which rule changed which node.
import type { Graph } from '../ir/graph.ts';

export interface Rewrite {
  readonly rule: string;
  readonly node: string;
}

export interface Pass {
  readonly name: string;
  readonly run: (g: Graph, log: (rule: string, node: string) => void) => Graph;
}

export function definePass(p: Pass): Pass {
  return Object.freeze(p);
}
