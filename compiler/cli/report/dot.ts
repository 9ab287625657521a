// `volta inspect --dot`: the graph after the passes as Graphviz DOT, one cluster per kernel
// (labelled with the kernel's emitted name), for people who lay graphs out with `dot`.
import type { Compiled } from '../../compile.ts';
import { shapeStr } from '../../ir/shape.ts';

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function graphDot(c: Compiled, kernelNames: readonly string[]): string {
  const g = c.graph;
  const producer = new Map<string, string>();
  const lines = [`digraph ${q(g.name)} {`, '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];'];
  for (const id of g.inputs) {
    const v = g.value(id);
    lines.push(`  ${q(`in:${id}`)} [shape=ellipse, fillcolor="#f4f4f4", label=${q(`${v.name}\n${v.dtype} ${shapeStr(v.shape)}`)}];`);
    producer.set(id, `in:${id}`);
  }
  const kernelOf = new Map<string, number>();
  c.schedule.kernels.forEach((k, i) => {
    for (const n of k.nodes) kernelOf.set(n, i);
  });
  const byKernel = new Map<number, string[]>();
  const loose: string[] = [];
  for (const n of g.nodes) {
    const line = `${q(n.id)} [label=${q(`${n.op}\n${n.name}`)}];`;
    const k = kernelOf.get(n.id);
    if (k === undefined) loose.push(`  ${line}`);
    else byKernel.set(k, [...(byKernel.get(k) ?? []), `    ${line}`]);
    for (const o of n.outputs) if (o !== '') producer.set(o, n.id);
  }
  for (const [k, ls] of [...byKernel].sort(([a], [b]) => a - b)) {
    lines.push(`  subgraph ${q(`cluster_k${k}`)} {`, `    label=${q(kernelNames[k] ?? `k${k}`)};`, '    style="rounded,dashed";', ...ls, '  }');
  }
  lines.push(...loose);
  g.outputs.forEach((id, i) => {
    const v = g.value(id);
    lines.push(`  ${q(`out:${i}`)} [shape=ellipse, fillcolor="#f4f4f4", label=${q(`${v.name}\n${v.dtype} ${shapeStr(v.shape)}`)}];`);
  });
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p !== undefined) lines.push(`  ${q(p)} -> ${q(n.id)} [label=${q(shapeStr(g.value(i).shape))}];`);
    }
  }
  g.outputs.forEach((id, i) => {
    const p = producer.get(id);
    if (p !== undefined) lines.push(`  ${q(p)} -> ${q(`out:${i}`)};`);
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
