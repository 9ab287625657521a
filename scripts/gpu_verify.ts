// scripts/gpu-verify: on a machine with a CUDA GPU, builds each test model's CUDA addon (strict) and
// checks it against the C target bit for bit (and cuda-cpu, the same source on the CPU), then times a
// GEMM, the example model and a softmax on both, reporting max error, bit parity, time and FLOP/s.
// Writes a markdown report to stdout (and to --out <file> with the date and device when given).
//   node --import tsx scripts/gpu_verify.ts [--gemm 4096] [--out docs/GPU_VERIFY.md]

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Graph } from '../compiler/ir/graph.ts';
import { cudaStatus } from '../runtime/cuda_probe.ts';
import { GraphBuilder, makeTensor, type Session, Volta } from '../runtime/index.ts';
import { backwardGraphs } from '../test/helpers/backward_models.ts';
import { sameBits } from '../test/helpers/bits.ts';
import { feedsFor, kernelGraphs, mlp, randomFloats, tiledGraphs } from '../test/helpers/models.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-gpu-verify');
const gemmN = Number(arg('--gemm') ?? 2048);
const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  console.log(s);
};

const cuda = await cudaStatus(cacheDir);
if (cuda.devices === 0) {
  console.error(`gpu-verify: no CUDA device (${cuda.reason})`);
  process.exit(2);
}
let device = 'unknown GPU';
try {
  device = execFileSync('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader'], { encoding: 'utf8' }).trim();
} catch {}

function maxError(a: ArrayBufferView, b: ArrayBufferView): number {
  if (!(a instanceof Float32Array && b instanceof Float32Array)) return sameBits(a, b) ? 0 : Number.NaN;
  let m = 0;
  for (let i = 0; i < a.length; i++) if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const compile = (g: Graph, target: 'c' | 'cuda' | 'cuda-cpu') => Volta.compile(g, { cacheDir, target });
say(`# GPU verification, ${new Date().toISOString().slice(0, 10)}, ${device}`);
say('');
say('| model | cuda == c (bits) | cuda-cpu == c (bits) | max abs error cuda vs c |');
say('|---|---|---|---|');
let failed = 0;
for (const { name, graph } of [{ name: 'mlp', graph: mlp() }, ...kernelGraphs(), ...backwardGraphs(), ...tiledGraphs()]) {
  const [c, gpu, cpu] = await Promise.all([compile(graph, 'c'), compile(graph, 'cuda'), compile(graph, 'cuda-cpu')]);
  const feeds = feedsFor(graph, 7);
  const [want, got, onCpu] = [c.runSync(feeds), gpu.runSync(feeds), cpu.runSync(feeds)];
  const bits = c.outputNames.every((n) => sameBits(got[n].data, want[n].data));
  const cpuBits = c.outputNames.every((n) => sameBits(onCpu[n].data, want[n].data));
  const err = Math.max(...c.outputNames.map((n) => maxError(got[n].data, want[n].data)));
  if (!bits || !cpuBits) failed++;
  say(`| ${name} | ${bits ? 'yes' : 'NO'} | ${cpuBits ? 'yes' : 'NO'} | ${err} |`);
}

function gemm(n: number): Graph {
  const b = new GraphBuilder(`gemm${n}`);
  const x = b.input('x', 'float32', [n, n]);
  b.output(b.op('MatMul', [x, b.constant('w', makeTensor('float32', [n, n], randomFloats(n * n, 5, 0.05)))]));
  return b.build();
}
function softmax(): Graph {
  const b = new GraphBuilder('softmax');
  b.output(b.op('Softmax', [b.input('x', 'float32', [4096, 1024])], { axis: -1 }));
  return b.build();
}
function median(s: Session, g: Graph, runs: number): number {
  const feeds = feedsFor(g, 3);
  s.runSync(feeds);
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    s.runSync(feeds);
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[runs >> 1];
}
say('');
say('| benchmark | c ms | cuda ms (incl. copies) | cuda GFLOP/s | bits equal |');
say('|---|---|---|---|---|');
for (const [name, g, flops] of [
  [`MatMul ${gemmN}^3`, gemm(gemmN), 2 * gemmN ** 3],
  ['example MLP', mlp(), 2 * 784 * 128 + 2 * 128 * 10],
  ['Softmax 4096 x 1024', softmax(), 0],
] as const) {
  const [c, gpu] = await Promise.all([compile(g, 'c'), compile(g, 'cuda')]);
  const feeds = feedsFor(g, 3);
  const bits = c.outputNames.every((n) => sameBits(gpu.runSync(feeds)[n].data, c.runSync(feeds)[n].data));
  const [tc, tg] = [median(c, g, 3), median(gpu, g, 10)];
  say(`| ${name} | ${tc.toFixed(2)} | ${tg.toFixed(2)} | ${flops ? (flops / tg / 1e6).toFixed(1) : '-'} | ${bits ? 'yes' : 'NO'} |`);
  if (!bits) failed++;
}
const out = arg('--out');
if (out) writeFileSync(out, `${lines.join('\n')}\n`);
process.exit(failed === 0 ? 0 : 1);
