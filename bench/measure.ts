// Times one model in Volta and onnxruntime-node in this process: same inputs,
// same thread count, checked against each other first, then measured with
// tinybench in interleaved rounds (Volta, ORT, ORT, Volta, ...; each task warmed
// up at the start of its round), so load from other processes hits both alike.
// The ratio is the median over rounds of the per-round ratio of medians.
import ort from 'onnxruntime-node';
import { Bench } from 'tinybench';
import { type CompileOptions, resolveOptions } from '../compiler/compile.ts';
import { isVoltaError } from '../compiler/ir/errors.ts';
import { type Session, Tensor, Volta } from '../runtime/index.ts';
import type { BenchModel } from './models.ts';

export interface MeasureOptions {
  /** tinybench time budget per task and round, in ms (at least one iteration runs). */
  readonly timeMs: number;
  readonly rounds: number;
  readonly cacheDir: string;
}

export interface Row {
  readonly key: string;
  readonly family: string;
  readonly batch: number;
  readonly threads: number;
  /** Threads Volta ran with: the requested count, or 1 when this Volta has no `threads` option. */
  readonly voltaThreads: number;
  readonly voltaUs: number;
  readonly ortUs: number;
  /** ORT time / Volta time (> 1: Volta is faster). */
  readonly ratio: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  readonly flops: number;
  readonly voltaGflops: number;
  readonly ortGflops: number;
  /** max |volta - ort| over every output element, divided by max |ort|. */
  readonly maxRelErr: number;
  readonly rounds: number;
  readonly samples: { readonly volta: number; readonly ort: number };
}

/** Whether this Volta accepts a `threads` compile option (it is being added; until then Volta runs on one thread). */
export function voltaHasThreads(): boolean {
  try {
    resolveOptions({ threads: 1 } as CompileOptions);
    return true;
  } catch (e) {
    if (isVoltaError(e) && e.code === 'VOLTA_E_BAD_OPTION') return false;
    throw e;
  }
}

export function voltaOptions(threads: number, cacheDir: string): CompileOptions {
  return (voltaHasThreads() ? { cacheDir, threads } : { cacheDir }) as CompileOptions;
}

export function ortSession(bytes: Uint8Array, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

export function maxRelErr(ours: Record<string, { data: unknown }>, theirs: Record<string, { data: unknown }>, names: readonly string[]): number {
  let diff = 0;
  let scale = 0;
  for (const n of names) {
    const a = ours[n].data as Float32Array;
    const b = theirs[n].data as Float32Array;
    if (a.length !== b.length) return Number.POSITIVE_INFINITY;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      // NaN on either side counts as an infinite error.
      diff = Math.max(diff, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
      scale = Math.max(scale, Math.abs(b[i]));
    }
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * One interleaved measurement of two async functions; returns median latency (ms) per round for each.
 * `warmEachRound`: a tinybench warm-up before each task in every round (fast tasks: caches and branch
 * predictors are cold after the other runtime ran); `warmFirstRound`: one before the first round only.
 */
export async function interleave(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  o: { timeMs: number; rounds: number; warmEachRound: boolean; warmFirstRound: boolean },
): Promise<{ a: number[]; b: number[]; samples: { a: number; b: number } }> {
  const out = { a: [] as number[], b: [] as number[], samples: { a: 0, b: 0 } };
  for (let r = 0; r < o.rounds; r++) {
    const bench = new Bench({
      time: o.timeMs,
      iterations: 1,
      warmup: o.warmEachRound || (r === 0 && o.warmFirstRound),
      warmupTime: Math.min(20, o.timeMs),
      warmupIterations: 1,
      throws: true,
    });
    const order = r % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
    for (const name of order) bench.add(name, name === 'a' ? a : b);
    await bench.run();
    for (const name of order) {
      const res = bench.getTask(name)!.result;
      if (res.state !== 'completed') throw new Error(`bench task ${name} ended ${res.state}`);
      out[name].push(res.latency.p50);
      out.samples[name] += res.latency.samplesCount;
    }
  }
  return out;
}

export async function measureModel(m: BenchModel, threads: number, volta: Session, ref: ort.InferenceSession, o: MeasureOptions): Promise<Row> {
  const feeds = Object.fromEntries(m.inputs.map((i) => [i.name, new Tensor('float32', i.data, i.dims)]));
  const ortFeeds = Object.fromEntries(m.inputs.map((i) => [i.name, new ort.Tensor('float32', i.data, i.dims)]));
  const names = m.outputs.map((x) => x.name);
  // The check runs double as the first warm-up and as a probe of how long one run takes.
  let t0 = performance.now();
  const ours = await volta.run(feeds);
  const voltaOnce = performance.now() - t0;
  t0 = performance.now();
  const theirs = await ref.run(ortFeeds);
  const ortOnce = performance.now() - t0;
  const err = maxRelErr(ours, theirs, names);
  const slowest = Math.max(voltaOnce, ortOnce);
  // Seconds-long runs get fewer rounds and no further warm-up: each sample is already a long average.
  const rounds = slowest > 1000 ? Math.min(o.rounds, 3) : o.rounds;
  const r = await interleave(
    () => volta.run(feeds),
    () => ref.run(ortFeeds),
    { timeMs: o.timeMs, rounds, warmEachRound: slowest < 50, warmFirstRound: slowest <= 1000 },
  );
  const ratios = r.a.map((v, i) => r.b[i] / v);
  const [voltaMs, ortMs] = [median(r.a), median(r.b)];
  return {
    key: m.key,
    family: m.family,
    batch: m.batch,
    threads,
    voltaThreads: voltaHasThreads() ? threads : 1,
    voltaUs: voltaMs * 1000,
    ortUs: ortMs * 1000,
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    flops: m.flops,
    voltaGflops: m.flops / voltaMs / 1e6,
    ortGflops: m.flops / ortMs / 1e6,
    maxRelErr: err,
    rounds,
    samples: { volta: r.samples.a, ort: r.samples.b },
  };
}

export interface CompiledPair {
  readonly volta: Session;
  readonly ort: ort.InferenceSession;
  /** ms of Volta.compile: first (cache miss, glue already built) and again (cache hit). */
  readonly compileMissMs: number;
  readonly compileHitMs: number;
  readonly ccMs: number;
  /** Whether the first compile found the addon cached already (the same model compiled for another thread count). */
  readonly firstWasHit: boolean;
}

/** Compiles a model for one thread count in both runtimes; the Volta compile is timed cold (miss) and warm (hit). */
export async function prepare(m: BenchModel, threads: number, cacheDir: string): Promise<CompiledPair> {
  const opts = voltaOptions(threads, cacheDir);
  let t0 = performance.now();
  const first = await Volta.compile(m.bytes, opts);
  const compileMissMs = performance.now() - t0;
  t0 = performance.now();
  const volta = await Volta.compile(m.bytes, opts);
  const compileHitMs = performance.now() - t0;
  const t = first.report().timings;
  return {
    volta,
    ort: await ortSession(m.bytes, threads),
    compileMissMs,
    compileHitMs,
    ccMs: (t['build-cc'] ?? 0) + (t['build-link'] ?? 0),
    firstWasHit: first.report().cacheHit,
  };
}
