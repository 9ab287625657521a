// Is a CUDA device usable here? A tiny addon linked against the CUDA runtime
// answers (cudaGetDeviceCount); built once per cache dir. Without nvcc/cudart
// the answer is no, with the reason.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findTools, NAPI_INCLUDE, NODE_INCLUDE, runTool } from '../compiler/build/toolchain.ts';

const SOURCE = `// Volta CUDA probe: reports the number of usable CUDA devices.
#include <napi.h>
#include <cuda_runtime_api.h>
static Napi::Value Count(const Napi::CallbackInfo &info) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  Napi::Object r = Napi::Object::New(info.Env());
  r.Set("count", Napi::Number::New(info.Env(), e == cudaSuccess ? n : 0));
  r.Set("error", Napi::String::New(info.Env(), e == cudaSuccess ? "" : cudaGetErrorString(e)));
  return r;
}
static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("count", Napi::Function::New(env, Count));
  return exports;
}
NODE_API_MODULE(volta_cuda_probe, Init)
`;

export interface CudaStatus {
  readonly devices: number;
  readonly reason: string;
}

let cached: CudaStatus | undefined;

export async function cudaStatus(cacheDir: string): Promise<CudaStatus> {
  if (cached) return cached;
  const tools = await findTools();
  if (!tools.nvcc || !tools.cudaHome) {
    cached = { devices: 0, reason: 'the CUDA toolkit (nvcc, cudart) is not installed' };
    return cached;
  }
  const dir = join(cacheDir, 'cuda-probe');
  const file = join(dir, 'probe.node');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'probe.cc'), SOURCE);
    const tmp = `probe-${process.pid}.node`;
    await runTool(
      tools.cxx,
      [
        '-std=c++17',
        '-O2',
        '-shared',
        '-fPIC',
        '-DNAPI_VERSION=8',
        '-DNODE_ADDON_API_DISABLE_CPP_EXCEPTIONS',
        `-I${NODE_INCLUDE}`,
        `-I${NAPI_INCLUDE}`,
        `-I${join(tools.cudaHome, 'include')}`,
        'probe.cc',
        '-o',
        tmp,
        `-L${join(tools.cudaHome, 'lib64')}`,
        '-lcudart_static',
        '-ldl',
        '-lpthread',
        '-lrt',
      ],
      join(dir, 'probe.cc'),
      dir,
    );
    renameSync(join(dir, tmp), file);
  }
  const r = createRequire(import.meta.url)(file).count() as { count: number; error: string };
  cached = { devices: r.count, reason: r.count > 0 ? '' : `cudaGetDeviceCount found no device (${r.error || 'count 0'})` };
  return cached;
}
