// The compiler front to back, minus the native build: import or graph ->
// passes -> schedule -> memory plan -> fingerprint -> sources.

import { availableParallelism } from 'node:os';
import { type Isa, planTarget, resolveIsa } from './build/isa.ts';
import type { Backend } from './codegen/dialect.ts';
import { emitSource } from './codegen/emit.ts';
import { fingerprint } from './fingerprint.ts';
import { VoltaError } from './ir/errors.ts';
import type { Graph } from './ir/graph.ts';
import { type TensorData, type TensorLike, toTensorData } from './ir/tensor.ts';
import { type ImportOptions, importDecoded } from './onnx/import.ts';
import { decodeModel, type OnnxModel } from './onnx/proto.ts';
import { type PassSnapshot, runPasses } from './passes/manager.ts';
import { type MemoryPlan, planMemory, weightsBlob } from './schedule/memory_plan.ts';
import { type Schedule, scheduleGraph } from './schedule/schedule.ts';

/** c: the C reference; cuda: the CUDA source on a GPU; cuda-cpu: the same CUDA source run on the CPU (templates/cuda_cpu). */
export type Target = 'c' | 'cuda' | 'cuda-cpu';
export type Mode = 'strict' | 'balanced';

export interface CompileOptions {
  readonly target?: Target;
  readonly mode?: Mode;
  /** Pass names to skip (see PASS_NAMES). */
  readonly disablePasses?: readonly string[];
  /** Write NNN_<pass>.ir snapshots here. */
  readonly dumpDir?: string;
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Freeze graph inputs to compile-time values (e.g. a Reshape target shape fed as an input).
   * Inputs that decide shapes and are not bound make Volta.compile specialise on their run-time values.
   */
  readonly bindInputs?: Readonly<Record<string, TensorData | TensorLike>>;
  /** How many specialisations a session keeps loaded (least recently used evicted first); default 8. */
  readonly specializationCacheSize?: number;
  /** Artifact cache directory (default $VOLTA_CACHE_DIR or ./.volta-cache). */
  readonly cacheDir?: string;
  /** Also emit a profiled entry point that times each kernel (C backend; `volta run --profile`). */
  readonly profile?: boolean;
  /**
   * Debug build: no arena reuse, and canary bytes around every arena buffer, filled before and checked
   * after every run (C: by the runtime; CUDA targets: by the emitted host glue). A kernel writing past a
   * buffer fails the run with VOLTA_E_MEMORY_GUARD naming the buffer. Part of the fingerprint.
   */
  readonly memoryGuard?: boolean;
  /** Largest model file read from a path, in bytes (default 2 GiB, as protobuf). */
  readonly maxFileBytes?: number;
  /**
   * Instruction set of the C build: 'native' (default: the host's x86-64 level or aarch64 NEON),
   * 'portable' (baseline x86-64 / armv8-a), or an explicit level this host runs. Part of the fingerprint.
   */
  readonly isa?: 'native' | 'portable' | Isa;
  /**
   * Threads a session runs kernels on (default $VOLTA_THREADS, else the machine's cores). Work is split
   * over outputs, never a reduction, so the count never changes a bit and is not in the fingerprint.
   */
  readonly threads?: number;
  /**
   * Kernels whose estimated work (about one unit per multiply-add or element op) is below this run on
   * the calling thread (default MIN_PARALLEL_WORK); 0 sends every multi-task kernel to the pool.
   */
  readonly minParallelWork?: number;
}

/** Default of CompileOptions.minParallelWork: about two tasks' worth (see kernels/plan_kernel.ts). */
export const MIN_PARALLEL_WORK = 1 << 16;

const KNOWN_OPTIONS = [
  'bindInputs',
  'cacheDir',
  'disablePasses',
  'dumpDir',
  'inputShapes',
  'isa',
  'maxFileBytes',
  'memoryGuard',
  'minParallelWork',
  'mode',
  'profile',
  'specializationCacheSize',
  'target',
  'threads',
];

export interface ResolvedOptions {
  readonly target: Target;
  readonly mode: Mode;
  readonly disablePasses: readonly string[];
  readonly profile: boolean;
  readonly memoryGuard: boolean;
  /** Runtime only: not part of the fingerprint. */
  readonly specializationCacheSize?: number;
  readonly isa: Isa;
  readonly threads: number;
  readonly minParallelWork: number;
}

function resolveThreads(o: CompileOptions): number {
  const env = process.env.VOLTA_THREADS;
  const [value, where] =
    o.threads !== undefined ? [o.threads, 'threads'] : env !== undefined && env !== '' ? [Number(env), 'VOLTA_THREADS'] : [availableParallelism(), ''];
  if (!Number.isInteger(value) || value < 1 || value > 1024) {
    throw new VoltaError('VOLTA_E_BAD_OPTION', {
      found: `${where} ${JSON.stringify(where === 'VOLTA_THREADS' ? env : value)}`,
      expected: 'an integer from 1 to 1024',
    });
  }
  return value;
}

export function resolveOptions(o: CompileOptions = {}): ResolvedOptions {
  for (const k of Object.keys(o).sort()) {
    if (!KNOWN_OPTIONS.includes(k))
      throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `unknown option ${JSON.stringify(k)}`, expected: KNOWN_OPTIONS.join(', ') });
  }
  const target = o.target ?? 'c';
  const mode = o.mode ?? 'strict';
  if (target !== 'c' && target !== 'cuda' && target !== 'cuda-cpu')
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `target ${JSON.stringify(target)}`, expected: "'c', 'cuda' or 'cuda-cpu'" });
  if (mode !== 'strict' && mode !== 'balanced')
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `mode ${JSON.stringify(mode)}`, expected: "'strict' or 'balanced'" });
  const size = o.specializationCacheSize;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 1))
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `specializationCacheSize ${JSON.stringify(size)}`, expected: 'a positive integer' });
  const minParallelWork = o.minParallelWork ?? MIN_PARALLEL_WORK;
  if (typeof minParallelWork !== 'number' || !(minParallelWork >= 0))
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `minParallelWork ${JSON.stringify(minParallelWork)}`, expected: 'a number >= 0' });
  return {
    target,
    mode,
    disablePasses: [...(o.disablePasses ?? [])].sort(),
    profile: o.profile === true,
    memoryGuard: o.memoryGuard === true,
    ...(size !== undefined ? { specializationCacheSize: size } : {}),
    isa: resolveIsa(o.isa),
    threads: resolveThreads(o),
    minParallelWork,
  };
}

export interface Compiled {
  readonly graph: Graph;
  readonly snapshots: readonly PassSnapshot[];
  readonly schedule: Schedule;
  readonly memory: MemoryPlan;
  readonly fingerprint: string;
  readonly options: ResolvedOptions;
  readonly weights: Uint8Array;
  readonly notes: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
  source(backend: Backend): string;
}

function timed<T>(timings: Record<string, number>, stage: string, f: () => T): T {
  const t0 = performance.now();
  const r = f();
  timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0);
  return r;
}

/** Compiles ONNX bytes (or an already decoded model). */
export function compileModel(model: Uint8Array | OnnxModel, options: CompileOptions = {}, baseDir?: string): Compiled {
  const o = resolveOptions(options);
  const notes: string[] = [];
  const timings: Record<string, number> = {};
  const bindInputs = options.bindInputs && Object.fromEntries(Object.entries(options.bindInputs).map(([k, t]) => [k, toTensorData(t)]));
  const importOpts: ImportOptions = { baseDir, inputShapes: options.inputShapes, bindInputs, notes };
  const g = timed(timings, 'import', () => importDecoded(model instanceof Uint8Array ? decodeModel(model) : model, importOpts));
  // A shape for a name that is no input is a typo: refuse it rather than ignore it.
  const names = g.inputs.map((id) => g.value(id).name);
  const stray = Object.keys(options.inputShapes ?? {})
    .filter((n) => !names.includes(n))
    .sort();
  if (stray.length > 0) {
    throw new VoltaError('VOLTA_E_BAD_OPTION', {
      found: `inputShapes for ${stray.map((n) => JSON.stringify(n)).join(', ')}, which the model has no input of`,
      expected: names.map((n) => JSON.stringify(n)).join(', '),
    });
  }
  return compileGraphInner(g, options, o, notes, timings);
}

export function compileGraph(g: Graph, options: CompileOptions = {}): Compiled {
  return compileGraphInner(g, options, resolveOptions(options), [], {});
}

function compileGraphInner(g0: Graph, options: CompileOptions, o: ResolvedOptions, notes: string[], timings: Record<string, number>): Compiled {
  const { graph, snapshots } = timed(timings, 'passes', () => runPasses(g0, { disable: o.disablePasses, dump: options.dumpDir }));
  const schedule = timed(timings, 'schedule', () => scheduleGraph(graph, planTarget(o.isa)));
  const memory = timed(timings, 'memory', () => planMemory(graph, schedule, { guard: o.memoryGuard }));
  // The thread count is left out on purpose: it never changes a bit (see ResolvedOptions.threads).
  // profile joins the fingerprint only when on, so unprofiled fingerprints are what they were without it.
  const fpOptions = {
    target: o.target,
    mode: o.mode,
    disablePasses: o.disablePasses,
    isa: o.isa,
    ...(o.profile ? { profile: true } : {}),
    ...(o.memoryGuard ? { memoryGuard: true } : {}),
  };
  const fp = timed(timings, 'fingerprint', () => fingerprint(graph, schedule, memory, fpOptions));
  const sources = new Map<Backend, string>();
  return {
    graph,
    snapshots,
    schedule,
    memory,
    fingerprint: fp,
    options: o,
    weights: weightsBlob(graph, schedule, memory),
    notes,
    timings,
    source(backend) {
      let s = sources.get(backend);
      if (s === undefined) {
        s = timed(timings, `emit-${backend}`, () =>
          emitSource({ graph, schedule, memory, fingerprint: fp, profile: o.profile, vectorFloats: planTarget(o.isa).vectorFloats }, backend),
        );
        sources.set(backend, s);
      }
      return s;
    },
  };
}
