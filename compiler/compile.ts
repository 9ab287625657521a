// The compiler front to back, minus the native build: import or graph ->
// passes -> schedule -> memory plan -> fingerprint -> sources.

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

export type Target = 'c' | 'cuda';
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
  /** Largest model file read from a path, in bytes (default 2 GiB, as protobuf). */
  readonly maxFileBytes?: number;
}

const KNOWN_OPTIONS = [
  'bindInputs',
  'cacheDir',
  'disablePasses',
  'dumpDir',
  'inputShapes',
  'maxFileBytes',
  'mode',
  'profile',
  'specializationCacheSize',
  'target',
];

export interface ResolvedOptions {
  readonly target: Target;
  readonly mode: Mode;
  readonly disablePasses: readonly string[];
  readonly profile: boolean;
  /** Runtime only: not part of the fingerprint. */
  readonly specializationCacheSize?: number;
}

export function resolveOptions(o: CompileOptions = {}): ResolvedOptions {
  for (const k of Object.keys(o).sort()) {
    if (!KNOWN_OPTIONS.includes(k))
      throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `unknown option ${JSON.stringify(k)}`, expected: KNOWN_OPTIONS.join(', ') });
  }
  const target = o.target ?? 'c';
  const mode = o.mode ?? 'strict';
  if (target !== 'c' && target !== 'cuda') throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `target ${JSON.stringify(target)}`, expected: "'c' or 'cuda'" });
  if (mode !== 'strict' && mode !== 'balanced')
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `mode ${JSON.stringify(mode)}`, expected: "'strict' or 'balanced'" });
  const size = o.specializationCacheSize;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 1))
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `specializationCacheSize ${JSON.stringify(size)}`, expected: 'a positive integer' });
  return {
    target,
    mode,
    disablePasses: [...(o.disablePasses ?? [])].sort(),
    profile: o.profile === true,
    ...(size !== undefined ? { specializationCacheSize: size } : {}),
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
  const schedule = timed(timings, 'schedule', () => scheduleGraph(graph));
  const memory = timed(timings, 'memory', () => planMemory(graph, schedule));
  // profile joins the fingerprint only when on, so unprofiled fingerprints are what they were without it.
  const fpOptions = { target: o.target, mode: o.mode, disablePasses: o.disablePasses, ...(o.profile ? { profile: true } : {}) };
  const fp = timed(timings, 'fingerprint', () => fingerprint(graph, schedule, memory, fpOptions));
  const sources = new Map<Backend, string>();
  return {
    graph,
    snapshots,
    schedule,
    memory,
    fingerprint: fp,
    options: o,
    weights: weightsBlob(graph, memory),
    notes,
    timings,
    source(backend) {
      let s = sources.get(backend);
      if (s === undefined) {
        s = timed(timings, `emit-${backend}`, () => emitSource({ graph, schedule, memory, fingerprint: fp, profile: o.profile }, backend));
        sources.set(backend, s);
      }
      return s;
    },
  };
}
