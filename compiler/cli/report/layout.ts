// A small layered graph layout, deterministic by construction (no Graphviz, so a report is
// the same file on every machine): each op node goes one layer below the deepest producer of
// its inputs; within a layer nodes are ordered by two barycentre sweeps, ties broken by graph
// order. Graph inputs sit on top, outputs at the bottom. Rendered as SVG with edges as curves.
import type { Graph } from '../../ir/graph.ts';
import { shapeStr } from '../../ir/shape.ts';

export interface LaidNode {
  readonly id: string;
  readonly kind: 'op' | 'input' | 'output';
  readonly label: string;
  readonly sub: string;
  /** Kernel index of an op node after the passes (for colour and title). */
  readonly kernel?: number;
  x: number;
  y: number;
}

export interface Layout {
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly { from: string; to: string; label: string }[];
  readonly width: number;
  readonly height: number;
}

const W = 150;
const H = 40;
const GAP_X = 30;
const GAP_Y = 46;

export function layoutGraph(g: Graph, kernelOf: ReadonlyMap<string, number> = new Map()): Layout {
  const producer = new Map<string, string>();
  const nodes: LaidNode[] = [];
  const layer = new Map<string, number>();
  for (const id of g.inputs) {
    const v = g.value(id);
    nodes.push({ id: `in:${id}`, kind: 'input', label: v.name, sub: `${v.dtype} ${shapeStr(v.shape)}`, x: 0, y: 0 });
    layer.set(`in:${id}`, 0);
    producer.set(id, `in:${id}`);
  }
  const edges: { from: string; to: string; label: string }[] = [];
  for (const n of g.nodes) {
    let depth = 0;
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p === undefined) continue; // constants and optional inputs are not drawn
      depth = Math.max(depth, layer.get(p)! + 1);
      edges.push({ from: p, to: n.id, label: shapeStr(g.value(i).shape) });
    }
    nodes.push({ id: n.id, kind: 'op', label: n.op, sub: n.name, kernel: kernelOf.get(n.id), x: 0, y: 0 });
    layer.set(n.id, Math.max(depth, 1));
    for (const o of n.outputs) if (o !== '') producer.set(o, n.id);
  }
  const last = Math.max(0, ...layer.values()) + 1;
  g.outputs.forEach((id, i) => {
    const v = g.value(id);
    const key = `out:${i}`;
    nodes.push({ id: key, kind: 'output', label: v.name, sub: `${v.dtype} ${shapeStr(v.shape)}`, x: 0, y: 0 });
    layer.set(key, last);
    const p = producer.get(id);
    if (p !== undefined) edges.push({ from: p, to: key, label: '' });
  });

  // Order within layers: graph order first, then barycentres of predecessors (down) and successors (up).
  const layers: LaidNode[][] = [];
  for (const n of nodes) (layers[layer.get(n.id)!] ??= []).push(n);
  const pos = new Map<string, number>();
  const place = () => layers.forEach((l) => l?.forEach((n, i) => pos.set(n.id, i)));
  place();
  const preds = new Map<string, string[]>();
  const succs = new Map<string, string[]>();
  for (const e of edges) {
    preds.set(e.to, [...(preds.get(e.to) ?? []), e.from]);
    succs.set(e.from, [...(succs.get(e.from) ?? []), e.to]);
  }
  const sweep = (l: LaidNode[] | undefined, by: Map<string, string[]>) => {
    if (!l) return;
    const key = (n: LaidNode) => {
      const xs = (by.get(n.id) ?? []).map((id) => pos.get(id)!);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : pos.get(n.id)!;
    };
    const keyed = l.map((n, i) => ({ n, k: key(n), i }));
    keyed.sort((a, b) => a.k - b.k || a.i - b.i);
    keyed.forEach((x, i) => {
      l[i] = x.n;
    });
    l.forEach((n, i) => pos.set(n.id, i));
  };
  for (let round = 0; round < 2; round++) {
    for (let i = 1; i < layers.length; i++) sweep(layers[i], preds);
    for (let i = layers.length - 2; i >= 0; i--) sweep(layers[i], succs);
  }
  const widest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const width = widest * (W + GAP_X) + GAP_X;
  layers.forEach((l, li) => {
    const offset = (width - (l?.length ?? 0) * (W + GAP_X) + GAP_X) / 2;
    l?.forEach((n, i) => {
      n.x = offset + i * (W + GAP_X);
      n.y = GAP_Y / 2 + li * (H + GAP_Y);
    });
  });
  return { nodes, edges, width, height: layers.length * (H + GAP_Y) };
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Kernel colours: a fixed palette, cycled (same kernel index, same colour, in every report). */
const PALETTE = ['#cfe3ff', '#ffe0b8', '#d4f2d2', '#f7d0e8', '#e4dcff', '#fff3b0', '#cdeff2', '#f2d6cc'];

export function kernelColour(k: number): string {
  return PALETTE[k % PALETTE.length];
}

export function layoutSvg(l: Layout, kernelNames: readonly string[] = [], id = 'graph'): string {
  const at = new Map(l.nodes.map((n) => [n.id, n]));
  const edges = l.edges.map((e) => {
    const a = at.get(e.from)!;
    const b = at.get(e.to)!;
    const [x1, y1, x2, y2] = [a.x + W / 2, a.y + H, b.x + W / 2, b.y];
    const mid = (y1 + y2) / 2;
    return `<path class="edge" d="M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}" marker-end="url(#${id}-arrow)"><title>${esc(e.label)}</title></path>`;
  });
  const nodes = l.nodes.map((n) => {
    const fill = n.kind !== 'op' ? '#f4f4f4' : n.kernel !== undefined ? kernelColour(n.kernel) : '#ffffff';
    const title = n.kind === 'op' && n.kernel !== undefined ? `${n.label} ${n.sub} in ${kernelNames[n.kernel] ?? `kernel ${n.kernel}`}` : `${n.label} ${n.sub}`;
    const rx = n.kind === 'op' ? 6 : 18;
    return (
      `<g class="node ${n.kind}" data-id="${esc(n.id)}"${n.kernel !== undefined ? ` data-kernel="${esc(kernelNames[n.kernel] ?? String(n.kernel))}"` : ''}>` +
      `<title>${esc(title)}</title><rect x="${n.x}" y="${n.y}" width="${W}" height="${H}" rx="${rx}" fill="${fill}"/>` +
      `<text x="${n.x + W / 2}" y="${n.y + 16}" class="l">${esc(n.label)}</text><text x="${n.x + W / 2}" y="${n.y + 31}" class="s">${esc(clip(n.sub))}</text></g>`
    );
  });
  return (
    `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}">` +
    `<defs><marker id="${id}-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#777"/></marker></defs>` +
    `${edges.join('')}${nodes.join('')}</svg>`
  );
}

const clip = (s: string) => (s.length > 24 ? `${s.slice(0, 23)}…` : s);
