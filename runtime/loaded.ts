// One compiled model, built and loaded: its addon, arena and report. A Session
// (session.ts) runs one of these, or one per specialisation of a model whose
// inputs decide shapes (specialize.ts).
import { createRequire } from 'node:module';
import type { BuildResult } from '../compiler/build/build.ts';
import type { Compiled } from '../compiler/compile.ts';
import { DTYPES } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { numel, sameShape, shapeStr } from '../compiler/ir/shape.ts';
import { Tensor } from './tensor.ts';

interface AddonState {
  step(inputs: ArrayBufferView[], outputs: ArrayBufferView[], weights: Uint8Array, arena: Uint8Array, pool?: unknown): void;
  load(bytes: Uint8Array): void;
  save(): ArrayBuffer;
  readonly bytes: number;
  readonly steps: number;
}

interface Addon {
  run(inputs: ArrayBufferView[], outputs: ArrayBufferView[], weights: Uint8Array, arena: Uint8Array, pool?: unknown): void;
  /** C backend only: a thread pool (freed when this model is collected). */
  createPool?(threads: number, minParallelWork: number): unknown;
  State: new (slots: number) => AddonState;
  fingerprint: string;
  backend: string;
}

/**
 * Native state over a model's last `slots` inputs and outputs (templates/addon/addon.cc.hbs,
 * class State): step() runs the model with the other inputs and outputs, reading the state
 * and writing its next value in native memory.
 */
export interface NativeState {
  /** Bytes of one bank: slot i at a 64-byte aligned offset, in slot order. */
  readonly bytes: number;
  /** Completed steps since the state was created. */
  readonly steps: number;
  step(inputs: readonly ArrayBufferView[], outputs: readonly ArrayBufferView[]): void;
  load(bytes: Uint8Array): void;
  save(): Uint8Array;
}

export interface Fallback {
  readonly from: 'cuda';
  readonly to: 'c';
  readonly reason: string;
}

/** What session.report() says; specialisation is set for sessions that specialise by input values. */
export interface SessionReport {
  /** The compiled model's fingerprint (for a specialising session: of the variant that ran last, '' before any run). */
  readonly fingerprint: string;
  readonly requestedTarget: 'c' | 'cuda';
  readonly backend: 'c' | 'cuda';
  readonly mode: 'strict' | 'balanced';
  /** Instruction set the C code was built for (part of the fingerprint). */
  readonly isa: string;
  /** Threads the C kernels run on (1 on the CUDA backend); never part of the fingerprint. */
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

/** A run input: a Tensor or anything shaped like one (onnxruntime's tensors too). */
export type Feed = Tensor | { type: string; data: ArrayBufferView; dims: readonly number[] };
export type Feeds = Readonly<Record<string, Feed>>;

export class LoadedModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly fingerprint: string;
  private readonly addon: Addon;
  private readonly arena: Uint8Array;
  private readonly pool: unknown;
  private readonly rep: SessionReport;

  constructor(
    readonly compiled: Compiled,
    build: BuildResult,
    backend: 'c' | 'cuda',
    fallback: Fallback | undefined,
    extraTimings: Record<string, number>,
  ) {
    const g = compiled.graph;
    this.inputNames = g.inputs.map((id) => g.value(id).name);
    this.outputNames = g.outputs.map((id) => g.value(id).name);
    this.fingerprint = compiled.fingerprint;
    try {
      this.addon = createRequire(import.meta.url)(build.addonPath) as Addon;
    } catch (e) {
      throw new VoltaError('VOLTA_E_ADDON', {
        found: `cannot load ${build.addonPath}: ${(e as Error).message}`,
        hint: 'delete the cache directory and compile again',
      });
    }
    if (this.addon.fingerprint !== compiled.fingerprint) {
      throw new VoltaError('VOLTA_E_ADDON', {
        found: `addon ${build.addonPath} has fingerprint ${this.addon.fingerprint}`,
        expected: compiled.fingerprint,
        hint: 'the cache is corrupt; delete it',
      });
    }
    try {
      this.arena = new Uint8Array(Math.max(compiled.memory.arenaBytes, 1));
    } catch (e) {
      throw new VoltaError('VOLTA_E_SHAPE_TOO_LARGE', {
        found: `the scratch arena needs ${compiled.memory.arenaBytes} bytes and could not be allocated (${(e as Error).message})`,
        hint: 'use smaller shapes or a machine with more memory',
      });
    }
    // One pool per loaded model, created here and reused by every run (no threads are started per run).
    const threads = backend === 'c' ? compiled.options.threads : 1;
    this.pool = this.addon.createPool?.(threads, compiled.options.minParallelWork);
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
    const call = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        throw new VoltaError('VOLTA_E_ADDON', { found: (e as Error).message });
      }
    };
    const st = call(() => new this.addon.State(slots));
    const { weights } = this.compiled;
    const { arena, pool } = this;
    return {
      get bytes() {
        return st.bytes;
      },
      get steps() {
        return st.steps;
      },
      step: (inputs, outputs) => call(() => st.step([...inputs], [...outputs], weights, arena, pool)),
      load: (bytes) => call(() => st.load(bytes)),
      save: () => new Uint8Array(call(() => st.save())),
    };
  }

  runSync(feeds: Feeds): Record<string, Tensor> {
    const g = this.compiled.graph;
    const unknown = Object.keys(feeds)
      .filter((k) => !this.inputNames.includes(k))
      .sort();
    const missing = this.inputNames.filter((k) => !(k in feeds));
    if (unknown.length || missing.length) {
      throw new VoltaError('VOLTA_E_BAD_INPUT', {
        found: [
          unknown.length ? `unknown inputs ${unknown.map((s) => JSON.stringify(s)).join(', ')}` : '',
          missing.length ? `missing inputs ${missing.map((s) => JSON.stringify(s)).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        expected: this.inputNames.map((s) => JSON.stringify(s)).join(', '),
      });
    }
    const inputs = g.inputs.map((id) => {
      const v = g.value(id);
      const t = feeds[v.name];
      if (t.type !== v.dtype) throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input ${JSON.stringify(v.name)} has type ${t.type}`, expected: v.dtype });
      if (!sameShape(t.dims, v.shape))
        throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input ${JSON.stringify(v.name)} has dims ${shapeStr(t.dims)}`, expected: shapeStr(v.shape) });
      const want = DTYPES[v.dtype].make(0).constructor;
      if (t.data.constructor !== want || (t.data as unknown as { length: number }).length !== numel(v.shape)) {
        throw new VoltaError('VOLTA_E_BAD_INPUT', {
          found: `input ${JSON.stringify(v.name)} data is ${t.data.constructor.name}[${(t.data as unknown as { length: number }).length}]`,
          expected: `${want.name}[${numel(v.shape)}]`,
        });
      }
      return t.data;
    });
    const outs = g.outputs.map((id) => {
      const v = g.value(id);
      return new Tensor(v.dtype, DTYPES[v.dtype].make(numel(v.shape)), v.shape);
    });
    try {
      this.addon.run(
        inputs,
        outs.map((t) => t.data),
        this.compiled.weights,
        this.arena,
        this.pool,
      );
    } catch (e) {
      throw new VoltaError('VOLTA_E_ADDON', { found: (e as Error).message });
    }
    const result: Record<string, Tensor> = {};
    this.outputNames.forEach((n, i) => {
      result[n] = outs[i];
    });
    return result;
  }
}
