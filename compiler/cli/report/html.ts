// `volta inspect --report out.html`: one self-contained HTML file (inline CSS and SVG, no
// scripts, nothing fetched) to look at a compilation: the graph before and after the passes,
// which ops went into each kernel, the memory plan as a timeline of buffers, per-pass
// fingerprints and rewrites, timings, and each kernel's generated source (linked from the
// kernel table). Deterministic apart from the timings section.
import type { Backend } from '../../codegen/dialect.ts';
import type { Compiled } from '../../compile.ts';
import type { Graph } from '../../ir/graph.ts';
import { shapeStr } from '../../ir/shape.ts';
import { VOLTA_VERSION } from '../../version.ts';
import { kernelShape, rewritesText } from '../format.ts';
import { esc, kernelColour, layoutGraph, layoutSvg } from './layout.ts';

export interface EmittedKernel {
  /** Schedule index. */
  readonly index: number;
  /** The emitted function's name (k0_gemm_relu); undefined for a kernel with nothing to compute. */
  readonly name?: string;
  readonly source: string;
}

/**
 * Each schedule kernel's emitted name and function text, read back from the generated source:
 * kernels with an empty output are not emitted, the others are named in schedule order.
 */
export function emittedKernels(c: Compiled, backend: Backend): EmittedKernel[] {
  const src = c.source(backend);
  const lines = src.split('\n');
  // The header lists the emitted kernels in schedule order (" *   k0_gemm_relu: Gemm -> Relu ...").
  const emitted = [...src.matchAll(/^ \* {3}(k\d+_[A-Za-z0-9_]*): /gm)].map((m) => m[1]);
  const starts: { name: string; line: number }[] = [];
  for (const name of emitted) {
    const line = lines.findIndex((l) => !/^(\/\*| \*)/.test(l) && new RegExp(`^\\S.*\\b${name}\\s*\\(`).test(l));
    if (line >= 0) starts.push({ name, line });
  }
  const end = lines.findIndex((l) => /^(\/\* Runs the model|int volta_run|static uint8_t \*volta_d_)/.test(l));
  // A kernel's text starts at the comment block above its definition and ends where the next one's does.
  const from = starts.map((s, i) => {
    let j = s.line;
    while (j > (starts[i - 1]?.line ?? 0) + 1 && /^(\/\*| \*|\s*$)/.test(lines[j - 1])) j--;
    return j;
  });
  let next = 0;
  return c.schedule.kernels.map((k) => {
    if (c.memory.bufferOf(k.plan.out.buf).bytes === 0) return { index: k.index, source: '' };
    const i = next++;
    const s = starts[i];
    if (s === undefined) return { index: k.index, source: '' };
    const stop = from[i + 1] ?? (end > s.line ? end : lines.length);
    return { index: k.index, name: s.name, source: lines.slice(from[i], stop).join('\n').trim() };
  });
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f6f6f6}
.graphs{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}.graphs figure{margin:0;overflow:auto;max-width:100%;border:1px solid #eee;padding:6px}
figcaption{font-weight:600;margin-bottom:4px}.edge{fill:none;stroke:#888;stroke-width:1.3}
.node rect{stroke:#555;stroke-width:1}.node text{text-anchor:middle;font-size:12px}.node text.s{font-size:10px;fill:#555}
.swatch{display:inline-block;width:12px;height:12px;border:1px solid #777;vertical-align:middle;margin-right:4px}
pre{background:#f8f8f8;border:1px solid #e4e4e4;padding:8px;overflow:auto;max-height:480px}.muted{color:#777}
.tl rect{stroke:#444;stroke-width:.6}.tl text{font-size:10px}`;

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Temp buffers as bars: x = the kernels that use them (schedule steps), y = their bytes in the arena. */
function memoryTimeline(c: Compiled, names: readonly string[]): string {
  const temps = c.memory.buffers.filter((b) => b.kind === 'temp' && b.live !== undefined && b.bytes > 0);
  const steps = Math.max(1, c.schedule.kernels.length);
  const arena = Math.max(1, c.memory.arenaBytes);
  const [W, H, L, T] = [760, 220, 60, 10];
  const sx = (k: number) => L + (k / steps) * (W - L - 10);
  const sy = (b: number) => T + (b / arena) * (H - T - 30);
  const bars = temps.map((b) => {
    const [a, z] = b.live!;
    const x = sx(a);
    const w = Math.max(2, sx(z + 1) - x - 2);
    const y = sy(b.offset);
    const h = Math.max(2, sy(b.offset + b.bytes) - y);
    return `<g class="buffer"><title>${esc(`${b.id}: ${b.dtype}, ${b.bytes} bytes at arena offset ${b.offset}, live in kernels ${names[a] ?? a} .. ${names[z] ?? z}`)}</title><rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${kernelColour(a)}"/></g>`;
  });
  const ticks = c.schedule.kernels.map((k, i) => `<text x="${sx(i) + 2}" y="${H - 14}">${esc(names[i] ?? `k${k.index}`)}</text>`);
  return `<svg class="tl" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><rect x="${L}" y="${T}" width="${W - L - 10}" height="${H - T - 30}" fill="#fbfbfb"/><text x="2" y="${T + 10}">0</text><text x="2" y="${H - 22}">${arena} B</text>${bars.join('')}${ticks.join('')}</svg>`;
}

export interface ReportInput {
  readonly model: string;
  readonly before: Graph;
  readonly compiled: Compiled;
  /** Compiler stage times (ms); the only part of the report that changes from run to run. */
  readonly timings: Readonly<Record<string, number>>;
}

export function reportHtml(r: ReportInput): string {
  const c = r.compiled;
  const backend: Backend = c.options.target === 'cuda' ? 'cuda' : 'c';
  const kernels = emittedKernels(c, backend);
  const names = kernels.map((k) => k.name ?? `k${k.index} (not emitted: empty output)`);
  const kernelOf = new Map<string, number>();
  c.schedule.kernels.forEach((k, i) => {
    for (const n of k.nodes) kernelOf.set(n, i);
  });
  const beforeSvg = layoutSvg(layoutGraph(r.before), [], 'before');
  const afterSvg = layoutSvg(layoutGraph(c.graph, kernelOf), names, 'after');
  const io = (ids: readonly string[], g: Graph) =>
    ids.map((id) => `${esc(g.value(id).name)} <span class="mono">${g.value(id).dtype} ${shapeStr(g.value(id).shape)}</span>`).join(', ');
  const kernelRows = c.schedule.kernels.map((k, i) => [
    `<span class="swatch" style="background:${kernelColour(i)}"></span>${kernels[i].name ? `<a href="#src-${esc(kernels[i].name!)}" class="mono kernel-name">${esc(kernels[i].name!)}</a>` : `<span class="muted">${esc(names[i])}</span>`}`,
    esc(k.plan.kind),
    esc(k.plan.ops.join(' → ')),
    k.nodes.map((n) => `<span class="mono">${esc(c.graph.nodes.find((x) => x.id === n)?.name ?? n)}</span>`).join(', '),
    `<span class="mono">${esc(kernelShape(k.plan))}</span>`,
  ]);
  const passRows = c.snapshots.map((s) => [esc(s.pass), `<span class="mono">${s.fingerprint}</span>`, esc(rewritesText(s.rewrites))]);
  const bufferRows = c.memory.buffers.map((b) => [
    `<span class="mono">${esc(b.id)}</span>`,
    b.kind,
    b.dtype,
    String(b.bytes),
    b.kind === 'input' || b.kind === 'output' ? `#${b.index}` : String(b.offset),
    b.live ? `${esc(names[b.live[0]] ?? String(b.live[0]))} .. ${esc(names[b.live[1]] ?? String(b.live[1]))}` : '',
  ]);
  const sources = kernels.filter((k) => k.name).map((k) => `<h3 id="src-${esc(k.name!)}" class="mono">${esc(k.name!)}</h3><pre>${esc(k.source)}</pre>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Volta report: ${esc(r.model)}</title><style>${CSS}</style></head>
<body>
<h1>Volta compile report: ${esc(r.model)}</h1>
<p class="muted">graph ${esc(JSON.stringify(c.graph.name))}, opset ${c.graph.opset}; target ${c.options.target}, mode ${c.options.mode}; Volta ${VOLTA_VERSION}</p>
<p>fingerprint <span class="mono" id="fingerprint">${c.fingerprint}</span></p>
<table id="summary"><tbody>
<tr><th>nodes before the passes</th><td id="nodes-before">${r.before.nodes.length}</td></tr>
<tr><th>nodes after the passes</th><td id="nodes-after">${c.graph.nodes.length}</td></tr>
<tr><th>kernels</th><td id="kernel-count">${c.schedule.kernels.length}</td></tr>
<tr><th>inputs</th><td>${io(c.graph.inputs, c.graph)}</td></tr>
<tr><th>outputs</th><td>${io(c.graph.outputs, c.graph)}</td></tr>
<tr><th>arena / weights</th><td>${c.memory.arenaBytes} / ${c.memory.weightsBytes} bytes</td></tr>
</tbody></table>
<h2>Graph</h2>
<p class="muted">Op nodes of the imported graph, and after the passes coloured by the kernel that computes them (hover for names and shapes). Constants are not drawn.</p>
<div class="graphs"><figure><figcaption>before the passes (${r.before.nodes.length} nodes)</figcaption>${beforeSvg}</figure>
<figure><figcaption>after the passes (${c.graph.nodes.length} nodes, ${c.schedule.kernels.length} kernels)</figcaption>${afterSvg}</figure></div>
<h2>Kernels</h2>
${table(['kernel', 'kind', 'ops', 'nodes', 'shape'], kernelRows)}
<h2>Memory plan</h2>
<p class="muted">Scratch buffers in the ${c.memory.arenaBytes}-byte arena over the kernels that use them (x: schedule, y: arena offset).</p>
${memoryTimeline(c, names)}
${table(['buffer', 'kind', 'dtype', 'bytes', 'offset', 'live'], bufferRows)}
<h2>Passes</h2>
${table(['pass', 'snapshot fingerprint', 'rewrites'], passRows)}
<h2>Timings</h2>
${table(
  ['stage', 'ms'],
  Object.entries(r.timings).map(([k, v]) => [esc(k), v.toFixed(2)]),
)}
<h2>Kernel sources (${backend})</h2>
${sources.join('\n')}
${c.notes.length ? `<h2>Notes</h2><ul>${c.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</body></html>
`;
}
