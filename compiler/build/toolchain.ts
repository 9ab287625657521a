// Finds the native toolchain and runs it with node:child_process (no shell; arguments passed
// as they are). A failed compiler run reports the exit code, the tail of stderr, the exact
// command and the kept source path, so anyone can reproduce it.
// (zx did this until the build-time work of issue 7: loading zx/core cost about 50 ms of every
// cache miss, and each command went through a shell.)
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { VoltaError } from '../ir/errors.ts';
import { ISA_FLAGS, type Isa } from './isa.ts';

/** The first executable `name` on PATH (as `which` finds it, symlinks not resolved), or undefined. */
export function which(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
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
    const cc = process.env.CC ?? which('cc');
    const cxx = process.env.CXX ?? which('c++') ?? which('g++');
    if (!cc || !cxx) {
      throw new VoltaError('VOLTA_E_TOOLCHAIN', {
        found: `no ${!cc ? 'C' : 'C++'} compiler on PATH`,
        hint: 'install gcc/g++ (apt-get install build-essential) or set CC/CXX',
      });
    }
    const nvcc = process.env.VOLTA_NVCC === '' ? undefined : (process.env.VOLTA_NVCC ?? which('nvcc'));
    const cudaHome = [process.env.CUDA_HOME, process.env.CUDA_PATH, '/usr/local/cuda'].find((d) => d && existsSync(join(d, 'include', 'cuda_runtime.h')));
    const ld = process.env.VOLTA_LD ?? (which('ld.gold') ? 'gold' : '');
    return { cc, cxx, nvcc: nvcc || undefined, cudaHome, cLinkFlags: ld === '' ? [] : [`-fuse-ld=${ld}`] };
  })();
  return cached;
}

/** Runs one compiler command; throws VOLTA_E_TOOLCHAIN with everything needed to reproduce. */
export async function runTool(cmd: string, args: readonly string[], keep: string, cwd?: string): Promise<number> {
  const t0 = performance.now();
  const r = await spawned(cmd, args, cwd);
  if (r.exitCode !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-25).join('\n');
    throw new VoltaError('VOLTA_E_TOOLCHAIN', {
      found: `${cmd} ${r.exitCode === null ? `was killed by ${r.signal}` : r.error !== undefined ? `could not run (${r.error})` : `exited with code ${r.exitCode}`}`,
      command: [cmd, ...args].join(' '),
      source: keep,
      hint: `reproduce with: cd ${cwd ?? '.'} && ${[cmd, ...args].join(' ')}\n${tail}`,
    });
  }
  return performance.now() - t0;
}

interface Spawned {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly error?: string;
}

/** Runs cmd with args (stdin empty, stdout dropped, stderr kept); never rejects. */
function spawned(cmd: string, args: readonly string[], cwd?: string): Promise<Spawned> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    child.once('error', (e) => done({ exitCode: -1, signal: null, stderr: '', error: e.message }));
    child.once('close', (exitCode, signal) => done({ exitCode, signal, stderr: Buffer.concat(chunks).toString('utf8') }));
  });
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
