// The memory plan: where every storage lives. Inputs and outputs are the
// caller's buffers; constants sit in one weights blob; everything else shares an
// arena, placed first-fit over lifetimes [defining kernel, last reading kernel]
// in schedule order, so buffers whose lifetimes do not overlap reuse bytes.
// A guarded plan (compile option memoryGuard, a debug build) reuses nothing and
// leaves canary bytes around every arena buffer, which the runtime fills before
// and checks after every run (runtime/addon.ts; the CUDA glue on the device).

import { DTYPES, type DType } from '../ir/dtype.ts';
import { invariant } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { numel } from '../ir/shape.ts';
import { tensorBytes } from '../ir/tensor.ts';
import { kernelArgs } from '../kernels/plan.ts';
import type { Schedule } from './schedule.ts';

export const ALIGN = 64;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export type BufferKind = 'input' | 'output' | 'const' | 'temp';

export interface BufferPlan {
  readonly id: string;
  readonly kind: BufferKind;
  readonly dtype: DType;
  readonly bytes: number;
  /** Input/output position, or byte offset in the weights blob / arena. */
  readonly index: number;
  readonly offset: number;
  /** Temps: first and last kernel index using it. */
  readonly live?: readonly [number, number];
}

/** Guard bytes of a guarded plan: at least this many canary bytes before and after every arena buffer. */
export const GUARD_BYTES = 64;

/** Canary bytes [offset, offset + bytes) of the arena, between buffer `after` (overrun) and `before` (underrun). */
export interface Guard {
  readonly offset: number;
  readonly bytes: number;
  readonly after?: string;
  readonly before?: string;
}

/** The canary byte of guarded plans. */
export const CANARY = 0xa5;

/** What a broken canary means, in the words both runtimes report (value names from `name`). */
export function guardText(g: Guard, name: (id: string) => string): string {
  const sides = [g.after && `past the end of buffer ${JSON.stringify(name(g.after))}`, g.before && `before buffer ${JSON.stringify(name(g.before))}`];
  return `canary [${g.offset}, ${g.offset + g.bytes}) was overwritten: a write ${sides.filter(Boolean).join(' or ')}`;
}

export interface MemoryPlan {
  /** Guarded plans only: the canary ranges, in arena order. */
  readonly guards?: readonly Guard[];
  /** In order of first use (inputs and outputs first, by position). */
  readonly buffers: readonly BufferPlan[];
  readonly arenaBytes: number;
  readonly weightsBytes: number;
  /** Storage id of any value id. */
  readonly bufferOf: (valueId: string) => BufferPlan;
}

export function planMemory(g: Graph, s: Schedule, opts: { guard?: boolean } = {}): MemoryPlan {
  const byId = new Map<string, BufferPlan>();
  const root = (id: string) => s.storage.get(id) ?? id;
  const info = (id: string) => {
    const v = g.values.get(id);
    if (v !== undefined) return { dtype: v.dtype, bytes: numel(v.shape) * DTYPES[v.dtype].bytes };
    // Not a graph value: the destination of an output copy.
    const at = s.outputs.indexOf(id);
    invariant(at >= 0, `no value for storage ${id}`);
    const src = g.value(g.outputs[at]);
    return { dtype: src.dtype, bytes: numel(src.shape) * DTYPES[src.dtype].bytes };
  };
  g.inputs.forEach((id, i) => byId.set(id, { id, kind: 'input', ...info(id), index: i, offset: 0 }));
  s.outputs.forEach((id, i) => {
    if (!byId.has(id)) byId.set(id, { id, kind: 'output', ...info(id), index: i, offset: 0 });
  });
  // First and last use of every other storage, in schedule order.
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const k of s.kernels) {
    for (const id of kernelArgs(k.plan).map(root)) {
      if (!first.has(id)) first.set(id, k.index);
      last.set(id, k.index);
    }
  }
  let weights = 0;
  const placed: BufferPlan[] = [];
  let arena = 0;
  for (const id of first.keys()) {
    if (byId.has(id)) continue;
    const data = g.values.get(id)?.data ?? s.constants.get(id);
    if (data !== undefined) {
      byId.set(id, { id, kind: 'const', dtype: data.dtype, bytes: tensorBytes(data).byteLength, index: 0, offset: weights });
      weights = align(weights + tensorBytes(data).byteLength);
      continue;
    }
    const { dtype, bytes } = info(id);
    if (opts.guard) {
      // Guarded: one region each, after GUARD_BYTES of canary; the slack up to the next aligned start is canary too.
      const b: BufferPlan = { id, kind: 'temp', dtype, bytes, index: 0, offset: align(arena + GUARD_BYTES), live: [first.get(id)!, last.get(id)!] };
      placed.push(b);
      byId.set(id, b);
      arena = b.offset + bytes;
      continue;
    }
    const live: [number, number] = [first.get(id)!, last.get(id)!];
    // First fit: lowest aligned offset not overlapping a placed temp whose lifetime overlaps.
    const clashes = placed.filter((p) => p.live![0] <= live[1] && live[0] <= p.live![1]).sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const c of clashes) {
      if (offset + bytes <= c.offset) break;
      offset = Math.max(offset, align(c.offset + c.bytes));
    }
    const b: BufferPlan = { id, kind: 'temp', dtype, bytes, index: 0, offset, live };
    placed.push(b);
    byId.set(id, b);
    arena = Math.max(arena, align(offset + bytes));
  }
  let guards: Guard[] | undefined;
  if (opts.guard) {
    guards = [];
    let end = 0;
    let after: string | undefined;
    for (const b of placed) {
      guards.push({ offset: end, bytes: b.offset - end, ...(after ? { after } : {}), before: b.id });
      end = b.offset + b.bytes;
      after = b.id;
    }
    arena = align(end + GUARD_BYTES);
    guards.push({ offset: end, bytes: arena - end, ...(after ? { after } : {}) });
  }
  return {
    ...(guards ? { guards } : {}),
    buffers: [...byId.values()],
    arenaBytes: arena,
    weightsBytes: weights,
    bufferOf: (valueId) => {
      const b = byId.get(root(valueId));
      invariant(b !== undefined, `no storage for value ${valueId}`);
      return b;
    },
  };
}

/** The weights blob: constants at their planned offsets. */
export function weightsBlob(g: Graph, s: Schedule, m: MemoryPlan): Uint8Array {
  const blob = new Uint8Array(m.weightsBytes);
  for (const b of m.buffers) if (b.kind === 'const') blob.set(tensorBytes(g.values.get(b.id)?.data ?? s.constants.get(b.id)!), b.offset);
  return blob;
}
