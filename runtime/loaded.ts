// One compiled model, built and loaded: its addon, arena and report. A Session
// (session.ts) runs one of these, or one per specialisation of a model whose
// inputs decide shapes (specialize.ts).
import { availableParallelism } from 'node:os';
import type { BuildBackend, BuildResult } from '../compiler/build/build.ts';
import type { Compiled, Target } from '../compiler/compile.ts';
import { guardText } from '../compiler/schedule/memory_plan.ts';
import { AddonRunner, type Feed, type IoSpec, type KernelTime, loadAddon, type NativeState } from './addon.ts';
import type { Tensor } from './tensor.ts';

export type { Feed, NativeState } from './addon.ts';

export interface Fallback {
  readonly from: 'cuda';
  readonly to: 'c';
  readonly reason: string;
}

/** What session.report() says; specialisation is set for sessions that specialise by input values. */
export interface SessionReport {
  /** The compiled model's fingerprint (for a specialising session: of the variant that ran last, '' before any run). */
  readonly fingerprint: string;
  readonly requestedTarget: Target;
  /** What runs: c, cuda (a GPU) or cuda-cpu (the CUDA source on the CPU, templates/cuda_cpu/cuda_cpu.h). */
  readonly backend: BuildBackend;
  readonly mode: 'strict' | 'balanced';
  /** Instruction set the C code was built for (part of the fingerprint). */
  readonly isa: string;
  /** Threads the kernels run on (C: the pool; cuda-cpu: its block workers; cuda: 1); never part of the fingerprint. */
  readonly threads: number;
  readonly fallback?: Fallback;
  readonly cacheHit: boolean;
  readonly addonPath: string;
  /** Milliseconds per stage: compiler stages, then build stages (on a cache miss). */
  readonly timings: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  readonly kernels: readonly string[];
  readonly specialization?: SpecializationReport;
}

/** A specialising session's variants (see runtime/specialize.ts). */
export interface SpecializationReport {
  /** The graph inputs whose values decide shapes, which each variant is compiled for. */
  readonly inputs: readonly string[];
  /** At most this many variants stay loaded (option specializationCacheSize). */
  readonly cacheSize: number;
  /** Every specialisation made, oldest first (the latest 256), evicted ones flagged. */
  readonly variants: readonly Specialization[];
  readonly evictions: number;
}

export interface Specialization {
  /** The values this variant is compiled for, by input name (int64 as numbers). */
  readonly values: Readonly<Record<string, readonly number[]>>;
  readonly fingerprint: string;
  /** The addon came from the build cache (an earlier process, or a variant evicted and made again). */
  readonly cacheHit: boolean;
  readonly runs: number;
  readonly evicted: boolean;
  /** Milliseconds to compile, build and load it. */
  readonly compileMs: number;
}

/** Block workers of the cuda-cpu runtime: $VOLTA_CPU_WORKERS, else one per core (as templates/cuda_cpu/cuda_cpu.h picks). */
function cudaCpuWorkers(): number {
  const n = Number.parseInt(process.env.VOLTA_CPU_WORKERS ?? '', 10);
  return n > 0 ? n : availableParallelism();
}

export type Feeds = Readonly<Record<string, Feed>>;

export class LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly fingerprint: string;
  /** Inputs and outputs with their dtypes and static shapes, in the model's order. */
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  private readonly runner: AddonRunner;
  private readonly rep: SessionReport;

  constructor(
    readonly compiled: Compiled,
    build: BuildResult,
    backend: BuildBackend,
    fallback: Fallback | undefined,
    extraTimings: Record<string, number>,
  ) {
    const g = compiled.graph;
    this.inputNames = g.inputs.map((id) => g.value(id).name);
    this.outputNames = g.outputs.map((id) => g.value(id).name);
    this.fingerprint = compiled.fingerprint;
    const io = (ids: readonly string[]): IoSpec[] => ids.map((id) => ({ name: g.value(id).name, dtype: g.value(id).dtype, shape: g.value(id).shape }));
    this.inputs = io(g.inputs);
    this.outputs = io(g.outputs);
    const model = {
      fingerprint: compiled.fingerprint,
      inputs: this.inputs,
      outputs: this.outputs,
      weights: compiled.weights,
      arenaBytes: compiled.memory.arenaBytes,
      kernels: compiled.schedule.kernels.map((k) => ({ ops: k.plan.ops, nodes: k.plan.nodes })),
      ...(compiled.memory.guards
        ? {
            guards: compiled.memory.guards.map((gd) => ({ offset: gd.offset, bytes: gd.bytes, text: guardText(gd, (id) => g.values.get(id)?.name ?? id) })),
            checkGuards: backend === 'c',
          }
        : {}),
    };
    // One pool per loaded model, created here and reused by every run (no threads are started per run).
    const threads = backend === 'c' ? compiled.options.threads : backend === 'cuda-cpu' ? cudaCpuWorkers() : 1;
    this.runner = new AddonRunner(loadAddon(build.addonPath, compiled.fingerprint), model, { threads, minParallelWork: compiled.options.minParallelWork });
    this.rep = {
      fingerprint: compiled.fingerprint,
      requestedTarget: compiled.options.target,
      backend,
      mode: compiled.options.mode,
      isa: compiled.options.isa,
      threads,
      fallback,
      cacheHit: build.cacheHit,
      addonPath: build.addonPath,
      timings: { ...compiled.timings, ...extraTimings, ...Object.fromEntries(Object.entries(build.timings).map(([k, v]) => [`build-${k}`, v])) },
      notes: compiled.notes,
      kernels: compiled.schedule.kernels.map((k) => k.plan.ops.join('+')),
    };
  }

  report(): SessionReport {
    return this.rep;
  }

  /** Persistent native state over the last `slots` inputs and outputs (training: parameters and optimizer state). */
  createState(slots: number): NativeState {
    return this.runner.createState(slots);
  }

  runSync(feeds: Feeds): Record<string, Tensor> {
    return this.runner.run(feeds);
  }

  /** One run with each kernel's time; needs a model compiled with { profile: true } (C backend). */
  runProfiled(feeds: Feeds): { outputs: Record<string, Tensor>; kernels: KernelTime[] } {
    return this.runner.runProfiled(feeds);
  }
}
