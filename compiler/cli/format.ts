import { isAbsolute, relative } from 'node:path';
import type { Tensor } from '../../runtime/tensor.ts';
import type { Compiled } from '../compile.ts';
import type { DType } from '../ir/dtype.ts';
import { shapeStr } from '../ir/shape.ts';
import type { KernelPlan } from '../kernels/plan.ts';
// ---- formatting -------------------------------------------------------------

/** A path as the user would type it: relative to cwd when inside it. */
export function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

// Sub-millisecond times (a small model's run) keep microseconds.
export const ms = (x: number) => `${x.toFixed(x < 1 ? 3 : 2)} ms`;

export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd()).join('\n');
}

export function timingsText(t: Readonly<Record<string, number>>): string {
  return table(Object.entries(t).map(([k, v]) => [k, ms(v).padStart(11)]));
}

export function formatValue(v: number | bigint, dtype: DType): string {
  if (typeof v === 'bigint' || dtype !== 'float32') return String(v);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** Values of a tensor, flat; tensors over 20 elements show the first 10 and last 4. */
export function formatValues(t: Tensor): string {
  const xs = Array.from(t.data as ArrayLike<number | bigint>);
  const f = (v: number | bigint) => formatValue(v, t.type);
  if (xs.length <= 20) return `[${xs.map(f).join(', ')}]`;
  return `[${xs.slice(0, 10).map(f).join(', ')}, ..., ${xs.slice(-4).map(f).join(', ')}] (${xs.length} values)`;
}

export function kernelShape(p: KernelPlan): string {
  switch (p.kind) {
    case 'elementwise':
      return `shape ${shapeStr(p.shape)}`;
    case 'matmul':
      return `${p.batch.length ? `batch ${shapeStr(p.batch)} ` : ''}M ${p.m} N ${p.n} K ${p.k}`;
    case 'softmax':
      return `outer ${p.outer} axis ${p.axis} inner ${p.inner}${p.log ? ' (log)' : ''}`;
    case 'reduce':
      return `${p.combine} kept ${shapeStr(p.kept)} reduced ${shapeStr(p.reduced)}`;
    case 'concat':
      return `outer ${p.outer} axis ${p.sizes.join('+')} inner ${p.inner}`;
    case 'gather':
      return `outer ${p.outer} axis ${p.axis} inner ${p.inner} indices ${p.count}`;
    case 'pad':
      return `${p.mode} ${shapeStr(p.inShape)} -> ${shapeStr(p.outShape)}`;
    case 'window':
      return `${p.mode} out ${shapeStr([p.n, p.m, ...p.outSpatial])} kernel ${shapeStr(p.kernel)}`;
    case 'window_grad':
      return `${p.mode} dX ${shapeStr([p.n, p.c, ...p.inSpatial])} from dY ${shapeStr([p.n, p.m, ...p.outSpatial])} kernel ${shapeStr(p.kernel)}`;
    case 'conv_weight_grad':
      return `dW ${shapeStr([p.m, p.c / p.group, ...p.kernel])} over N ${p.n} out ${shapeStr(p.outSpatial)}`;
    case 'scatter_add':
      return `outer ${p.outer} axis ${p.axis} inner ${p.inner} updates ${p.count}`;
    case 'recurrent':
      return `${p.cell} ${p.reverse.length === 2 ? 'bidirectional' : p.reverse[0] ? 'reverse' : 'forward'} seq ${p.seq} batch ${p.batch} input ${p.inputSize} hidden ${p.hidden}`;
    case 'resize':
      return `${shapeStr(p.inShape)} -> ${shapeStr(p.outShape)} taps [${p.axes.map((a) => a.taps).join(', ')}]`;
    case 'arg_reduce':
      return `${p.max ? 'max' : 'min'} outer ${p.outer} axis ${p.axis} inner ${p.inner}`;
    case 'topk':
      return `k ${p.k} ${p.largest ? 'largest' : 'smallest'} outer ${p.outer} axis ${p.axis} inner ${p.inner}`;
    case 'cumsum':
      return `outer ${p.outer} axis ${p.axis} inner ${p.inner}${p.exclusive ? ' exclusive' : ''}${p.reverse ? ' reverse' : ''}`;
    case 'scatter_rows':
      return `${p.reduction} rows ${p.rows} inner ${p.inner} updates ${p.count}`;
    case 'conv_transpose':
      return `out ${shapeStr([p.n, p.m, ...p.outSpatial])} kernel ${shapeStr(p.kernel)} strides ${shapeStr(p.strides)}`;
  }
}

export function kernelsOf(c: Compiled) {
  return c.schedule.kernels.map((k) => ({
    kernel: `k${k.index}`,
    name: k.plan.name,
    kind: k.plan.kind,
    ops: [...k.plan.ops],
    nodes: [...k.plan.nodes],
    shape: kernelShape(k.plan),
    tasks: k.plan.partition.tasks,
    ...(k.plan.kind === 'matmul' ? { tile: { ...k.plan.tile } } : {}),
  }));
}

export function memoryOf(c: Compiled) {
  const m = c.memory;
  return {
    arenaBytes: m.arenaBytes,
    weightsBytes: m.weightsBytes,
    buffers: m.buffers.map((b) => ({ id: b.id, kind: b.kind, dtype: b.dtype, bytes: b.bytes, offset: b.offset, ...(b.live ? { live: [...b.live] } : {}) })),
  };
}

export function valuesOf(c: Compiled, ids: readonly string[]) {
  return ids.map((id) => {
    const v = c.graph.value(id);
    return { name: v.name, dtype: v.dtype, shape: [...v.shape] };
  });
}

/** Rewrites grouped by rule: "check-node x4 (@n0 @n1 @n2 @n3)". */
export function rewritesText(rw: readonly { rule: string; node: string }[]): string {
  if (rw.length === 0) return 'no rewrites';
  const by = new Map<string, string[]>();
  for (const r of rw) by.set(r.rule, [...(by.get(r.rule) ?? []), r.node]);
  return [...by]
    .map(([rule, nodes]) => {
      const list = nodes.slice(0, 8).map((n) => `@${n}`);
      if (nodes.length > 8) list.push(`+${nodes.length - 8} more`);
      return `${rule} x${nodes.length} (${list.join(' ')})`;
    })
    .join(', ');
}
