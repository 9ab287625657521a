// The whole suite: FP32 peak, compile times, then every selected model at every
// selected thread count in Volta and onnxruntime-node. Returns one JSON-able object.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { VOLTA_VERSION } from '../compiler/version.ts';
import { Volta } from '../runtime/index.ts';
import { type CompileTimes, measureCompileTimes, ROOT } from './compile_times.ts';
import { measureModel, prepare, type Row, voltaHasThreads } from './measure.ts';
import { BENCH_MODELS } from './models.ts';
import { measurePeak, type Peak } from './peak.ts';

export interface SuiteOptions {
  readonly threads: readonly number[];
  /** Regular expression over model keys; all when undefined. */
  readonly only?: string;
  /** Or an exact set of "key/t<threads>" entries (the gate re-measures just those). */
  readonly entries?: readonly string[];
  readonly timeMs: number;
  readonly rounds: number;
  readonly compileTimes: boolean;
  readonly peak: boolean;
  /** Volta's cache directory; a fresh temporary one when undefined (every model is then built by this run). */
  readonly cacheDir?: string;
  /** Progress lines go here (stderr by default). */
  readonly log?: (line: string) => void;
}

export interface CompileRow {
  readonly key: string;
  readonly threads: number;
  readonly missMs: number;
  readonly hitMs: number;
  readonly ccMs: number;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memGiB: number;
  readonly os: string;
  readonly node: string;
  readonly cc: string;
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
}

export interface Results {
  readonly schema: 1;
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly volta: { readonly version: string; readonly git: string; readonly threadsOption: boolean };
  readonly ort: { readonly version: string };
  readonly peak?: Peak;
  readonly compileTimes?: CompileTimes;
  readonly compile: readonly CompileRow[];
  readonly rows: readonly Row[];
}

export const entryKey = (key: string, threads: number) => `${key}/t${threads}`;

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  } catch {
    return 'unknown';
  }
}

export async function runSuite(o: SuiteOptions): Promise<Results> {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const work = mkdtempSync(join(tmpdir(), 'volta-bench-'));
  const cacheDir = o.cacheDir ?? join(work, 'cache');
  const hasThreads = voltaHasThreads();
  if (!hasThreads) log('note: this Volta has no `threads` option yet: Volta runs on one thread in every row');
  try {
    let peak: Peak | undefined;
    if (o.peak) {
      log('measuring FP32 peak (bench/peak.c) ...');
      peak = measurePeak(o.threads);
    }
    let compileTimes: CompileTimes | undefined;
    if (o.compileTimes) {
      log('measuring compile times (examples/mlp) ...');
      compileTimes = await measureCompileTimes(join(work, 'compile-times'));
    }
    // Build the addon glue first, so each model's compile time below is its own.
    await Volta.compile(join(ROOT, 'examples', 'mlp', 'mlp.onnx'), { cacheDir });
    const only = o.only === undefined ? undefined : new RegExp(o.only);
    const wanted = o.entries === undefined ? undefined : new Set(o.entries);
    const rows: Row[] = [];
    const compile: CompileRow[] = [];
    for (const spec of BENCH_MODELS) {
      if (only && !only.test(spec.key)) continue;
      const threads = o.threads.filter((t) => !wanted || wanted.has(entryKey(spec.key, t)));
      if (threads.length === 0) continue;
      const m = spec.build();
      for (const t of threads) {
        const pair = await prepare(m, t, cacheDir);
        if (!pair.firstWasHit) compile.push({ key: m.key, threads: t, missMs: pair.compileMissMs, hitMs: pair.compileHitMs, ccMs: pair.ccMs });
        const row = await measureModel(m, t, pair.volta, pair.ort, { timeMs: o.timeMs, rounds: o.rounds, cacheDir });
        await pair.ort.release();
        rows.push(row);
        log(`${entryKey(m.key, t).padEnd(26)} volta ${fmtUs(row.voltaUs).padStart(10)}  ort ${fmtUs(row.ortUs).padStart(10)}  ratio ${row.ratio.toFixed(3)}`);
      }
    }
    const ortVersion = (JSON.parse(readFileSync(join(ROOT, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version;
    return {
      schema: 1,
      date: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: availableParallelism(),
        memGiB: Math.round(totalmem() / 2 ** 30),
        os: `${process.platform} ${release()} ${process.arch}`,
        node: process.version,
        cc: tryRun(process.env.CC ?? 'cc', ['--version']),
        loadStart,
        loadEnd: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      volta: { version: VOLTA_VERSION, git: tryRun('git', ['rev-parse', '--short', 'HEAD']), threadsOption: hasThreads },
      ort: { version: ortVersion },
      peak,
      compileTimes,
      compile,
      rows,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function fmtUs(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1e4) return `${(us / 1e3).toFixed(1)} ms`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(2)} ms`;
  return `${us.toFixed(1)} µs`;
}
