// Calling a compiled addon: load it (checking its fingerprint), validate feeds against the
// model's declared inputs, allocate outputs, run. Shared by Session (compiled in this
// process) and loadPrebuilt (an addon written by `volta build`), so the addon's calling
// convention lives in one place.
import { createRequire } from 'node:module';
import { type AnyTypedArray, DTYPES, type DType } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { numel, sameShape, shapeStr } from '../compiler/ir/shape.ts';
import { CANARY } from '../compiler/schedule/memory_plan.ts';
import { Tensor } from './tensor.ts';

export interface Addon {
  run(inputs: ArrayBufferView[], outputs: ArrayBufferView[], weights: Uint8Array, arena: Uint8Array, pool?: unknown): void;
  /** Only in addons compiled with the profile option. */
  runProfiled?(
    inputs: ArrayBufferView[],
    outputs: ArrayBufferView[],
    weights: Uint8Array,
    arena: Uint8Array,
    pool?: unknown,
  ): { kernels: string[]; ns: number[] };
  /** C backend only: a thread pool (freed when this model is collected). */
  createPool?(threads: number, minParallelWork: number): unknown;
  /** Persistent native state (templates/addon/addon.cc.hbs, class State). */
  State: new (
    slots: number,
  ) => AddonState;
  fingerprint: string;
  backend: string;
}

interface AddonState {
  step(inputs: ArrayBufferView[], outputs: ArrayBufferView[], weights: Uint8Array, arena: Uint8Array, pool?: unknown): void;
  load(bytes: Uint8Array): void;
  save(): ArrayBuffer;
  readonly bytes: number;
  readonly steps: number;
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

/** A model input or output as the addon sees it. */
export interface IoSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** What running an addon needs besides the addon: its io, constants and scratch size. */
export interface AddonModel {
  readonly fingerprint: string;
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  readonly weights: Uint8Array;
  readonly arenaBytes: number;
  /** The scheduled kernels, in order (named by errors of a failed launch). */
  readonly kernels?: readonly KernelInfo[];
  /** memoryGuard builds: canary ranges of the arena with what each guards (errors name them by index). */
  readonly guards?: readonly { readonly offset: number; readonly bytes: number; readonly text: string }[];
  /** The C backend's arena is this process's memory: the runner fills and checks the guards around every call. */
  readonly checkGuards?: boolean;
}

export type Feed = Tensor | { type: string; data: ArrayBufferView; dims: readonly number[] };

/** Per-kernel time of one profiled run, in schedule order. */
export interface KernelTime {
  readonly kernel: string;
  readonly ns: number;
}

export function loadAddon(path: string, fingerprint: string): Addon {
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (e) {
    throw new VoltaError('VOLTA_E_ADDON', { found: `cannot load ${path}: ${(e as Error).message}`, hint: 'delete the cache directory and compile again' });
  }
  if (addon.fingerprint !== fingerprint) {
    throw new VoltaError('VOLTA_E_ADDON', {
      found: `addon ${path} has fingerprint ${addon.fingerprint}`,
      expected: fingerprint,
      hint: 'the addon does not belong to this model: rebuild it (delete the cache, or run volta build again)',
    });
  }
  return addon;
}

export class AddonRunner {
  private readonly arena: Uint8Array;
  private readonly pool: unknown;

  /** threads: a pool of that many threads, created once here and reused by every run (C backend). */
  constructor(
    private readonly addon: Addon,
    private readonly model: AddonModel,
    threads?: { threads: number; minParallelWork: number },
  ) {
    try {
      this.arena = new Uint8Array(Math.max(model.arenaBytes, 1));
    } catch (e) {
      throw new VoltaError('VOLTA_E_SHAPE_TOO_LARGE', {
        found: `the scratch arena needs ${model.arenaBytes} bytes and could not be allocated (${(e as Error).message})`,
        hint: 'use smaller shapes or a machine with more memory',
      });
    }
    this.pool = threads === undefined ? undefined : this.addon.createPool?.(threads.threads, threads.minParallelWork);
  }

  get profiled(): boolean {
    return typeof this.addon.runProfiled === 'function';
  }

  run(feeds: Readonly<Record<string, Feed>>): Record<string, Tensor> {
    const [inputs, outs] = this.bind(feeds);
    this.call(() =>
      this.addon.run(
        inputs,
        outs.map((t) => t.data),
        this.model.weights,
        this.arena,
        this.pool,
      ),
    );
    return this.named(outs);
  }

  runProfiled(feeds: Readonly<Record<string, Feed>>): { outputs: Record<string, Tensor>; kernels: KernelTime[] } {
    const f = this.addon.runProfiled;
    if (f === undefined)
      throw new VoltaError('VOLTA_E_BAD_OPTION', { found: 'this addon was compiled without profiling', hint: 'compile with { profile: true }' });
    const [inputs, outs] = this.bind(feeds);
    const r = this.call(() =>
      f.call(
        this.addon,
        inputs,
        outs.map((t) => t.data),
        this.model.weights,
        this.arena,
        this.pool,
      ),
    );
    return { outputs: this.named(outs), kernels: r.kernels.map((kernel, i) => ({ kernel, ns: r.ns[i] })) };
  }

  /** Persistent native state over the last `slots` inputs and outputs (training: parameters and optimizer state). */
  createState(slots: number): NativeState {
    const st = this.call(() => new this.addon.State(slots));
    const { weights } = this.model;
    const { arena, pool } = this;
    const call = <T>(f: () => T): T => this.call(f);
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

  private call<T>(f: () => T): T {
    const guards = this.model.checkGuards ? (this.model.guards ?? []) : [];
    for (const g of guards) this.arena.fill(CANARY, g.offset, g.offset + g.bytes);
    let r: T;
    try {
      r = f();
    } catch (e) {
      throw addonError((e as Error).message, this.model);
    }
    for (const [i, g] of guards.entries()) {
      const at = this.arena.subarray(g.offset, g.offset + g.bytes).findIndex((b) => b !== CANARY);
      if (at >= 0) throw addonError(`memory guard: arena byte ${g.offset + at} (guard ${i})`, this.model);
    }
    return r;
  }

  private named(outs: Tensor[]): Record<string, Tensor> {
    const result: Record<string, Tensor> = {};
    this.model.outputs.forEach((o, i) => {
      result[o.name] = outs[i];
    });
    return result;
  }

  private bind(feeds: Readonly<Record<string, Feed>>): [AnyTypedArray[], Tensor[]] {
    const names = this.model.inputs.map((v) => v.name);
    const unknown = Object.keys(feeds)
      .filter((k) => !names.includes(k))
      .sort();
    const missing = names.filter((k) => !(k in feeds));
    if (unknown.length || missing.length) {
      throw new VoltaError('VOLTA_E_BAD_INPUT', {
        found: [
          unknown.length ? `unknown inputs ${unknown.map((s) => JSON.stringify(s)).join(', ')}` : '',
          missing.length ? `missing inputs ${missing.map((s) => JSON.stringify(s)).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
        expected: names.map((s) => JSON.stringify(s)).join(', '),
      });
    }
    const inputs = this.model.inputs.map((v) => {
      const t = feeds[v.name];
      if (t.type !== v.dtype) throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input ${JSON.stringify(v.name)} has type ${t.type}`, expected: v.dtype });
      if (!sameShape(t.dims, v.shape))
        throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input ${JSON.stringify(v.name)} has dims ${shapeStr(t.dims)}`, expected: shapeStr(v.shape) });
      return checkData(v, t.data);
    });
    const outs = this.model.outputs.map((v) => new Tensor(v.dtype, DTYPES[v.dtype].make(numel(v.shape)), v.shape));
    return [inputs, outs];
  }
}

/** A scheduled kernel as errors name it: its ops and the nodes it fuses (schedule order). */
export interface KernelInfo {
  readonly ops: readonly string[];
  readonly nodes: readonly string[];
}

/**
 * The typed error for a failed addon call. The CUDA glue (templates/cuda/model.hbs) reports
 * "CUDA run failed: <what>: <cudaError name> (<cudaError string>)", where a launch's <what> is
 * "launch <kernel> (kernel <schedule index>)", looked up in `kernels`: a failed CUDA call becomes VOLTA_E_CUDA naming the kernel,
 * its nodes and the CUDA error; a barrier that not all threads reached (target cuda-cpu), VOLTA_E_DIVERGENT_BARRIER;
 * "memory guard: arena byte <n> (guard <i>)" (memoryGuard builds), VOLTA_E_MEMORY_GUARD naming the buffer.
 */
export function addonError(message: string, model: Pick<AddonModel, 'kernels' | 'guards'> = {}): VoltaError {
  const kernels = model.kernels ?? [];
  const guard = /memory guard: arena byte (\d+) \(guard (\d+)\)/.exec(message);
  if (guard !== null) {
    const g = model.guards?.[Number(guard[2])];
    return new VoltaError('VOLTA_E_MEMORY_GUARD', {
      found: `arena byte ${guard[1]} ${g?.text ?? `(guard ${guard[2]})`}`,
      byte: Number(guard[1]),
      hint: 'a kernel wrote outside its buffer: this is a bug in Volta; report it with the model and compile options',
    });
  }
  const m = /CUDA (?:init|run) failed: (.*): (cuda[A-Za-z]+) \((.*)\)$/s.exec(message);
  if (m === null) return new VoltaError('VOLTA_E_ADDON', { found: message });
  const [, what, cudaError, cudaMessage] = m;
  const launch = /^launch (\S+) \(kernel (\d+)\)$/.exec(what);
  const k = launch ? kernels[Number(launch[2])] : undefined;
  const ops = k ? k.ops.join(' -> ') : 'ops unknown';
  const nodes = k?.nodes;
  const details = {
    ...(launch ? { kernel: launch[1], ops, nodes } : { call: what }),
    cudaError,
    found: launch
      ? `kernel ${launch[1]} (${ops}; nodes ${JSON.stringify(nodes ?? [])}): ${cudaError}: ${cudaMessage}`
      : `${what}: ${cudaError}: ${cudaMessage}`,
  };
  if (cudaMessage.startsWith('divergent barrier')) {
    return new VoltaError('VOLTA_E_DIVERGENT_BARRIER', {
      ...details,
      hint: 'every thread of a block must reach each __syncthreads (and every lane of a warp each __syncwarp or shuffle); this is a bug in the kernel',
    });
  }
  return new VoltaError('VOLTA_E_CUDA', details);
}

/** The feed's data if it is the input's typed array with the input's element count. */
export function checkData(v: IoSpec, data: unknown): AnyTypedArray {
  const want = DTYPES[v.dtype].make(0).constructor;
  const got = data as { constructor?: { name?: string }; length?: number } | null | undefined;
  if (got?.constructor !== want || got.length !== numel(v.shape)) {
    const what = ArrayBuffer.isView(data) ? `${got?.constructor?.name}[${got?.length}]` : data === null ? 'null' : typeof data;
    throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input ${JSON.stringify(v.name)} data is ${what}`, expected: `${want.name}[${numel(v.shape)}]` });
  }
  return data as AnyTypedArray;
}
