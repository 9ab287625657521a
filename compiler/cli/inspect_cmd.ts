// `volta inspect`: ops, passes and rewrites, kernels, memory plan, fingerprint; --compare.
import { basename, resolve } from 'node:path';
import { Volta } from '../../runtime/index.ts';
import type { Compiled } from '../compile.ts';
import { shapeStr } from '../ir/shape.ts';
import { decodeModel } from '../onnx/proto.ts';
import { readRegularFile } from '../onnx/read_file.ts';
import { firstDivergentPass } from '../passes/manager.ts';
import { compileOptions, type Io, type Values } from './args.ts';
import { kernelsOf, memoryOf, rewritesText, shown, table, valuesOf } from './format.ts';
import { writeDot, writeReport } from './report/write.ts';
// ---- inspect ----------------------------------------------------------------

export function opCounts(path: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const n of decodeModel(readRegularFile(path, { what: 'model', code: 'VOLTA_E_BAD_MODEL' })).graph.node) {
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    counts.set(op, (counts.get(op) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function inspectJson(model: string, c: Compiled, withText: boolean) {
  return {
    model: basename(model),
    graph: c.graph.name,
    opset: c.graph.opset,
    target: c.options.target,
    mode: c.options.mode,
    isa: c.options.isa,
    threads: c.options.threads,
    ops: Object.fromEntries(opCounts(resolve(model))),
    inputs: valuesOf(c, c.graph.inputs),
    outputs: valuesOf(c, c.graph.outputs),
    passes: c.snapshots.map((s) => ({ pass: s.pass, fingerprint: s.fingerprint, rewrites: s.rewrites, ...(withText ? { text: s.text } : {}) })),
    kernels: kernelsOf(c),
    memory: memoryOf(c),
    notes: c.notes,
    fingerprint: c.fingerprint,
  };
}

export function inspectText(model: string, c: Compiled, withText: boolean): string {
  const j = inspectJson(model, c, withText);
  const io = (xs: typeof j.inputs) => table(xs.map((x) => [x.name, x.dtype, shapeStr(x.shape)]));
  const out = [
    `model        ${shown(resolve(model))} (graph ${JSON.stringify(j.graph)}, opset ${j.opset})`,
    '',
    'ops',
    table(Object.entries(j.ops).map(([op, n]) => [op, String(n)])),
    '',
    'inputs',
    io(j.inputs),
    '',
    'outputs',
    io(j.outputs),
    '',
    'passes',
  ];
  const width = Math.max(...c.snapshots.map((s) => s.pass.length));
  for (const s of c.snapshots) {
    out.push(`  ${s.pass.padEnd(width)}  ${s.fingerprint.slice(0, 16)}  ${rewritesText(s.rewrites)}`);
    if (withText) out.push(s.text.replace(/^/gm, '      ').trimEnd(), '');
  }
  out.push(
    '',
    'kernels',
    table(
      j.kernels.map((k) => [
        k.kernel,
        k.kind,
        k.ops.join('+'),
        k.shape,
        `${k.tasks} task${k.tasks === 1 ? '' : 's'}`,
        `nodes ${k.nodes.map((n) => JSON.stringify(n)).join(', ')}`,
      ]),
    ),
  );
  const temps = j.memory.buffers.filter((b) => b.kind === 'temp').length;
  out.push(
    '',
    'memory',
    `  arena ${j.memory.arenaBytes} bytes (${temps} temp buffers), weights ${j.memory.weightsBytes} bytes, ${j.memory.buffers.length} buffers in all`,
  );
  for (const n of j.notes) out.push(`note: ${n}`);
  out.push(
    '',
    `fingerprint  ${j.fingerprint} (target ${j.target}, mode ${j.mode}, isa ${j.isa})`,
    `threads      ${j.threads} (run time only: never changes bits, not in the fingerprint)`,
  );
  return `${out.join('\n')}\n`;
}

export function compareText(a: string, b: string, ca: Compiled, cb: Compiled, json: boolean): string {
  const d = firstDivergentPass(ca.snapshots, cb.snapshots);
  if (json) {
    const passes = (c: Compiled) => c.snapshots.map((s) => ({ pass: s.pass, fingerprint: s.fingerprint }));
    return `${JSON.stringify({ a: basename(a), b: basename(b), firstDivergentPass: d ?? null, passes: { a: passes(ca), b: passes(cb) }, fingerprints: { a: ca.fingerprint, b: cb.fingerprint } }, null, 2)}\n`;
  }
  const n = Math.max(ca.snapshots.length, cb.snapshots.length);
  const rows = [['pass', 'a', 'b', '']];
  for (let i = 0; i < n; i++) {
    const sa = ca.snapshots[i];
    const sb = cb.snapshots[i];
    const same = sa?.pass === sb?.pass && sa?.fingerprint === sb?.fingerprint;
    rows.push([
      sa?.pass ?? sb!.pass,
      sa?.fingerprint.slice(0, 16) ?? '-',
      sb?.fingerprint.slice(0, 16) ?? '-',
      same ? 'same' : i === d?.index ? 'DIFFERS (first)' : 'differs',
    ]);
  }
  return [
    `a  ${shown(resolve(a))}`,
    `b  ${shown(resolve(b))}`,
    '',
    table(rows),
    '',
    d ? `first divergent pass: ${d.pass} (#${d.index})` : 'no pass diverges: the IR is identical after every pass',
    `fingerprints ${ca.fingerprint === cb.fingerprint ? 'equal' : 'differ'}: ${ca.fingerprint.slice(0, 16)} vs ${cb.fingerprint.slice(0, 16)}`,
    '',
  ].join('\n');
}

export async function cmdInspect(model: string, v: Values, io: Io): Promise<number> {
  const o = compileOptions(v, 'inspect');
  const c = Volta.compileOnly(model, o);
  if (typeof v.compare === 'string') {
    io.out(compareText(model, v.compare, c, Volta.compileOnly(v.compare, o), v.json === true));
    return 0;
  }
  const files: Record<string, string> = {};
  if (typeof v.report === 'string') {
    writeReport(model, o, c, v.report);
    files.report = shown(resolve(v.report));
  }
  if (typeof v.dot === 'string') {
    writeDot(c, v.dot);
    files.dot = shown(resolve(v.dot));
  }
  if (v.json) io.out(`${JSON.stringify({ ...inspectJson(model, c, v.passes === true), ...files }, null, 2)}\n`);
  else
    io.out(
      `${inspectText(model, c, v.passes === true)}${Object.entries(files)
        .map(([k, f]) => `${k.padEnd(12)} ${f}\n`)
        .join('')}`,
    );
  return 0;
}
