// Command-line options shared by `npm run bench`, `bench:gate`, `bench:baseline` and `bench:docs`.
import { parseArgs } from 'node:util';
import type { SuiteOptions } from './suite.ts';

export const SUITE_HELP = `suite options:
  --threads 1,2        thread counts (ORT intraOpNumThreads; Volta threads when it has the option)  [1,2]
  --only <regex>       only models whose key matches (keys: mlp@b1 ... gemm2048)
  --time <ms>          tinybench time budget per task and round                                   [200]
  --rounds <n>         interleaved rounds per model and thread count                              [5]
  --quick              --time 60 --rounds 3, and no gemm2048 unless --only selects it
  --no-peak            skip the FP32 peak measurement
  --no-compile-times   skip the build-time measurements
  --json <file>        where the results go                                                       [bench/out/latest.json]`;

export interface Parsed {
  readonly suite: SuiteOptions;
  readonly json: string;
  readonly values: Record<string, string | boolean | undefined>;
}

/** Parses suite options plus `extra` string options of the calling command. */
export function parseSuiteArgs(argv: readonly string[], extra: Record<string, { type: 'string' | 'boolean' }> = {}): Parsed {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      threads: { type: 'string', default: '1,2' },
      only: { type: 'string' },
      time: { type: 'string' },
      rounds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-peak': { type: 'boolean', default: false },
      'no-compile-times': { type: 'boolean', default: false },
      json: { type: 'string', default: 'bench/out/latest.json' },
      help: { type: 'boolean', default: false },
      ...extra,
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (s: string | boolean | undefined, d: number) => {
    if (typeof s !== 'string') return d;
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${s}`);
    return n;
  };
  const quick = values.quick === true;
  const threads = String(values.threads)
    .split(',')
    .map((t) => Math.round(num(t, 1)));
  const only = typeof values.only === 'string' ? values.only : quick ? '^(?!gemm2048)' : undefined;
  return {
    suite: {
      threads,
      only,
      timeMs: num(values.time, quick ? 60 : 200),
      rounds: Math.round(num(values.rounds, quick ? 3 : 5)),
      peak: values['no-peak'] !== true,
      compileTimes: values['no-compile-times'] !== true,
    },
    json: String(values.json),
    values: values as Record<string, string | boolean | undefined>,
  };
}

/** Runs a bench command: a usage or input error prints its message (no stack) and exits 2. */
export async function runCli(f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
