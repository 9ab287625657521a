// Builds a compiled model into a node addon, cached by fingerprint:
//   <cacheDir>/<fingerprint>/<backend>-<source digest>/{model.c|model.cu, addon.cc, volta.node}
// Backend cuda-cpu builds the CUDA source (model.cu, unchanged) with the host C++ compiler and
// templates/cuda_cpu/cuda_cpu.h, Volta's CPU CUDA runtime (fibers on boost.context).
// The source digest (emitted model source, glue source, compiler flags) keys the artifact too: a
// Volta whose renderer emits other code for the same plans (an older or newer version) never
// loads this one's addon, even where the fingerprint agrees.
// A build happens in a private temp dir and is renamed into place, so a reader
// never sees a half-written artifact and concurrent builders cannot clash.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Backend } from '../codegen/dialect.ts';
import { COMMON_INCLUDE_DIR, fileTemplate, TEMPLATE_DIR } from '../codegen/templates.ts';
import { VoltaError } from '../ir/errors.ts';
import { sha256 } from '../ir/text.ts';
import { VOLTA_VERSION } from '../version.ts';
import { checkHostRuns, ISA_FLAGS, type Isa } from './isa.ts';
import { cFlags, findTools, NAPI_INCLUDE, NODE_INCLUDE, NVCC_ARCHS, NVCC_FLAGS, runTool } from './toolchain.ts';

/** What an addon is built for: a source backend, or the CUDA source run on the CPU. */
export type BuildBackend = Backend | 'cuda-cpu';

/** The CPU CUDA runtime that model.cu is compiled with (-include) for backend cuda-cpu. */
export const CUDA_CPU_HEADER = join(TEMPLATE_DIR, 'cuda_cpu', 'cuda_cpu.h');
let cudaCpuHeaderText: string | undefined;
/** The runtime header's text (part of every cuda-cpu artifact key), read once per process. */
const cudaCpuHeader = () => (cudaCpuHeaderText ??= readFileSync(CUDA_CPU_HEADER, 'utf8'));
/** Host C++ flags for model.cu on the CPU: strict float semantics as the C build (no contraction, no fast math). */
export const CUDA_CPU_FLAGS = [
  '-std=c++17',
  '-O2',
  '-fPIC',
  '-fvisibility=hidden',
  '-fvisibility-inlines-hidden',
  '-pthread',
  '-ffp-contract=off',
  '-fno-fast-math',
  '-fno-math-errno',
  '-Wall',
  '-Wno-unused-variable',
  '-Wno-unused-function',
  '-Wno-comment',
];
const CUDA_CPU_LIBS = ['-lboost_context', '-pthread'];

export interface BuildResult {
  readonly addonPath: string;
  readonly dir: string;
  readonly cacheHit: boolean;
  /** Milliseconds per stage (emit, cc, nvcc, cxx, link); empty on a hit. */
  readonly timings: Readonly<Record<string, number>>;
}

export function defaultCacheDir(): string {
  return resolve(process.env.VOLTA_CACHE_DIR ?? '.volta-cache');
}

/** The addon glue for a backend: the same for every model (metadata comes from the model object). */
export function addonSource(backend: BuildBackend): string {
  return fileTemplate('addon/addon.cc.hbs')({ version: VOLTA_VERSION, backend, cuda: backend !== 'c' });
}

const CXX_FLAGS = ['-std=c++17', '-O2', '-fPIC', '-fvisibility=hidden', '-pthread', '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_CPP_EXCEPTIONS'];

/**
 * The glue object, compiled once per Volta version + toolchain + ISA (its source,
 * flags and headers, including volta_rt.h) under <cacheDir>/glue/.
 */
async function glueObject(backend: BuildBackend, isa: Isa, cacheDir: string, timings: Record<string, number>): Promise<string> {
  const tools = await findTools();
  const src = addonSource(backend);
  const flags = [...CXX_FLAGS, ...ISA_FLAGS[isa], `-I${NODE_INCLUDE}`, `-I${NAPI_INCLUDE}`, `-I${COMMON_INCLUDE_DIR}`];
  const rt = readFileSync(join(COMMON_INCLUDE_DIR, 'volta_rt.h'), 'utf8');
  // The key holds the header's text, not the directory it is read from: the sources (templates/common)
  // and the build (dist/templates/common) share one glue object instead of building one each.
  const keyFlags = flags.map((f) => (f === `-I${COMMON_INCLUDE_DIR}` ? '-I<volta common headers>' : f));
  const key = sha256([src, rt, VOLTA_VERSION, tools.cxx, ...keyFlags, process.version].join('\n')).slice(0, 32);
  const obj = join(cacheDir, 'glue', `${backend}-${isa}-${key}.o`);
  if (existsSync(obj)) return obj;
  const tmp = join(cacheDir, `.tmp-${process.pid}-${randomUUID()}`);
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'addon.cc'), src);
  timings.cxx = await runTool(tools.cxx, [...flags, '-c', 'addon.cc', '-o', 'addon.o'], join(tmp, 'addon.cc'), tmp);
  mkdirSync(dirname(obj), { recursive: true });
  renameSync(join(tmp, 'addon.o'), obj);
  rmSync(tmp, { recursive: true, force: true });
  return obj;
}

/** Compiles only the CUDA source to an object (no GPU needed); used by tests and `volta compile`. */
export async function compileCudaObject(source: string, dir: string): Promise<number> {
  const tools = await findTools();
  if (!tools.nvcc) throw new VoltaError('VOLTA_E_TOOLCHAIN', { found: 'nvcc is not on PATH', hint: 'install the CUDA toolkit or use target: c' });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.cu'), source);
  return runTool(tools.nvcc, [...NVCC_FLAGS, ...NVCC_ARCHS, `-I${COMMON_INCLUDE_DIR}`, '-c', 'model.cu', '-o', 'model_cuda.o'], join(dir, 'model.cu'), dir);
}

/** Compiles model.cu with the host C++ compiler and the CPU CUDA runtime (backend cuda-cpu); no GPU or nvcc. */
export async function compileCudaCpuObject(source: string, dir: string): Promise<number> {
  const tools = await findTools();
  writeFileSync(join(dir, 'model.cu'), source);
  const args = [...CUDA_CPU_FLAGS, `-I${COMMON_INCLUDE_DIR}`, '-include', CUDA_CPU_HEADER, '-x', 'c++', '-c', 'model.cu', '-o', 'model_cuda_cpu.o'];
  try {
    return await runTool(tools.cxx, args, join(dir, 'model.cu'), dir);
  } catch (e) {
    if (e instanceof VoltaError && String(e.details.hint).includes('boost/context')) {
      throw new VoltaError('VOLTA_E_TOOLCHAIN', {
        found: 'boost.context headers are missing (target cuda-cpu runs CUDA threads as boost.context fibers)',
        command: e.details.command,
        hint: "install Debian/Ubuntu's libboost-context-dev (apt-get install libboost-context-dev), or use target: 'c'",
      });
    }
    throw e;
  }
}

/** What a build needs of a compiled model: its fingerprint and its emitted sources. */
export interface BuildInput {
  readonly fingerprint: string;
  readonly options: { readonly isa: Isa; readonly mode: 'strict' | 'balanced' };
  source(backend: Backend): string;
}

/** The emitted source a build backend compiles: cuda-cpu runs the CUDA source. */
export const sourceBackend = (b: BuildBackend): Backend => (b === 'c' ? 'c' : 'cuda');

/** What else decides an artifact's bytes besides the fingerprint: the exact sources and flags it is built from. */
export function artifactKey(c: BuildInput, backend: BuildBackend): string {
  const flags = [...cFlags(c.options.isa, c.options.mode), ...CXX_FLAGS, ...NVCC_FLAGS, ...NVCC_ARCHS];
  if (backend === 'cuda-cpu') flags.push(...CUDA_CPU_FLAGS, ...CUDA_CPU_LIBS, cudaCpuHeader());
  return sha256([VOLTA_VERSION, c.source(sourceBackend(backend)), addonSource(backend), ...flags].join('\n')).slice(0, 16);
}

export async function buildAddon(c: BuildInput, backend: BuildBackend, cacheDir = defaultCacheDir()): Promise<BuildResult> {
  if (backend === 'c') checkHostRuns(c.options.isa);
  const dir = join(cacheDir, c.fingerprint, `${backend}-${artifactKey(c, backend)}`);
  const addonPath = join(dir, 'volta.node');
  if (existsSync(addonPath)) return { addonPath, dir, cacheHit: true, timings: {} };
  const tools = await findTools();
  const tmp = join(cacheDir, `.tmp-${process.pid}-${randomUUID()}`);
  mkdirSync(tmp, { recursive: true });
  const timings: Record<string, number> = {};
  try {
    // Sources are emitted (and timed, as emit-<backend>) by the compiler; this only writes them.
    const source = c.source(sourceBackend(backend));
    const t0 = performance.now();
    const objects: string[] = [];
    // model.cu is written (and nvcc's presence checked) by compileCudaObject below.
    if (backend === 'c') writeFileSync(join(tmp, 'model.c'), source);
    writeFileSync(join(tmp, 'addon.cc'), addonSource(backend));
    timings.write = performance.now() - t0;
    const jobs: Promise<unknown>[] = [];
    if (backend === 'cuda') {
      jobs.push(compileCudaObject(source, tmp).then((ms) => void (timings.nvcc = ms)));
      objects.push('model_cuda.o');
    } else if (backend === 'cuda-cpu') {
      jobs.push(compileCudaCpuObject(source, tmp).then((ms) => void (timings.cc = ms)));
      objects.push('model_cuda_cpu.o');
    } else {
      jobs.push(
        runTool(
          tools.cc,
          [...cFlags(c.options.isa, c.options.mode), `-I${COMMON_INCLUDE_DIR}`, '-c', 'model.c', '-o', 'model.o'],
          join(tmp, 'model.c'),
          tmp,
        ).then((ms) => void (timings.cc = ms)),
      );
      objects.push('model.o');
    }
    const glue = glueObject(backend, c.options.isa, cacheDir, timings);
    jobs.push(glue);
    await Promise.all(jobs);
    const libs =
      backend === 'cuda'
        ? [`-L${join(tools.cudaHome ?? '/usr/local/cuda', 'lib64')}`, '-lcudart_static', '-ldl', '-lpthread', '-lrt']
        : backend === 'cuda-cpu'
          ? CUDA_CPU_LIBS
          : ['-pthread', ...tools.cLinkFlags];
    timings.link = await runTool(tools.cxx, ['-shared', '-o', 'volta.node', await glue, ...objects, ...libs], join(tmp, 'addon.cc'), tmp);
    for (const o of objects) rmSync(join(tmp, o), { force: true });
    mkdirSync(join(cacheDir, c.fingerprint), { recursive: true });
    try {
      renameSync(tmp, dir);
    } catch (e) {
      // Another process finished the same fingerprint first: its artifact is identical.
      if (!existsSync(addonPath)) throw e;
      rmSync(tmp, { recursive: true, force: true });
    }
    return { addonPath, dir, cacheHit: false, timings };
  } catch (e) {
    // Keep the sources of a failed compiler run (the error names them); drop anything else.
    if (!(e instanceof VoltaError && e.code === 'VOLTA_E_TOOLCHAIN')) rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
