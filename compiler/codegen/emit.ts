// Emits one source file per backend for a scheduled, memory-planned graph:
// a header (model, fingerprint, kernels), one function per kernel plan, and
// the entry point that binds buffers and calls (C) or launches (CUDA) kernels.
import { DTYPES } from '../ir/dtype.ts';
import type { Graph } from '../ir/graph.ts';
import { numel } from '../ir/shape.ts';
import { kernelArgs } from '../kernels/plan.ts';
import { type BufferPlan, CANARY, type MemoryPlan } from '../schedule/memory_plan.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { VOLTA_VERSION } from '../version.ts';
import { type Backend, DIALECTS } from './dialect.ts';
import { kernelView } from './kernels.ts';
import { comment, NameSupply } from './names.ts';
import { template } from './templates.ts';

export interface EmitInput {
  readonly graph: Graph;
  readonly schedule: Schedule;
  readonly memory: MemoryPlan;
  readonly fingerprint: string;
  /** Emit volta_run_profiled (C): each kernel call timed with the caller's clock. */
  readonly profile?: boolean;
  /** Floats per SIMD vector of the C build (VOLTA_VEC for templates/common/volta_gemm.h). */
  readonly vectorFloats?: number;
}

const CUDA_BLOCK = 256;
const CUDA_MAX_BLOCKS = 65535;
const align = (n: number) => Math.ceil(n / 64) * 64;

/** Device io layout for CUDA: inputs then outputs, 64-byte aligned. */
export function ioLayout(memory: MemoryPlan): { offsets: Map<string, number>; bytes: number } {
  const offsets = new Map<string, number>();
  let at = 0;
  for (const kind of ['input', 'output'] as const) {
    for (const b of memory.buffers.filter((x) => x.kind === kind).sort((x, y) => x.index - y.index)) {
      offsets.set(b.id, at);
      at = align(at + b.bytes);
    }
  }
  return { offsets, bytes: at };
}

/** Calls the kernel with its buffers from the pool's argument array. */
function taskTrampoline(name: string, n: number): string {
  const ps = Array.from({ length: n }, (_, i) => `p[${i}]`);
  return [
    `static void ${name}_task(const void *args, int64_t t0, int64_t t1, float *scratch) {`,
    '  void *const *p = (void *const *)args;',
    `  ${name}(${[...ps, 't0', 't1', 'scratch'].join(', ')});`,
    '}',
  ].join('\n');
}

/** Work estimates print as exact integral doubles. */
function workLiteral(w: number): string {
  return `${Math.round(w)}.0`;
}

export function emitSource(inp: EmitInput, backend: Backend): string {
  const d = DIALECTS[backend];
  const names = new NameSupply();
  const bufName = new Map<string, string>();
  const role: Record<BufferPlan['kind'], string> = { input: 'in', output: 'out', const: 'w', temp: 's' };
  const ordered = [...inp.memory.buffers].sort((a, b) => {
    const rank = { input: 0, output: 1, const: 2, temp: 3 };
    return rank[a.kind] - rank[b.kind] || (a.kind === 'input' || a.kind === 'output' ? a.index - b.index : 0);
  });
  for (const b of ordered) bufName.set(b.id, names.fresh(role[b.kind]));
  const io = ioLayout(inp.memory);
  const binding = (b: BufferPlan): string => {
    const t = DTYPES[b.dtype].c;
    const n = bufName.get(b.id)!;
    const cq = b.kind === 'input' || b.kind === 'const' ? 'const ' : '';
    let src: string;
    if (b.kind === 'const') src = `weights + ${b.offset}`;
    else if (b.kind === 'temp') src = `arena + ${b.offset}`;
    else if (backend === 'cuda') src = `volta_d_io + ${io.offsets.get(b.id)}`;
    else src = `${b.kind}s[${b.index}]`;
    return `${cq}${t} *${n} = (${cq}${t} *)(${src});`;
  };
  const kernels = [];
  const calls: string[] = [];
  const launches = [];
  for (const k of inp.schedule.kernels) {
    const outBuf = inp.memory.bufferOf(k.plan.out.buf);
    if (outBuf.bytes === 0) continue; // nothing to compute for an empty output
    const name = names.fresh('k', k.plan.name);
    const view = kernelView(k.plan, name, d);
    let source = template(backend, k.plan.kind)({ ...view, restrict: d.restrict });
    const args = kernelArgs(k.plan).map((v) => bufName.get(inp.memory.bufferOf(v).id)!);
    if (backend === 'c' && view.tasks !== undefined) {
      // Task form: the kernel runs tasks [t0, t1) of its plan's partition; the pool calls it through a trampoline.
      source += `\n${taskTrampoline(name, args.length)}`;
      calls.push(
        `{ void *const args[] = { ${args.map((a) => `(void *)${a}`).join(', ')} }; volta_parallel(rt, ${name}_task, args, ${view.tasks}, ${workLiteral(view.work ?? 0)}); }`,
      );
    } else calls.push(`${name}(${args.join(', ')});`);
    kernels.push({ name, ops: `${k.plan.ops.join(' -> ')}${k.plan.nodes.length ? ` (${k.plan.nodes.map(comment).join(', ')})` : ''}`, source });
    launches.push({
      kernel: name,
      // Named in a failed launch's error: the kernel and its schedule index (runtime/addon.ts maps it to its ops and
      // nodes; model names never enter string literals of the generated code).
      what: `launch ${name} (kernel ${k.index})`,
      args: args.join(', '),
      // A view may fix its launch (a tiled kernel: one block per tile); else one thread per item.
      ...((view.cudaLaunch as { blocks: number; threads: number } | undefined) ?? {
        threads: CUDA_BLOCK,
        blocks: Math.max(1, Math.min(CUDA_MAX_BLOCKS, Math.ceil(k.plan.partition.items / CUDA_BLOCK))),
      }),
    });
  }
  const used = new Set(launches.flatMap((l) => l.args.split(', ')));
  const byKind = (kind: BufferPlan['kind']) => inp.memory.buffers.filter((b) => b.kind === kind).sort((a, b) => a.index - b.index);
  const ioBytes = (ids: readonly string[]) => {
    const xs = ids.map((id) => numel(inp.graph.value(id).shape) * DTYPES[inp.graph.value(id).dtype].bytes);
    return xs.length ? xs.join(', ') : '0';
  };
  return template(
    backend,
    'model',
  )({
    version: VOLTA_VERSION,
    vectorFloats: inp.vectorFloats ?? 4,
    scratchBytes: Math.max(0, ...inp.schedule.kernels.map((k) => k.plan.scratch ?? 0)),
    externC: backend === 'cuda' ? 'extern "C" ' : '',
    numInputs: inp.graph.inputs.length,
    numOutputs: inp.graph.outputs.length,
    inputBytes: ioBytes(inp.graph.inputs),
    outputBytes: ioBytes(inp.graph.outputs),
    dialect: backend === 'c' ? 'C reference' : 'CUDA',
    model: comment(inp.graph.name),
    fingerprint: inp.fingerprint,
    arenaBytes: inp.memory.arenaBytes,
    weightsBytes: inp.memory.weightsBytes,
    ioBytes: io.bytes,
    kernels,
    // CUDA binds only the buffers some launch takes (nvcc -Werror all-warnings rejects unused locals).
    bindings: backend === 'cuda' ? ordered.filter((b) => used.has(bufName.get(b.id)!)).map(binding) : ordered.map(binding),
    usesWeights: ordered.some((b) => b.kind === 'const' && used.has(bufName.get(b.id)!)),
    usesArena: ordered.some((b) => b.kind === 'temp' && used.has(bufName.get(b.id)!)),
    calls,
    profile: inp.profile === true,
    numKernels: kernels.length,
    // C string literals of identifiers from the name supply; a lone 0 keeps an empty list valid C.
    kernelNames: kernels.length ? kernels.map((k) => `"${k.name}"`).join(', ') : '0',
    launches,
    // memoryGuard builds: canaries filled before and checked after every run by the CUDA glue.
    guards: (inp.memory.guards ?? []).map((gd, index) => ({ offset: gd.offset, bytes: gd.bytes, index })),
    canary: CANARY,
    ioCopiesIn: byKind('input').map(
      (b) => `VOLTA_CUDA(cudaMemcpy(volta_d_io + ${io.offsets.get(b.id)}, inputs[${b.index}], ${b.bytes}, cudaMemcpyHostToDevice), "copy input ${b.index}");`,
    ),
    ioCopiesOut: byKind('output').map(
      (b) => `VOLTA_CUDA(cudaMemcpy(outputs[${b.index}], volta_d_io + ${io.offsets.get(b.id)}, ${b.bytes}, cudaMemcpyDeviceToHost), "copy output ${b.index}");`,
    ),
  });
}
