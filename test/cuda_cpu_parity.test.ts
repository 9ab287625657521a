// CUDA on CPU: the emitted model.cu, unchanged, built as host C++ with
// test/helpers/cuda_cpu_shim.h (every block and thread run sequentially) must
// give outputs bit-identical to the C addon's, for the MLP and a graph per
// kernel kind; and again with threads run in reverse order. No GPU or nvcc needed.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findTools } from '../compiler/build/toolchain.ts';
import { COMMON_INCLUDE_DIR } from '../compiler/codegen/templates.ts';
import type { Compiled } from '../compiler/compile.ts';
import type { Graph } from '../compiler/ir/graph.ts';
import { type Tensor, Volta } from '../runtime/index.ts';
import { backwardGraphs } from './helpers/backward_models.ts';
import { sameBits } from './helpers/bits.ts';
import { feedsFor, kernelGraphs, mlp } from './helpers/models.ts';

const run = promisify(execFile);
const cacheDir = join(tmpdir(), 'volta-test-cuda-cpu');
const SHIM = fileURLToPath(new URL('./helpers/cuda_cpu_shim.h', import.meta.url));
const DRIVER = fileURLToPath(new URL('./helpers/cuda_cpu_driver.cpp', import.meta.url));
const CXX_FLAGS = ['-std=c++17', '-O2', '-ffp-contract=off', '-fno-math-errno', '-Wall', '-Wno-unused-variable', '-Wno-comment'];

const tools = await findTools();

/** Builds model.cu + the driver with the shim; cached by everything that goes in. */
async function buildShimExe(c: Compiled): Promise<string> {
  const src = c.source('cuda');
  const key = createHash('sha256')
    .update([src, readFileSync(SHIM, 'utf8'), readFileSync(DRIVER, 'utf8'), tools.cxx, ...CXX_FLAGS].join('\n'))
    .digest('hex')
    .slice(0, 32);
  const dir = join(cacheDir, 'exe', key);
  const exe = join(dir, 'model_cpu');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.cu'), src);
  const tmp = `${exe}.${process.pid}.tmp`;
  const args = [...CXX_FLAGS, `-I${COMMON_INCLUDE_DIR}`, '-include', SHIM, '-x', 'c++', 'model.cu', DRIVER, '-o', tmp];
  try {
    await run(tools.cxx, args, { cwd: dir });
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`shim build failed: cd ${dir} && ${tools.cxx} ${args.join(' ')}\n${err.stderr ?? String(e)}`);
  }
  renameSync(tmp, exe);
  return exe;
}

/** Runs the shim executable on the feeds; returns its outputs by output name. */
async function runShim(exe: string, c: Compiled, feeds: Record<string, Tensor>, order: 'forward' | 'reverse'): Promise<Record<string, Uint8Array>> {
  const g = c.graph;
  const dir = join(cacheDir, 'runs', `${c.fingerprint.slice(0, 16)}-${order}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), c.weights);
  g.inputs.forEach((id, i) => {
    const d = feeds[g.value(id).name].data;
    writeFileSync(join(dir, `in${i}.bin`), new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
  });
  // Two runs: the second reuses the device buffers, as the addon does.
  await run(exe, [dir, '2'], { env: { ...process.env, VOLTA_CPU_ORDER: order } });
  const out: Record<string, Uint8Array> = {};
  g.outputs.forEach((id, i) => {
    out[g.value(id).name] = readFileSync(join(dir, `out${i}.bin`));
  });
  rmSync(dir, { recursive: true, force: true });
  return out;
}

function asType(bytes: Uint8Array, like: ArrayBufferView): ArrayBufferView {
  const copy = new Uint8Array(bytes).buffer;
  const Ctor = like.constructor as new (b: ArrayBuffer) => ArrayBufferView;
  return new Ctor(copy);
}

/** Feeds with IEEE specials (NaN, infinities, signed zero, denormals, huge values) in the first slots. */
function specialFeeds(g: Graph, seed: number): Record<string, Tensor> {
  const feeds = feedsFor(g, seed);
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-42, -1e-42, 88.8, -104, 3e38, -3e38, 1e-20];
  for (const t of Object.values(feeds)) {
    if (t.data instanceof Float32Array) specials.forEach((v, i) => i < t.data.length && ((t.data as Float32Array)[(i * 7) % t.data.length] = v));
  }
  return feeds;
}

const models: { name: string; graph: Graph }[] = [{ name: 'mlp', graph: mlp() }, ...kernelGraphs(), ...backwardGraphs()];

describe('emitted CUDA run on the CPU (cuda_cpu_shim.h) equals the C addon bit for bit', () => {
  for (const { name, graph } of models) {
    it(name, async () => {
      const c = Volta.compileOnly(graph);
      const [session, exe] = await Promise.all([Volta.compile(graph, { cacheDir }), buildShimExe(c)]);
      for (const [label, feeds] of [
        ['random', feedsFor(graph, 11)],
        ['specials', specialFeeds(graph, 12)],
      ] as const) {
        const want = session.runSync(feeds);
        for (const order of ['forward', 'reverse'] as const) {
          const got = await runShim(exe, c, feeds, order);
          for (const n of session.outputNames) {
            expect(sameBits(asType(got[n], want[n].data), want[n].data), `${label} feeds, ${order} order, output ${n}`).toBe(true);
          }
        }
      }
    });
  }
});

describe('cuda_cpu_shim.h refuses code outside the emission contract', () => {
  it('shared memory, barriers, atomics and non-Volta math fail to compile', async () => {
    const dir = join(cacheDir, 'refuse');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'bad.cu'),
      [
        '__global__ void k1(float *out) { __shared__ float s[32]; s[threadIdx.x] = 1; __syncthreads(); out[0] = s[0]; }',
        '__global__ void k2(float *out) { atomicAdd(out, 1.0f); }',
        '__global__ void k3(float *out) { out[0] = expf(out[0]) + __expf(out[1]) + tanhf(out[2]); }',
        '',
      ].join('\n'),
    );
    const err = await run(tools.cxx, ['-std=c++17', '-fsyntax-only', '-include', SHIM, '-x', 'c++', 'bad.cu'], { cwd: dir }).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err, 'bad.cu compiled').toBeDefined();
    for (const id of ['__shared__', '__syncthreads', 'atomicAdd', 'expf', '__expf', 'tanhf']) expect(err).toContain(`poisoned "${id}"`);
  });
});
