// The CPU CUDA runtime (templates/cuda_cpu/cuda_cpu.h) is strict: __syncthreads is a real barrier
// (a block reversal through shared memory is exact in both thread orders), a kernel missing one
// gives different bits in the two orders (so the parity check of cuda_cpu_parity.test.ts can fail),
// a barrier not every thread reaches fails the run with VOLTA_E_DIVERGENT_BARRIER naming the kernel
// and its nodes, a failed launch is VOLTA_E_CUDA, and code outside the emission contract (approximate
// intrinsics, libm, atomics) does not compile. The kernels are the emitted model.cu of a Relu graph
// with its kernel's body replaced; the glue and the build are the product's.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { buildAddon, CUDA_CPU_HEADER } from '../compiler/build/build.ts';
import { findTools } from '../compiler/build/toolchain.ts';
import type { Compiled } from '../compiler/compile.ts';
import { isVoltaError, type VoltaError } from '../compiler/ir/errors.ts';
import { GraphBuilder, Tensor, Volta } from '../runtime/index.ts';
import { LoadedModel } from '../runtime/loaded.ts';

const cacheDir = join(tmpdir(), 'volta-test-cuda-cpu-barriers');
const N = 2048; // 8 blocks of 256 threads
const KERNEL = '__global__ void k0_relu(const float *__restrict__ in0, float *__restrict__ out) {';

afterEach(() => {
  delete process.env.VOLTA_CPU_ORDER;
});

function reluModel(): Compiled {
  const b = new GraphBuilder('barrier_probe');
  b.output(b.op('Relu', [b.input('x', 'float32', [N])]));
  return Volta.compileOnly(b.build(), { target: 'cuda-cpu' });
}

/** The Relu model with `body` run first in its kernel (which then returns), built by the product's cuda-cpu build. */
async function withKernelBody(body: string, launch?: [string, string]): Promise<LoadedModel> {
  const c = reluModel();
  let src = c.source('cuda');
  expect(src, 'the kernel signature this test patches').toContain(KERNEL);
  src = src.replace(KERNEL, `${KERNEL}\n  { ${body} return; }`);
  // The Relu kernel runs on float4 quads (N / 4 / 256 blocks); the probe bodies take a thread per element.
  expect(src, 'the launch this test patches').toContain(`cfg.gridDim = dim3(${N / 4 / 256});`);
  src = src.replace(`cfg.gridDim = dim3(${N / 4 / 256});`, `cfg.gridDim = dim3(${N / 256});`);
  if (launch) src = src.replace(launch[0], launch[1]);
  const build = await buildAddon({ fingerprint: c.fingerprint, options: c.options, source: (b) => (b === 'cuda' ? src : c.source(b)) }, 'cuda-cpu', cacheDir);
  return new LoadedModel(c, build, 'cuda-cpu', undefined, {});
}

const ramp = () =>
  new Tensor(
    'float32',
    Float32Array.from({ length: N }, (_, i) => i * 0.5 - 300),
    [N],
  );

function output(m: LoadedModel, order: 'forward' | 'reverse'): Float32Array {
  if (order === 'reverse') process.env.VOLTA_CPU_ORDER = 'reverse';
  try {
    const r = m.runSync({ x: ramp() });
    return r[m.outputNames[0]].data as Float32Array;
  } finally {
    delete process.env.VOLTA_CPU_ORDER;
  }
}

// Each block reverses its 256 inputs through shared memory.
const REVERSE = (sync: string) =>
  `__shared__ float t[256]; const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; t[threadIdx.x] = in0[i]; ${sync} out[i] = t[255 - threadIdx.x];`;

describe('cuda_cpu.h barriers', () => {
  it('__syncthreads is a real barrier: a block reversal through shared memory is exact in both orders', async () => {
    const m = await withKernelBody(REVERSE('__syncthreads();'));
    const x = ramp().data as Float32Array;
    const want = Float32Array.from({ length: N }, (_, i) => x[i - (i % 256) + 255 - (i % 256)]);
    for (const order of ['forward', 'reverse'] as const) expect(Array.from(output(m, order)), order).toEqual(Array.from(want));
  });

  it('a missing __syncthreads gives different bits in the two thread orders', async () => {
    const m = await withKernelBody(REVERSE('/* no barrier */'));
    expect(Array.from(output(m, 'forward'))).not.toEqual(Array.from(output(m, 'reverse')));
  });

  it('warp shuffles and __syncwarp: a butterfly sum gives every lane its warp total, in both orders', async () => {
    const body =
      'const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; float v = in0[i]; for (int o = 16; o > 0; o /= 2) v = v + __shfl_xor_sync(0xffffffffu, v, o); __syncwarp(); out[i] = v;';
    const m = await withKernelBody(body);
    const x = ramp().data as Float32Array;
    // Lane order of the butterfly, written out: pairs at distance 16, then 8, 4, 2, 1.
    const want = new Float32Array(N);
    for (let w = 0; w < N; w += 32) {
      let v = Float32Array.from(x.subarray(w, w + 32));
      for (let o = 16; o > 0; o >>= 1) v = Float32Array.from(v, (a, l) => a + v[l ^ o]);
      want.set(v, w);
    }
    for (const order of ['forward', 'reverse'] as const) expect(Array.from(output(m, order)), order).toEqual(Array.from(want));
  });

  const divergent: [string, string][] = [
    ['some threads skip it', 'if (threadIdx.x < 10) __syncthreads(); out[blockIdx.x * blockDim.x + threadIdx.x] = 1;'],
    ['the first thread skips it', 'if (threadIdx.x > 0) __syncthreads(); out[blockIdx.x * blockDim.x + threadIdx.x] = 1;'],
    ['one warp waits at __syncwarp, another at __syncthreads', 'if (threadIdx.x < 32) __syncwarp(); else __syncthreads();'],
  ];
  for (const [what, body] of divergent) {
    it(`a divergent barrier (${what}) fails with VOLTA_E_DIVERGENT_BARRIER naming the kernel, in both orders`, async () => {
      const m = await withKernelBody(body);
      for (const order of ['forward', 'reverse'] as const) {
        const e = (() => {
          try {
            output(m, order);
          } catch (err) {
            return err;
          }
        })() as VoltaError;
        expect(isVoltaError(e, 'VOLTA_E_DIVERGENT_BARRIER'), `${order}: ${String(e)}`).toBe(true);
        expect(e.details.kernel).toBe('k0_relu');
        expect(e.details.nodes).toEqual(['relu0']);
        expect(e.message).toContain('divergent barrier');
      }
    });
  }

  it('a failed launch is VOLTA_E_CUDA with the kernel, its nodes and the CUDA error', async () => {
    const m = await withKernelBody('', ['cfg.blockDim = dim3(256);', 'cfg.blockDim = dim3(2048);']);
    const e = (() => {
      try {
        output(m, 'forward');
      } catch (err) {
        return err;
      }
    })() as VoltaError;
    expect(isVoltaError(e, 'VOLTA_E_CUDA'), String(e)).toBe(true);
    expect(e.details).toMatchObject({ kernel: 'k0_relu', nodes: ['relu0'], cudaError: 'cudaErrorInvalidConfiguration' });
  });
});

describe('cuda_cpu.h refuses code outside the emission contract', () => {
  it('approximate intrinsics, libm and atomics fail to compile; shared memory and barriers compile', async () => {
    const tools = await findTools();
    const dir = join(cacheDir, 'refuse');
    mkdirSync(dir, { recursive: true });
    const bad = [
      '__global__ void k2(float *out) { atomicAdd(out, 1.0f); }',
      '__global__ void k3(float *out) { out[0] = expf(out[0]) + __expf(out[1]) + tanhf(out[2]) + __fdividef(out[3], 2.0f) + __sinf(out[4]); }',
    ];
    const good = '__global__ void k1(float *out) { __shared__ float s[32]; s[threadIdx.x] = 1; __syncthreads(); out[0] = s[0]; }';
    const compile = async (name: string, text: string) => {
      writeFileSync(join(dir, name), `${text}\n`);
      return promisify(execFile)(tools.cxx, ['-std=c++17', '-fsyntax-only', '-include', CUDA_CPU_HEADER, '-x', 'c++', name], { cwd: dir }).then(
        () => undefined,
        (e: { stderr: string }) => e.stderr,
      );
    };
    expect(await compile('good.cu', good)).toBeUndefined();
    const err = await compile('bad.cu', bad.join('\n'));
    expect(err, 'bad.cu compiled').toBeDefined();
    for (const id of ['atomicAdd', 'expf', '__expf', 'tanhf', '__fdividef', '__sinf']) expect(err).toContain(`poisoned "${id}"`);
  });
});
