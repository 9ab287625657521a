/* cuda_cpu_shim.h: lets Volta's emitted .cu compile unchanged as host C++ and
 * run on the CPU, for bit-parity tests against the C backend:
 *
 *   g++ -std=c++17 -O2 -ffp-contract=off -x c++ -include cuda_cpu_shim.h model.cu
 *
 * Only what the emission contract allows is provided: cudaLaunchKernelEx runs
 * every block and thread of a launch sequentially, which is exact for kernels
 * without barriers, shared memory, warp ops or atomics. Those, and libm/CUDA
 * math (strict code uses volta_* math only), are poisoned so a kernel that uses
 * them fails to compile here instead of silently running different code.
 * Neither __CUDACC__ nor __CUDA_ARCH__ is defined, so volta_math.h and
 * volta_ops.h take their host paths: the same code the C backend runs.
 *
 * VOLTA_CPU_ORDER=reverse runs blocks and threads last to first, to shake out
 * kernels whose result depends on thread order. */
#ifndef VOLTA_CUDA_CPU_SHIM_H
#define VOLTA_CUDA_CPU_SHIM_H

#if defined(__CUDACC__) || defined(__CUDA_ARCH__)
#error "cuda_cpu_shim.h is for a host C++ compiler, not nvcc"
#endif

/* Every header the shim or the emitted code needs, before the poison below. */
#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
/* __restrict__ is a GNU C++ keyword already. */

struct uint3 {
  unsigned int x, y, z;
};

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

/* Per-thread like CUDA's builtins; set by cudaLaunchKernelEx before each call. */
inline thread_local uint3 threadIdx = {0, 0, 0};
inline thread_local uint3 blockIdx = {0, 0, 0};
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
};
typedef enum cudaError_t cudaError;

inline const char *cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
  }
  return "cudaErrorUnknown";
}

inline const char *cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
  }
  return "unknown error";
}

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

/* "Device" memory is host memory, 256-byte aligned like cudaMalloc's, and filled
 * with 0xff (NaN as float) so a kernel reading memory nobody wrote shows up. */
inline cudaError_t cudaMalloc(void **p, size_t bytes) {
  if (p == nullptr) return cudaErrorInvalidValue;
  size_t n = (bytes + 255) / 256 * 256;
  *p = std::aligned_alloc(256, n == 0 ? 256 : n);
  if (*p == nullptr) return cudaErrorMemoryAllocation;
  std::memset(*p, 0xff, n == 0 ? 256 : n);
  return cudaSuccess;
}

inline cudaError_t cudaFree(void *p) {
  std::free(p);
  return cudaSuccess;
}

inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) return cudaErrorInvalidValue;
  if (bytes != 0 && (dst == nullptr || src == nullptr)) return cudaErrorInvalidValue;
  if (bytes != 0) std::memmove(dst, src, bytes);
  return cudaSuccess;
}

inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }

inline cudaError_t cudaGetDeviceCount(int *n) {
  if (n == nullptr) return cudaErrorInvalidValue;
  *n = 1;
  return cudaSuccess;
}

struct cudaLaunchAttribute;
typedef struct CUstream_st *cudaStream_t;

struct cudaLaunchConfig_t {
  dim3 gridDim;
  dim3 blockDim;
  size_t dynamicSmemBytes;
  cudaStream_t stream;
  cudaLaunchAttribute *attrs;
  unsigned int numAttrs;
};

inline bool volta_shim_reverse_order() {
  const char *o = std::getenv("VOLTA_CPU_ORDER");
  return o != nullptr && std::strcmp(o, "reverse") == 0;
}

/* Runs kernel(args...) once per (block, thread), sequentially. Arguments convert
 * to the kernel's parameter types as they would through CUDA's void*[] packing. */
template <typename... P, typename... A>
cudaError_t cudaLaunchKernelEx(const cudaLaunchConfig_t *cfg, void (*kernel)(P...), A &&...args) {
  static_assert(sizeof...(P) == sizeof...(A), "cudaLaunchKernelEx: argument count differs from the kernel's parameters");
  if (cfg == nullptr || kernel == nullptr) return cudaErrorInvalidValue;
  const dim3 g = cfg->gridDim, b = cfg->blockDim;
  if (g.x == 0 || g.y == 0 || g.z == 0 || b.x == 0 || b.y == 0 || b.z == 0) return cudaErrorInvalidConfiguration;
  if (g.x > 2147483647u || g.y > 65535u || g.z > 65535u) return cudaErrorInvalidConfiguration;
  if (b.x > 1024u || b.y > 1024u || b.z > 64u || (uint64_t)b.x * b.y * b.z > 1024u) return cudaErrorInvalidConfiguration;
  if (cfg->dynamicSmemBytes != 0 || cfg->numAttrs != 0) return cudaErrorInvalidValue; /* no shared memory, no attributes */
  gridDim = g;
  blockDim = b;
  const uint64_t blocks = (uint64_t)g.x * g.y * g.z, threads = (uint64_t)b.x * b.y * b.z;
  const bool rev = volta_shim_reverse_order();
  for (uint64_t bi = 0; bi < blocks; bi++) {
    const uint64_t bl = rev ? blocks - 1 - bi : bi;
    blockIdx = {(unsigned)(bl % g.x), (unsigned)(bl / g.x % g.y), (unsigned)(bl / g.x / g.y)};
    for (uint64_t ti = 0; ti < threads; ti++) {
      const uint64_t t = rev ? threads - 1 - ti : ti;
      threadIdx = {(unsigned)(t % b.x), (unsigned)(t / b.x % b.y), (unsigned)(t / b.x / b.y)};
      kernel(static_cast<P>(args)...);
    }
  }
  return cudaSuccess;
}

/* Outside the emission contract: any use is a compile error ("attempt to use poisoned"). */
#pragma GCC poison __shared__ __syncthreads __syncwarp __threadfence __constant__
#pragma GCC poison atomicAdd atomicSub atomicExch atomicMin atomicMax atomicCAS atomicInc atomicDec atomicAnd atomicOr atomicXor
#pragma GCC poison __shfl_sync __shfl_up_sync __shfl_down_sync __shfl_xor_sync __ballot_sync __any_sync __all_sync
/* Math not from volta_math.h: libm and CUDA differ in the last bits, and the fast intrinsics more. */
#pragma GCC poison expf exp2f expm1f logf log2f log10f log1pf powf sqrtf rsqrtf cbrtf sinf cosf tanf tanhf sinhf coshf erff erfcf
#pragma GCC poison exp log pow sqrt tanh erf fmaf fmaxf fminf fabsf floorf ceilf roundf truncf
#pragma GCC poison __expf __exp10f __logf __log2f __log10f __powf __sinf __cosf __tanf __fdividef __saturatef __frsqrt_rn

#endif
