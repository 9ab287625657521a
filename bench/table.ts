// Markdown tables of a suite result: printed by `npm run bench`, embedded in docs/PERFORMANCE.md.

import { TARGETS } from './compile_times.ts';
import type { Row } from './measure.ts';
import type { Results } from './suite.ts';

const us = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function table(head: string[], rows: string[][], right: boolean[]): string {
  const lines = [`| ${head.join(' | ')} |`, `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function pctPeak(r: Row, res: Results): number | undefined {
  const p = res.peak?.fma[r.voltaThreads];
  return p === undefined ? undefined : (100 * r.voltaGflops) / p;
}

export function modelTable(res: Results): string {
  const rows = res.rows.map((r) => {
    const p = pctPeak(r, res);
    return [
      r.key.split('@')[0],
      String(r.batch),
      r.voltaThreads === r.threads ? String(r.threads) : `${r.threads} (Volta ${r.voltaThreads})`,
      us(r.voltaUs),
      us(r.ortUs),
      `${r.ratio.toFixed(2)}${r.ratio >= 1 ? '' : ' ▼'}`,
      r.voltaGflops.toFixed(r.voltaGflops >= 10 ? 1 : 2),
      r.ortGflops.toFixed(r.ortGflops >= 10 ? 1 : 2),
      p === undefined ? '—' : `${p.toFixed(p >= 10 ? 0 : 1)} %`,
      r.maxRelErr.toExponential(1),
    ];
  });
  return table(['model', 'batch', 'threads', 'Volta µs', 'ORT µs', 'ORT/Volta', 'Volta GFLOP/s', 'ORT GFLOP/s', 'Volta % peak', 'max rel err'], rows, [
    false,
    true,
    false,
    true,
    true,
    true,
    true,
    true,
    true,
    true,
  ]);
}

export function peakLine(res: Results): string {
  if (!res.peak) return 'FP32 peak: not measured (--no-peak).';
  const p = res.peak;
  const parts = Object.keys(p.fma).map(
    (t) => `${t} thread${t === '1' ? '' : 's'}: FMA ${p.fma[Number(t)].toFixed(0)}, mul+add ${p.mulAdd[Number(t)].toFixed(0)}`,
  );
  return `FP32 peak measured by bench/peak.c (${p.lanes}-float vectors), GFLOP/s — ${parts.join('; ')}.`;
}

export function compileTable(res: Results): string {
  const lines: string[] = [];
  const c = res.compileTimes;
  if (c) {
    const mark = (v: number, target: number) => `${ms(v)} ms ${v <= target ? '✓' : `✗ (target ≤ ${target} ms)`}`;
    lines.push(
      table(
        ['build time (examples/mlp)', 'median'],
        [
          [
            `\`volta compile\` CLI from ${c.cliFrom === 'dist' ? 'dist/' : 'source (tsx)'}, glue built, model not cached (incl. Node start-up)`,
            mark(c.cliMissMs, TARGETS.cliMissMs),
          ],
          ...(c.cliMissFromSourceMs === undefined ? [] : [['the same from source (tsx, VOLTA_FROM_SOURCE=1)', `${ms(c.cliMissFromSourceMs)} ms`]]),
          ...(c.installedCliMissMs === undefined
            ? []
            : [['the same through the installed command (dist/compiler/cli/bin.js)', `${ms(c.installedCliMissMs)} ms`]]),
          ['`volta compile` CLI, model cached', `${ms(c.cliHitMs)} ms`],
          ['`node -e 0` (Node start-up alone)', `${ms(c.nodeStartMs)} ms`],
          ['`Volta.compile` in process, empty cache (builds glue + model)', `${ms(c.coldMs)} ms`],
          ['`Volta.compile` in process, glue built, model not cached', `${ms(c.missMs)} ms`],
          ['`Volta.compile` in process, cache hit (warm)', mark(c.warmMs, TARGETS.warmCompileMs)],
          [
            `\`Volta.compile\`, first call of a fresh process, cache hit (modules loaded${c.freshFrom ? ` from ${c.freshFrom === 'dist' ? 'dist/' : 'source'}` : ''})`,
            mark(c.freshHitMs, TARGETS.warmCompileMs),
          ],
        ],
        [false, true],
      ),
    );
  }
  if (res.compile.length) {
    const rows = res.compile.map((r) => [r.key, String(r.threads), ms(r.missMs), ms(r.ccMs), ms(r.hitMs)]);
    lines.push(table(['model', 'threads', 'Volta.compile miss ms', 'of it cc + link ms', 'hit ms'], rows, [false, true, true, true, true]));
  }
  return lines.join('\n\n');
}

/** A warning when other processes competed for the cores during the run (load average above the core count). */
export function loadWarning(res: Results): string | undefined {
  const m = res.machine;
  const load = Math.max(m.loadStart[0] ?? 0, m.loadEnd[0] ?? 0);
  return load > m.cores
    ? `WARNING: the machine was busy during this run (load average up to ${load} on ${m.cores} cores): absolute times and the peak are unreliable; ratios less so.`
    : undefined;
}

export function header(res: Results): string {
  const m = res.machine;
  const warn = loadWarning(res);
  return [
    ...(warn ? [warn] : []),
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}; Node ${m.node}; ${m.cc}`,
    `load average at start ${m.loadStart.join(' ')}, at end ${m.loadEnd.join(' ')}`,
    `Volta ${res.volta.version} (${res.volta.git}), ${res.volta.threadsOption ? 'threads option: yes' : 'no threads option yet: Volta ran single-threaded in every row'}; onnxruntime-node ${res.ort.version}`,
    `date ${res.date}; command: ${res.command}`,
  ].join('\n');
}

export const LEGEND = [
  'Median latency of one `run` call (each runtime through its async API, same inputs, same process), measured with tinybench in',
  'interleaved rounds. ORT/Volta > 1 means Volta is faster (▼ marks rows where it is not); it is the median over rounds of the',
  "per-round ratio. GFLOP/s counts 2 flops per multiply-accumulate of Conv/Gemm/MatMul only. % peak: Volta's GFLOP/s over the",
  'measured FMA peak for the threads Volta used. max rel err: max |Volta − ORT| over all outputs divided by max |ORT|. ORT runs with',
  'intraOpNumThreads = threads, interOpNumThreads 1, sequential execution, all graph optimisations.',
].join('\n');

export function report(res: Results): string {
  return [header(res), '', peakLine(res), '', modelTable(res), '', LEGEND, '', compileTable(res), ''].join('\n');
}
