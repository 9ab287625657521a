// The benchmark's report pieces on made-up rows: the SVG chart is deterministic and
// draws longer bars for slower runs; the table says when Volta ran on fewer threads.
import { describe, expect, it } from 'vitest';
import type { Row } from '../bench/measure.ts';
import type { Results } from '../bench/suite.ts';
import { latencyChart } from '../bench/svg.ts';
import { modelTable } from '../bench/table.ts';

function row(key: string, threads: number, voltaUs: number, ortUs: number, voltaThreads = threads): Row {
  return {
    key,
    family: key.split('@')[0],
    batch: 1,
    threads,
    voltaThreads,
    voltaUs,
    ortUs,
    ratio: ortUs / voltaUs,
    ratioMin: ortUs / voltaUs,
    ratioMax: ortUs / voltaUs,
    flops: 2e6,
    voltaGflops: 2e6 / voltaUs / 1e3,
    ortGflops: 2e6 / ortUs / 1e3,
    maxRelErr: 1e-6,
    rounds: 5,
    samples: { volta: 10, ort: 10 },
  };
}

const rows = [row('mlp@b1', 1, 20, 40), row('mlp@b1', 2, 20, 25, 1), row('gemm<1024>', 1, 50_000, 5_000)];

const widths = (svg: string) => [...svg.matchAll(/<rect x="170" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));

describe('bench report', () => {
  it('chart: same rows give the same bytes; bars grow with latency; text is escaped', () => {
    const a = latencyChart(rows, 'latency');
    expect(latencyChart(rows, 'latency')).toBe(a);
    const w = widths(a);
    expect(w).toHaveLength(6);
    // mlp t1: Volta 20 µs < ORT 40 µs; gemm: Volta 50 ms > ORT 5 ms, and both longer than any mlp bar.
    expect(w[0]).toBeLessThan(w[1]);
    expect(w[4]).toBeGreaterThan(w[5]);
    expect(Math.min(w[4], w[5])).toBeGreaterThan(Math.max(...w.slice(0, 4)));
    expect(a).toContain('gemm&lt;1024&gt;');
    expect(a).toContain('Volta 1 thread (vs ORT 2)');
  });

  it('table: marks rows where Volta is slower and rows where it ran on fewer threads than ORT', () => {
    const res = { rows, peak: { fma: { 1: 100, 2: 200 }, mulAdd: { 1: 100, 2: 200 }, lanes: 16, compiler: 'cc' } } as unknown as Results;
    const lines = modelTable(res).split('\n');
    expect(lines[2]).toMatch(/\| mlp \| 1 \| 1 \| 20\.0 \| 40\.0 \| 2\.00 \|/);
    expect(lines[3]).toContain('| 2 (Volta 1) |');
    expect(lines[4]).toContain('0.10 ▼');
    // 2e6 flops in 20 µs = 100 GFLOP/s: 100 % of the 1-thread peak (Volta ran one thread in both mlp rows).
    expect(lines[3]).toContain('| 100 % |');
  });
});
