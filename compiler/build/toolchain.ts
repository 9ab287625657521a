// Finds the native toolchain and runs it through zx. A failed compiler run
// reports the exit code, the tail of stderr, the exact command and the kept
// source path, so anyone can reproduce it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { VoltaError } from '../ir/errors.ts';
import { ISA_FLAGS, type Isa } from './isa.ts';

// zx is loaded on the first build, not when this module is: a cache hit never pays for it, and
// 'zx/core' ($ and which) loads about half of what the full 'zx' entry does (no fs-extra, glob, YAML, minimist, dotenv).
let zx: Promise<typeof import('zx/core')> | undefined;
const loadZx = () => (zx ??= import('zx/core'));

const require = createRequire(import.meta.url);

/** Node's C headers: next to the running node, or where distributions put them. */
export const NODE_INCLUDE =
  [
    process.env.VOLTA_NODE_INCLUDE,
    join(process.config.variables.node_prefix as unknown as string, 'include', 'node'),
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].find((d) => d !== undefined && existsSync(join(d, 'node_api.h'))) ?? '/usr/include/node';
export const NAPI_INCLUDE = dirname(require.resolve('node-addon-api/package.json'));

export interface Tools {
  readonly cc: string;
  readonly cxx: string;
  readonly nvcc?: string;
  readonly cudaHome?: string;
}

let cached: Promise<Tools> | undefined;

export function findTools(): Promise<Tools> {
  cached ??= (async () => {
    const { which } = await loadZx();
    const cc = process.env.CC ?? (await which('cc', { nothrow: true })) ?? undefined;
    const cxx = process.env.CXX ?? (await which('c++', { nothrow: true })) ?? (await which('g++', { nothrow: true })) ?? undefined;
    if (!cc || !cxx) {
      throw new VoltaError('VOLTA_E_TOOLCHAIN', {
        found: `no ${!cc ? 'C' : 'C++'} compiler on PATH`,
        hint: 'install gcc/g++ (apt-get install build-essential) or set CC/CXX',
      });
    }
    const nvcc = process.env.VOLTA_NVCC === '' ? undefined : (process.env.VOLTA_NVCC ?? (await which('nvcc', { nothrow: true })) ?? undefined);
    const cudaHome = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].find((d) => d && existsSync(join(d, 'include', 'cuda_runtime.h')));
    return { cc, cxx, nvcc: nvcc || undefined, cudaHome };
  })();
  return cached;
}

/** Runs one compiler command; throws VOLTA_E_TOOLCHAIN with everything needed to reproduce. */
export async function runTool(cmd: string, args: readonly string[], keep: string, cwd?: string): Promise<number> {
  const { $ } = await loadZx();
  const t0 = performance.now();
  const r = await $({ quiet: true, nothrow: true, cwd, input: '' })`${cmd} ${args}`;
  if (r.exitCode !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-25).join('\n');
    throw new VoltaError('VOLTA_E_TOOLCHAIN', {
      found: `${cmd} exited with ${r.exitCode === null ? `signal ${r.signal}` : `code ${r.exitCode}`}`,
      command: [cmd, ...args].join(' '),
      source: keep,
      hint: `reproduce with: cd ${cwd ?? '.'} && ${[cmd, ...args].join(' ')}\n${tail}`,
    });
  }
  return performance.now() - t0;
}

export const C_FLAGS = ['-std=c11', '-O3', '-fPIC', '-fvisibility=hidden', '-fno-fast-math', '-fno-math-errno', '-Wall', '-Wno-unused-variable'];

/**
 * Flags for model.c: the ISA's -march, and FMA contraction only in balanced mode (strict mode keeps
 * every multiply and add rounded on its own, as the interpreter and the CUDA build do).
 */
export function cFlags(isa: Isa, mode: 'strict' | 'balanced'): string[] {
  return [...C_FLAGS, ...ISA_FLAGS[isa], mode === 'strict' ? '-ffp-contract=off' : '-ffp-contract=fast'];
}
export const NVCC_FLAGS = ['-std=c++17', '-O3', '-Xcompiler', '-fPIC', '-fmad=false', '-prec-div=true', '-prec-sqrt=true', '-ftz=false'];
export const NVCC_ARCHS = ['-gencode', 'arch=compute_80,code=sm_80', '-gencode', 'arch=compute_90,code=sm_90'];
