// Finds the native toolchain and runs it through zx (the build's scripting layer: quoting, PATH
// lookup, output capture). zx is loaded on the first build, not when this module is: a cache hit never
// pays for it, and 'zx/core' ($ and which, about 45 ms) is half of the full 'zx' entry. A failed
// compiler run reports the exit code, the tail of stderr, the exact command and the kept source path,
// so anyone can reproduce it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { VoltaError } from '../ir/errors.ts';
import { ISA_FLAGS, type Isa } from './isa.ts';

let zx: Promise<typeof import('zx/core')> | undefined;
const loadZx = () => (zx ??= import('zx/core'));

/** The first executable `name` on PATH (or on `path`), as `which` finds it; undefined when there is none. */
export async function which(name: string, path?: string): Promise<string | undefined> {
  const z = await loadZx();
  return (await z.which(name, { nothrow: true, ...(path !== undefined ? { path } : {}) })) ?? undefined;
}

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
  /**
   * Extra flags for linking a C-backend addon: -fuse-ld=gold where ld.gold is on PATH (it links the
   * addon in about a third of the CPU time of ld.bfd: 19 vs 55 ms for the example MLP); VOLTA_LD=bfd
   * (or any other -fuse-ld name) chooses another, VOLTA_LD='' the compiler's default.
   */
  readonly cLinkFlags: readonly string[];
}

let cached: Promise<Tools> | undefined;

export function findTools(): Promise<Tools> {
  cached ??= (async () => {
    const cc = process.env.CC ?? (await which('cc'));
    const cxx = process.env.CXX ?? (await which('c++')) ?? (await which('g++'));
    if (!cc || !cxx) {
      throw new VoltaError('VOLTA_E_TOOLCHAIN', {
        found: `no ${!cc ? 'C' : 'C++'} compiler on PATH`,
        hint: 'install gcc/g++ (apt-get install build-essential) or set CC/CXX',
      });
    }
    const nvcc = process.env.VOLTA_NVCC === '' ? undefined : (process.env.VOLTA_NVCC ?? (await which('nvcc')));
    const cudaHome = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].find((d) => d && existsSync(join(d, 'include', 'cuda_runtime.h')));
    const ld = process.env.VOLTA_LD ?? ((await which('ld.gold')) ? 'gold' : '');
    return { cc, cxx, nvcc: nvcc || undefined, cudaHome, cLinkFlags: ld === '' ? [] : [`-fuse-ld=${ld}`] };
  })();
  return cached;
}

/** Runs one compiler command; throws VOLTA_E_TOOLCHAIN with everything needed to reproduce. */
export async function runTool(cmd: string, args: readonly string[], keep: string, cwd?: string): Promise<number> {
  const t0 = performance.now();
  const fail = (found: string, tail = '') =>
    new VoltaError('VOLTA_E_TOOLCHAIN', {
      found: `${cmd} ${found}`,
      command: [cmd, ...args].join(' '),
      source: keep,
      hint: `reproduce with: cd ${cwd ?? '.'} && ${[cmd, ...args].join(' ')}\n${tail}`,
    });
  // A missing compiler is named as such, not as the shell's exit code 127.
  if (isAbsolute(cmd) && !existsSync(cmd)) throw fail('could not run (no such file)');
  const { $ } = await loadZx();
  const r = await $({ quiet: true, nothrow: true, cwd, input: '' })`${cmd} ${args}`;
  if (r.exitCode !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-25).join('\n');
    throw fail(r.exitCode === null ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`, tail);
  }
  return performance.now() - t0;
}

export const C_FLAGS = ['-std=c11', '-O3', '-fPIC', '-fvisibility=hidden', '-fno-fast-math', '-fno-math-errno', '-Wall', '-Wno-unused-variable'];

/**
 * Flags for model.c: the ISA's -march, and FMA contraction only in balanced mode (strict mode keeps
 * every multiply and add rounded on its own, as the interpreter and the CUDA build do); balanced mode
 * also defines VOLTA_FP_CONTRACT, so that templates/common/volta_vec.h leaves a * b + c for gcc to fuse.
 */
export function cFlags(isa: Isa, mode: 'strict' | 'balanced'): string[] {
  return [...C_FLAGS, ...ISA_FLAGS[isa], ...(mode === 'strict' ? ['-ffp-contract=off'] : ['-ffp-contract=fast', '-DVOLTA_FP_CONTRACT'])];
}
export const NVCC_FLAGS = ['-std=c++17', '-O3', '-Xcompiler', '-fPIC', '-fmad=false', '-prec-div=true', '-prec-sqrt=true', '-ftz=false'];
export const NVCC_ARCHS = ['-gencode', 'arch=compute_80,code=sm_80', '-gencode', 'arch=compute_90,code=sm_90'];
