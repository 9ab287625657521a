// `npm run xl`: the XL lane. Compiles (import -> passes -> schedule -> emit -> cc
// -> addon) two generated large graphs twice each, every compile in a fresh
// process and cache, and checks the documented bounds (docs/governance/
// determinism-scope.md, "XL"): wall time and peak RSS per compile, and
// identical fingerprints across the two runs.
//   xl-chain:   >= 50 000 nodes: elementwise chains with a fan-out/join every 16 ops
//   resnet50:   ResNet-50 shape (53 Conv + BatchNorm, bottlenecks [3,4,6,3], 224x224, batch 1)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { Volta } from '../runtime/index.ts';
import { mulberry32 } from './make_example_model.ts';

/** Bounds per compile on the 2-core CI machine (documented; the lane fails beyond them). */
export const XL_BOUNDS = { seconds: 120, rssMiB: 2048 };

function floats(n: number, seed: number, bound: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * bound);
}

export function xlChain(nodes = 50_000): { bytes: Uint8Array; nodes: number } {
  const w = new OnnxWriter('xl_chain', 17);
  let cur = w.input('x', 'float32', [1, 64]);
  const c = w.initializer('c', makeTensor('float32', [64], floats(64, 1, 0.01)));
  const ops = ['Add', 'Mul', 'Tanh', 'Sub', 'Relu', 'Sigmoid', 'Add', 'Abs'];
  let count = 0;
  while (count < nodes) {
    // Every 16 ops: a fan-out into two branches that join again (defeats a single fused chain).
    if (count % 16 === 15) {
      const a = w.op('Tanh', [cur]);
      const b = w.op('Sigmoid', [cur]);
      cur = w.op('Add', [a, b]);
      count += 3;
      continue;
    }
    const op = ops[count % ops.length];
    cur = w.op(op, op === 'Tanh' || op === 'Relu' || op === 'Sigmoid' || op === 'Abs' ? [cur] : [cur, c]);
    count++;
  }
  w.output(cur, 'float32', [1, 64]);
  return { bytes: w.bytes(), nodes: count };
}

export function resnet50(): { bytes: Uint8Array; nodes: number } {
  const w = new OnnxWriter('resnet50', 17);
  let seed = 100;
  let nodes = 0;
  const conv = (x: string, cin: number, cout: number, k: number, stride: number, relu: boolean) => {
    const wt = w.initializer(`w${seed}`, makeTensor('float32', [cout, cin, k, k], floats(cout * cin * k * k, seed++, 1 / Math.sqrt(cin * k * k))));
    let y = w.op('Conv', [x, wt], { kernel_shape: [k, k], strides: [stride, stride], pads: Array(4).fill((k - 1) >> 1) });
    const p = (v: number) => w.initializer(`bn${seed++}`, makeTensor('float32', [cout], new Float32Array(cout).fill(v)));
    y = w.op('BatchNormalization', [y, p(1), p(0), p(0), p(1)], { epsilon: 1e-5 });
    nodes += 2;
    if (relu) {
      y = w.op('Relu', [y]);
      nodes++;
    }
    return y;
  };
  let x = conv(w.input('x', 'float32', [1, 3, 224, 224]), 3, 64, 7, 2, true);
  x = w.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  let cin = 64;
  [3, 4, 6, 3].forEach((blocks, stage) => {
    const width = 64 * 2 ** stage;
    for (let b = 0; b < blocks; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const h = conv(conv(conv(x, cin, width, 1, 1, true), width, width, 3, stride, true), width, width * 4, 1, 1, false);
      const skip = b === 0 ? conv(x, cin, width * 4, 1, stride, false) : x;
      x = w.op('Relu', [w.op('Add', [h, skip])]);
      nodes += 2;
      cin = width * 4;
    }
  });
  const pooled = w.op('Flatten', [w.op('GlobalAveragePool', [x])]);
  const fc = w.initializer('fc', makeTensor('float32', [1000, 2048], floats(2048000, seed++, 1 / Math.sqrt(2048))));
  w.output(w.op('Gemm', [pooled, fc], { transB: 1 }), 'float32', [1, 1000]);
  return { bytes: w.bytes(), nodes: nodes + 4 };
}

const MODELS: Record<string, () => { bytes: Uint8Array; nodes: number }> = { 'xl-chain': () => xlChain(), resnet50 };

const { values } = parseArgs({ options: { one: { type: 'string' }, cache: { type: 'string' } } });

if (values.one !== undefined) {
  // One compile in this process: print fingerprint, nodes, seconds, peak RSS.
  const m = MODELS[values.one]();
  const t0 = performance.now();
  const session = await Volta.compile(m.bytes, { cacheDir: values.cache });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      model: values.one,
      nodes: m.nodes,
      fingerprint: session.fingerprint,
      kernels: session.report().kernels.length,
      seconds,
      rssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
} else {
  let failed = 0;
  let passed = 0;
  for (const name of Object.keys(MODELS)) {
    const runs = [0, 1].map(() => {
      const cache = mkdtempSync(join(tmpdir(), 'volta-xl-'));
      const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--one', name, '--cache', cache], {
        encoding: 'utf8',
        timeout: XL_BOUNDS.seconds * 3 * 1000,
        maxBuffer: 1 << 26,
      });
      rmSync(cache, { recursive: true, force: true });
      if (r.status !== 0) return { error: `${name}: exit ${r.status ?? r.signal}: ${r.stderr.slice(-1500)}` };
      return JSON.parse(r.stdout.trim().split('\n').pop()!);
    });
    for (const r of runs) console.log(JSON.stringify(r));
    const problems: string[] = [];
    for (const r of runs) {
      if (r.error) problems.push(r.error);
      else {
        if (r.seconds > XL_BOUNDS.seconds) problems.push(`${name}: ${r.seconds.toFixed(1)} s > ${XL_BOUNDS.seconds} s`);
        if (r.rssMiB > XL_BOUNDS.rssMiB) problems.push(`${name}: ${r.rssMiB.toFixed(0)} MiB > ${XL_BOUNDS.rssMiB} MiB`);
      }
    }
    if (!runs[0].error && !runs[1].error && runs[0].fingerprint !== runs[1].fingerprint) problems.push(`${name}: fingerprints differ between runs`);
    if (problems.length) {
      failed++;
      for (const p of problems) console.log(`FAIL ${p}`);
    } else {
      passed++;
      console.log(
        `ok   ${name}: ${runs[0].nodes} nodes, ${runs[0].kernels} kernels, ${runs.map((r) => `${r.seconds.toFixed(1)} s / ${r.rssMiB.toFixed(0)} MiB`).join(', ')}; fingerprint ${runs[0].fingerprint}`,
      );
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
