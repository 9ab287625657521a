// A compiled model ready to run. run() takes feeds by input name and returns
// fetches by output name, like onnxruntime-node's InferenceSession. A session
// runs one loaded model (loaded.ts), or, for a model whose inputs decide shapes,
// one variant per set of their values (specialize.ts).
import { VoltaError } from '../compiler/ir/errors.ts';
import type { IoSpec, KernelTime } from './addon.ts';
import type { Feeds, LoadedModel, SessionReport } from './loaded.ts';
import type { Specializer } from './specialize.ts';
import type { Tensor } from './tensor.ts';

export type { Fallback, Feed, Feeds, SessionReport, Specialization, SpecializationReport } from './loaded.ts';

export class Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly fixed?: LoadedModel;
  private readonly spec?: Specializer;
  private readonly base?: Omit<SessionReport, 'specialization'>;

  /** A session over one loaded model, or a specialising one (with the report fields it has before any run). */
  constructor(
    model:
      | LoadedModel
      | { specializer: Specializer; inputNames: readonly string[]; outputNames: readonly string[]; report: Omit<SessionReport, 'specialization'> },
  ) {
    if ('specializer' in model) {
      this.spec = model.specializer;
      this.inputNames = model.inputNames;
      this.outputNames = model.outputNames;
      this.base = model.report;
    } else {
      this.fixed = model;
      this.inputNames = model.inputNames;
      this.outputNames = model.outputNames;
    }
  }

  /** The fingerprint of what runs (for a specialising session, the variant run last; '' before any run). */
  get fingerprint(): string {
    return this.report().fingerprint;
  }

  report(): SessionReport {
    if (this.spec === undefined) return this.fixed!.report();
    const current = this.spec.last?.report() ?? this.base!;
    return { ...current, specialization: this.spec.report() };
  }

  async run(feeds: Feeds): Promise<Record<string, Tensor>> {
    if (this.spec === undefined) return this.fixed!.runSync(feeds);
    this.checkNames(feeds);
    const m = await this.spec.variant(feeds);
    return m.runSync(this.rest(feeds, m));
  }

  /** Inputs with dtypes and compiled shapes; undefined for a specialising session (shapes depend on values). */
  get inputs(): readonly IoSpec[] | undefined {
    return this.fixed?.inputs;
  }

  get outputs(): readonly IoSpec[] | undefined {
    return this.fixed?.outputs;
  }

  /** One run with each kernel's time; needs a session compiled with { profile: true } (C backend). */
  runProfiled(feeds: Feeds): { outputs: Record<string, Tensor>; kernels: KernelTime[] } {
    if (this.spec !== undefined) {
      const m = this.spec.loadedFor(feeds);
      if (m === undefined)
        throw new VoltaError('VOLTA_E_BAD_INPUT', { found: 'no variant is compiled for these values', hint: 'call await session.run() with them first' });
      return m.runProfiled(this.rest(feeds, m));
    }
    return this.fixed!.runProfiled(feeds);
  }

  /** Runs synchronously; a specialising session must have seen these values in an earlier run(). */
  runSync(feeds: Feeds): Record<string, Tensor> {
    if (this.spec === undefined) return this.fixed!.runSync(feeds);
    this.checkNames(feeds);
    const m = this.spec.loadedFor(feeds);
    if (m === undefined) {
      throw new VoltaError('VOLTA_E_BAD_INPUT', {
        found: `no variant is compiled for these values of ${this.spec.inputs.map((s) => JSON.stringify(s.name)).join(', ')}`,
        hint: 'call await session.run() with them first: it compiles the variant (runSync cannot wait for a build)',
      });
    }
    return m.runSync(this.rest(feeds, m));
  }

  private checkNames(feeds: Feeds): void {
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
  }

  /** The feeds a variant takes: its shape-deciding inputs are constants in it. */
  private rest(feeds: Feeds, m: LoadedModel): Feeds {
    return Object.fromEntries(m.inputNames.map((n) => [n, feeds[n]]));
  }
}
