// Emitted CUDA: every .cu compiles with nvcc (when it is installed; no GPU
// needed), the PTX of strict builds holds no fma, .approx or .ftz, and the text keeps the emission
// contract: launches only through cudaLaunchKernelEx, no <<<>>> or atomics, math only volta_*, shared
// memory only in tiled kernels, never the volatile warp-synchronous idiom.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTools, NVCC_ARCHS, NVCC_FLAGS, runTool } from '../compiler/build/toolchain.ts';
import { COMMON_INCLUDE_DIR } from '../compiler/codegen/templates.ts';
import { Volta } from '../runtime/index.ts';
import { backwardGraphs } from './helpers/backward_models.ts';
import { calledNames, identifiers, splitSource } from './helpers/c_source.ts';
import { batchCuda } from './helpers/cuda_batch.ts';
import { convGraphs, vectorGraphs } from './helpers/cuda_models.ts';
import { hostileMlpBytes } from './helpers/hostile.ts';
import { kernelGraphs, mlp, tiledGraphs } from './helpers/models.ts';

const tools = await findTools();
const nvcc = tools.nvcc;
if (!nvcc) console.warn('[cuda.test] nvcc is absent (not on PATH, or VOLTA_NVCC is empty): the nvcc compile checks are SKIPPED');

const models = [
  { name: 'mlp', compiled: Volta.compileOnly(mlp()) },
  ...[...kernelGraphs(), ...backwardGraphs(), ...tiledGraphs(), ...convGraphs(), ...vectorGraphs()].map((k) => ({
    name: k.name,
    compiled: Volta.compileOnly(k.graph),
  })),
];
models.push({ name: 'hostile names', compiled: Volta.compileOnly(hostileMlpBytes()) });
models.push({ name: 'mlp, memoryGuard build', compiled: Volta.compileOnly(mlp(), { memoryGuard: true }) });

// Math that is not Volta's: libm, CUDA's accurate and fast versions.
const FOREIGN_MATH =
  /^(__)?(exp|exp2|exp10|expm1|log|log2|log10|log1p|pow|sqrt|rsqrt|cbrt|sin|cos|tan|sinh|cosh|tanh|erf|erfc|fma|fmax|fmin|fabs|floor|ceil|round|trunc|fdivide|saturate)f?(_r[nzdu])?$/;
// Every call in the generated code is one of these (or a kernel of the file); INT64_C is <stdint.h>'s
// literal macro (int64 constants, e.g. in index arithmetic), not a call.
const ALLOWED_CALL =
  /^(volta_\w+|VOLTA_\w+|INT64_C|cuda[A-Z]\w*|dim3|snprintf|sizeof|for|if|while|return|switch|__syncthreads|__syncwarp|__shfl_(up_|down_|xor_)?sync)$/;

describe('emitted CUDA source keeps the emission contract', () => {
  for (const { name, compiled } of models) {
    it(name, () => {
      const src = compiled.source('cuda');
      const { code } = splitSource(src);
      expect(src).not.toContain('<<<');
      expect([...identifiers(code)].filter((id) => /atomic/i.test(id))).toEqual([]);
      // Shared memory and barriers only in the kernels planned for them: block-tiled matmuls, softmax and reduce rows per block, conv implicit GEMMs and weight tiles.
      const blockKernels = compiled.schedule.kernels.filter(
        (k) =>
          (k.plan.kind === 'matmul' && k.plan.cuda !== undefined) ||
          ((k.plan.kind === 'softmax' || k.plan.kind === 'reduce') && k.plan.cudaRowBlock === true) ||
          (k.plan.kind === 'window' && (k.plan.cudaWeightTile !== undefined || k.plan.cudaGemm !== undefined)),
      ).length;
      const bodies = code.split(/(?=__global__\s+void)/).slice(1);
      expect(bodies.filter((b) => /\b__shared__\b/.test(b)).length).toBe(blockKernels);
      expect(bodies.filter((b) => /\b__syncthreads\b/.test(b)).length).toBe(blockKernels);
      expect(identifiers(code).has('volatile')).toBe(false);
      const kernels = [...code.matchAll(/__global__\s+void\s+(\w+)\s*\(/g)].map((m) => m[1]);
      const launched = [...code.matchAll(/cudaLaunchKernelEx\(\s*&\w+\s*,\s*(\w+)\s*,/g)].map((m) => m[1]);
      expect([...calledNames(code)].filter((f) => FOREIGN_MATH.test(f))).toEqual([]);
      const calls = calledNames(code, { declarations: false });
      expect([...calls].filter((f) => !ALLOWED_CALL.test(f) && !kernels.includes(f))).toEqual([]);
      // One launch per scheduled kernel, each through cudaLaunchKernelEx; a kernel name
      // appears only in its definition and its launch (never called directly).
      expect(kernels.length).toBe(compiled.schedule.kernels.length);
      expect([...launched].sort()).toEqual([...kernels].sort());
      for (const k of kernels) expect(code.match(new RegExp(`\\b${k}\\b`, 'g'))?.length, k).toBe(2);
      expect(code.match(/cudaLaunchKernelEx/g)?.length).toBe(kernels.length);
    });
  }
});

// nvcc with warnings as errors, device and host (-Werror all-warnings, host -Wall -Wextra -Werror), for
// sm_80 and sm_90; the models are batched a few per translation unit (test/helpers/cuda_batch.ts) to
// keep nvcc's start-up cost to a few runs. Cached by what nvcc sees: the text (whose fingerprints cover
// the headers), nvcc and the flags.
const WERROR = ['-Werror', 'all-warnings', '-Xcompiler', '-Wall,-Wextra,-Werror'];
const BATCH = 8;
const batches: { names: string[]; src: string; kernels: number }[] = [];
for (let i = 0; i < models.length; i += BATCH) {
  const part = models.slice(i, i + BATCH);
  batches.push({
    names: part.map((m) => m.name),
    src: batchCuda(part.map((m) => m.compiled.source('cuda'))),
    kernels: part.reduce((n, m) => n + m.compiled.schedule.kernels.length, 0),
  });
}
const cacheKey = (src: string, flags: readonly string[]) =>
  createHash('sha256')
    .update([src, nvcc, ...flags].join('\n'))
    .digest('hex')
    .slice(0, 32);

describe('emitted CUDA compiles with nvcc for sm_80 and sm_90, warnings as errors', () => {
  const root = join(tmpdir(), 'volta-test-cuda-nvcc');
  for (const { names, src } of batches) {
    it.skipIf(!nvcc)(
      `${names.join(', ')}${nvcc ? '' : ' (skipped: nvcc is absent)'}`,
      async () => {
        const flags = [...NVCC_FLAGS, ...NVCC_ARCHS, ...WERROR, `-I${COMMON_INCLUDE_DIR}`];
        const dir = join(root, cacheKey(src, flags));
        if (existsSync(join(dir, 'ok'))) return;
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'models.cu'), src);
        await runTool(nvcc!, [...flags, '-c', 'models.cu', '-o', 'models.o'], join(dir, 'models.cu'), dir);
        expect(existsSync(join(dir, 'models.o'))).toBe(true);
        writeFileSync(join(dir, 'ok'), '');
      },
      120_000,
    );
  }
  it.skipIf(!nvcc)(
    'the warning flags do reject a warning (an unused local)',
    async () => {
      const dir = join(root, 'negative');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'bad.cu'), '__global__ void k(float *o) { int unused = 1; o[0] = 0.0f; }\n');
      const args = [...NVCC_FLAGS, '-arch=sm_80', '-c', 'bad.cu', '-o', 'bad.o'];
      await runTool(nvcc!, args, join(dir, 'bad.cu'), dir); // compiles without the flags
      await expect(runTool(nvcc!, [...args, ...WERROR], join(dir, 'bad.cu'), dir)).rejects.toThrow();
    },
    60_000,
  );
});

describe('PTX of strict builds holds no fma, .approx or .ftz', () => {
  const root = join(tmpdir(), 'volta-test-cuda-ptx');
  const strict = [
    { name: 'mlp', compiled: Volta.compileOnly(mlp()) },
    ...[...tiledGraphs(), ...convGraphs(), ...vectorGraphs()].map((k) => ({ name: k.name, compiled: Volta.compileOnly(k.graph) })),
  ];
  const src = batchCuda(strict.map((m) => m.compiled.source('cuda')));
  const kernels = strict.reduce((n, m) => n + m.compiled.schedule.kernels.length, 0);
  it.skipIf(!nvcc)(
    `${strict.map((m) => m.name).join(', ')}${nvcc ? '' : ' (skipped: nvcc is absent)'}`,
    async () => {
      const dir = join(root, cacheKey(src, NVCC_FLAGS));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'models.cu'), src);
      for (const arch of ['sm_80', 'sm_90']) {
        await runTool(
          nvcc!,
          [...NVCC_FLAGS, ...WERROR, `-arch=${arch}`, `-I${COMMON_INCLUDE_DIR}`, '-ptx', 'models.cu', '-o', `${arch}.ptx`],
          join(dir, 'models.cu'),
          dir,
        );
        const ptx = readFileSync(join(dir, `${arch}.ptx`), 'utf8');
        expect(ptx.match(/\.entry\s/g)?.length, `${arch}: one PTX entry per kernel`).toBe(kernels);
        expect(ptx.match(/\bfma\.\S+/g), arch).toBeNull();
        expect(ptx.match(/\S*\.approx\S*/g), arch).toBeNull();
        expect(ptx.match(/\S*\.ftz\S*/g), arch).toBeNull();
      }
    },
    180_000,
  );
});
