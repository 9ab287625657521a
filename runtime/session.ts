// A compiled, loaded model. run() takes feeds by input name and returns fetches
// by output name, like onnxruntime-node's InferenceSession.
import type { BuildResult } from '../compiler/build/build.ts';
import type { Compiled } from '../compiler/compile.ts';
import { AddonRunner, type Feed, type IoSpec, type KernelTime, loadAddon } from './addon.ts';
import type { Tensor } from './tensor.ts';

export interface Fallback {
  readonly from: 'cuda';
  readonly to: 'c';
  readonly reason: string;
}

export interface SessionReport {
  readonly fingerprint: string;
  readonly requestedTarget: 'c' | 'cuda';
  readonly backend: 'c' | 'cuda';
  readonly mode: 'strict' | 'balanced';
  readonly fallback?: Fallback;
  readonly cacheHit: boolean;
  readonly addonPath: string;
  /** Milliseconds per stage: compiler stages, then build stages (on a cache miss). */
  readonly timings: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  readonly kernels: readonly string[];
}

export class Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly fingerprint: string;
  /** Inputs and outputs with their dtypes and (static) shapes, in the model's order. */
  readonly inputs: readonly IoSpec[];
  readonly outputs: readonly IoSpec[];
  private readonly runner: AddonRunner;
  private readonly rep: SessionReport;

  constructor(compiled: Compiled, build: BuildResult, backend: 'c' | 'cuda', fallback: Fallback | undefined, extraTimings: Record<string, number>) {
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
    };
    this.runner = new AddonRunner(loadAddon(build.addonPath, compiled.fingerprint), model);
    this.rep = {
      fingerprint: compiled.fingerprint,
      requestedTarget: compiled.options.target,
      backend,
      mode: compiled.options.mode,
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

  async run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, Tensor>> {
    return this.runSync(feeds);
  }

  runSync(feeds: Readonly<Record<string, Feed>>): Record<string, Tensor> {
    return this.runner.run(feeds);
  }

  /** One run with each kernel's time; needs a session compiled with { profile: true } (C backend). */
  runProfiled(feeds: Readonly<Record<string, Feed>>): { outputs: Record<string, Tensor>; kernels: KernelTime[] } {
    return this.runner.runProfiled(feeds);
  }
}
