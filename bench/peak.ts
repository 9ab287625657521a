// The machine's FP32 peak, measured at bench time: bench/peak.c built with the
// host's cc for the host's widest vectors, run with 1..N threads; best of a few runs
// (a peak is a maximum: noise from other processes only lowers it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Peak {
  /** GFLOP/s of vector FMA chains, by thread count. */
  readonly fma: Readonly<Record<number, number>>;
  /** GFLOP/s of separate vector multiplies and adds (no FMA), by thread count. */
  readonly mulAdd: Readonly<Record<number, number>>;
  /** float lanes per vector the peak loop used (16 = AVX-512). */
  readonly lanes: number;
  readonly compiler: string;
}

const SOURCE = fileURLToPath(new URL('./peak.c', import.meta.url));

export function measurePeak(threads: readonly number[], opts: { repeats?: number; seconds?: number } = {}): Peak {
  const cc = process.env.CC ?? 'cc';
  const dir = mkdtempSync(join(tmpdir(), 'volta-bench-peak-'));
  try {
    const exe = join(dir, 'peak');
    execFileSync(cc, ['-O2', '-march=native', '-std=gnu11', '-pthread', SOURCE, '-o', exe, '-lm'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const run = (mode: string, t: number, iters: number) =>
      JSON.parse(execFileSync(exe, [mode, String(t), String(iters)], { encoding: 'utf8' })) as { gflops: number; lanes: number; seconds: number };
    const seconds = opts.seconds ?? 0.15;
    const repeats = opts.repeats ?? 5;
    const out = { fma: {} as Record<number, number>, mulAdd: {} as Record<number, number>, lanes: 1 };
    for (const [mode, key] of [
      ['fma', 'fma'],
      ['muladd', 'mulAdd'],
    ] as const) {
      // Calibrate the iteration count so one run takes about `seconds` on one thread.
      const probe = run(mode, 1, 2_000_000);
      const iters = Math.max(100_000, Math.round((2_000_000 * seconds) / Math.max(probe.seconds, 1e-6)));
      out.lanes = probe.lanes;
      for (const t of threads) {
        let best = 0;
        for (let i = 0; i < repeats; i++) best = Math.max(best, run(mode, t, iters).gflops);
        out[key][t] = best;
      }
    }
    const version = execFileSync(cc, ['--version'], { encoding: 'utf8' }).split('\n')[0];
    return { ...out, compiler: version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
