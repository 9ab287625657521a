// Specialisation on first use. A model whose graph inputs decide shapes (a
// Reshape target, Slice bounds, Reduce axes fed as inputs) cannot be compiled
// before those values are known. A specialising session compiles one variant per
// distinct set of values at run(), with the values bound as constants (so they
// are part of the variant's IR and fingerprint), and keeps the most recently used
// variants loaded. This is exact, not a fallback: each variant computes the model
// for exactly those values, so strict mode allows it.
//
// Eviction is least-recently-used by call order (a Map kept in use order), so
// the same sequence of runs evicts the same variants.
import { createHash } from 'node:crypto';
import { DTYPES, type DType } from '../compiler/ir/dtype.ts';
import { VoltaError } from '../compiler/ir/errors.ts';
import { numel, shapeStr } from '../compiler/ir/shape.ts';
import { type TensorData, toNumbers } from '../compiler/ir/tensor.ts';
import type { Feeds, LoadedModel, Specialization, SpecializationReport } from './loaded.ts';

export const DEFAULT_SPECIALIZATION_CACHE_SIZE = 8;
const HISTORY = 256;

export interface ShapeInputInfo {
  readonly name: string;
  readonly dtype: DType;
  /** Declared dims; strings and null are symbolic (any size). */
  readonly dims: readonly (number | string | null)[] | undefined;
}

interface Entry {
  readonly loaded: Promise<LoadedModel>;
  model?: LoadedModel;
  readonly record: { -readonly [K in keyof Specialization]: Specialization[K] };
}

export class Specializer {
  private readonly live = new Map<string, Entry>();
  private readonly history: Entry['record'][] = [];
  private evictions = 0;
  last: LoadedModel | undefined;

  constructor(
    readonly inputs: readonly ShapeInputInfo[],
    readonly cacheSize: number,
    /** Compiles, builds and loads the model with these inputs bound. */
    private readonly make: (bind: Readonly<Record<string, TensorData>>) => Promise<LoadedModel>,
  ) {}

  /** The shape-deciding feeds as tensor data (checked against the declared types), and their cache key. */
  private values(feeds: Feeds): { key: string; bind: Record<string, TensorData> } {
    const bind: Record<string, TensorData> = {};
    const h = createHash('sha256');
    for (const s of this.inputs) {
      const t = feeds[s.name];
      const ok =
        t.type === s.dtype && (s.dims === undefined || (s.dims.length === t.dims.length && s.dims.every((d, i) => typeof d !== 'number' || d === t.dims[i])));
      if (!ok) {
        const want = s.dims === undefined ? '' : `[${s.dims.map((d) => (typeof d === 'number' ? d : '?')).join(',')}]`;
        throw new VoltaError('VOLTA_E_BAD_INPUT', { found: `input ${JSON.stringify(s.name)} is ${t.type}${shapeStr(t.dims)}`, expected: `${s.dtype}${want}` });
      }
      const want = DTYPES[s.dtype].make(0).constructor;
      if (t.data.constructor !== want || (t.data as unknown as { length: number }).length !== numel(t.dims)) {
        throw new VoltaError('VOLTA_E_BAD_INPUT', {
          found: `input ${JSON.stringify(s.name)} data is ${t.data.constructor.name}[${(t.data as unknown as { length: number }).length}]`,
          expected: `${want.name}[${numel(t.dims)}]`,
        });
      }
      // A copy: the values become constants of the variant, the caller may reuse its buffer.
      const data = (t.data as unknown as { slice(): TensorData['data'] }).slice();
      bind[s.name] = { dtype: s.dtype, shape: [...t.dims], data };
      h.update(`${s.name}\0${s.dtype}\0${t.dims.join(',')}\0`);
      h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    return { key: h.digest('hex'), bind };
  }

  /** The variant for these feeds' values, compiling it on first use. */
  async variant(feeds: Feeds): Promise<LoadedModel> {
    const { key, bind } = this.values(feeds);
    const hit = this.use(key);
    if (hit !== undefined) return hit;
    const pending = this.live.get(key);
    if (pending !== undefined) {
      const m = await pending.loaded; // the same new values are being compiled by an earlier run()
      return this.use(key) ?? m;
    }
    const t0 = performance.now();
    const record: Entry['record'] = {
      values: Object.fromEntries(Object.entries(bind).map(([n, t]) => [n, toNumbers(t)])),
      fingerprint: '',
      cacheHit: false,
      runs: 0,
      evicted: false,
      compileMs: 0,
    };
    const e: Entry = {
      record,
      loaded: this.make(bind).then((m) => {
        const r = m.report();
        record.fingerprint = r.fingerprint;
        record.cacheHit = r.cacheHit;
        record.compileMs = performance.now() - t0;
        e.model = m;
        return m;
      }),
    };
    // Concurrent runs with the same new values share this compile.
    this.live.set(key, e);
    try {
      await e.loaded;
    } catch (err) {
      this.live.delete(key); // a failed compile is not cached: the error comes back each time
      throw err;
    }
    this.history.push(record);
    if (this.history.length > HISTORY) this.history.shift();
    while (this.live.size > this.cacheSize) {
      const [oldest, victim] = this.live.entries().next().value as [string, Entry];
      this.live.delete(oldest);
      victim.record.evicted = true;
      this.evictions++;
    }
    return this.use(key) ?? (await e.loaded);
  }

  /** The loaded variant for these values, or undefined when there is none yet (runSync cannot compile). */
  loadedFor(feeds: Feeds): LoadedModel | undefined {
    return this.use(this.values(feeds).key);
  }

  /** Marks a loaded variant used (most recent last in the map) and returns it. */
  private use(key: string): LoadedModel | undefined {
    const e = this.live.get(key);
    if (e?.model === undefined) return undefined;
    this.live.delete(key);
    this.live.set(key, e);
    e.record.runs++;
    this.last = e.model;
    return e.model;
  }

  report(): SpecializationReport {
    return {
      inputs: this.inputs.map((s) => s.name),
      cacheSize: this.cacheSize,
      variants: this.history.map((r) => ({ ...r, values: { ...r.values } })),
      evictions: this.evictions,
    };
  }
}
