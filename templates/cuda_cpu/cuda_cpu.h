/* cuda_cpu.h: Volta's CPU CUDA runtime (target cuda-cpu). Runs the emitted model.cu, kernels and host
 * glue, unchanged, as host C++:
 *
 *   g++ -std=c++17 -O2 -ffp-contract=off -x c++ -include cuda_cpu.h model.cu ... -lboost_context -pthread
 *
 * - Blocks go to a persistent pool of worker OS threads (one per core, or $VOLTA_CPU_WORKERS), taken
 *   from an atomic counter; a block runs wholly on one worker.
 * - __shared__ is thread_local: the threads of a block are user-level fibers (boost.context fcontext)
 *   on one worker, so they share one copy while other workers run other blocks.
 * - __syncthreads() is a real barrier: a fiber waits until every thread of its block has arrived.
 *   __syncwarp() likewise for the 32 lanes of a warp; __shfl_*_sync exchange through per-lane slots
 *   between two warp barriers. A barrier that not every thread reaches (a thread finished or waits at
 *   another barrier) aborts the launch with cudaErrorLaunchFailure, whose string starts "divergent barrier".
 * - Fast path: the block's first thread runs in a fiber; if it finishes without a barrier, the others
 *   run as a plain loop (then any barrier is divergent: the first thread never reached it). So warp
 *   operations must be reached by the first thread's warp too (Volta's kernels do); else the launch fails.
 * - VOLTA_CPU_ORDER=reverse runs blocks and threads last to first; kernels must give the same bits.
 * - Approximate CUDA intrinsics, libm, atomics and anything outside the emission contract are
 *   poisoned: code that uses them fails to compile rather than silently running other math.
 * Neither __CUDACC__ nor __CUDA_ARCH__ is defined: volta_math.h/volta_ops.h take the C backend's paths. */
#ifndef VOLTA_CUDA_CPU_H
#define VOLTA_CUDA_CPU_H
#if defined(__CUDACC__) || defined(__CUDA_ARCH__)
#error "cuda_cpu.h is for a host C++ compiler, not nvcc"
#endif

/* Every header this runtime or the emitted code needs, before the poison at the end. */
#include <boost/context/detail/fcontext.hpp>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ thread_local
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
/* __restrict__ is a GNU C++ keyword already. */

struct uint3 {
  unsigned int x, y, z;
};
/* The vector type of the vectorised elementwise kernels (16-byte aligned, as CUDA's). */
struct __attribute__((aligned(16))) float4 {
  float x, y, z, w;
};
struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};
constexpr int warpSize = 32;

/* Per-thread builtins: thread_local per worker, set by the scheduler before each fiber runs. */
inline thread_local uint3 threadIdx = {0, 0, 0};
inline thread_local uint3 blockIdx = {0, 0, 0};
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;
/* The one dynamic shared buffer of the emission contract (48 KiB, the default CUDA limit). */
constexpr size_t VOLTA_CPU_DYN_SMEM = 48 * 1024;
extern thread_local __attribute__((aligned(16))) unsigned char volta_smem[];
inline thread_local __attribute__((aligned(16))) unsigned char volta_smem[VOLTA_CPU_DYN_SMEM];

enum cudaError_t {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorLaunchFailure = 719,
};
typedef enum cudaError_t cudaError;
enum cudaMemcpyKind { cudaMemcpyHostToHost, cudaMemcpyHostToDevice, cudaMemcpyDeviceToHost, cudaMemcpyDeviceToDevice, cudaMemcpyDefault };
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

/* Internal linkage (one TU per model): two addons in one process never bind each other's pool or fibers. */
namespace volta_cpu {
namespace {
namespace ctx = boost::context::detail;

enum State : unsigned char { RUNNABLE, AT_BARRIER, AT_WARP, DONE };
constexpr size_t STACK = 64 * 1024, PAGE = 4096;

struct Fiber {
  ctx::fcontext_t self = nullptr, caller = nullptr;
  unsigned tid = 0;
  State state = RUNNABLE;
};

/* One per launch: the type-erased kernel call and the launch's first error (the rest of it is skipped). */
struct Launch {
  void (*call)(const void *) = nullptr;
  const void *args = nullptr;
  dim3 grid, block;
  uint64_t blocks = 0, threads = 0;
  bool reverse = false;
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  char error[256] = {0};
  void fail(const char *msg) {
    bool no = false;
    if (failed.compare_exchange_strong(no, true)) snprintf(error, sizeof error, "%s", msg);
  }
};

/* Per worker: fiber stacks (allocated once, grown on demand) and the block being run. */
struct Worker {
  std::vector<unsigned char *> stacks;
  std::vector<Fiber> fibers;
  std::vector<uint64_t> slots; /* one 8-byte shuffle slot per thread of the block */
  Fiber *current = nullptr;    /* null: a plain (barrier-free) call */
  Launch *launch = nullptr;
  bool broken = false;         /* a barrier went wrong in this block: skip its remaining work */
  ~Worker() {
    for (unsigned char *s : stacks) munmap(s, STACK + PAGE);
  }
  unsigned char *stack(size_t i) {
    while (stacks.size() <= i) {
      void *p = mmap(nullptr, STACK + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) return nullptr;
      mprotect(p, PAGE, PROT_NONE); /* guard page below the stack */
      stacks.push_back(static_cast<unsigned char *>(p));
    }
    return stacks[i];
  }
};
inline thread_local Worker worker;

inline void set_thread(const Launch &l, uint64_t t) {
  threadIdx = {(unsigned)(t % l.block.x), (unsigned)(t / l.block.x % l.block.y), (unsigned)(t / l.block.x / l.block.y)};
}

inline void fiber_main(ctx::transfer_t t) {
  Fiber *f = static_cast<Fiber *>(t.data);
  f->caller = t.fctx;
  worker.launch->call(worker.launch->args);
  f->state = DONE;
  ctx::jump_fcontext(f->caller, nullptr);
}

/* Runs fiber f until it waits at a barrier or finishes. */
inline void resume(Fiber &f) {
  worker.current = &f;
  set_thread(*worker.launch, f.tid);
  ctx::transfer_t r = ctx::jump_fcontext(f.self, &f);
  f.self = r.fctx;
  worker.current = nullptr;
}

/* Called by a fiber at a barrier: back to the scheduler until released. */
inline void wait_at(State s, const char *what) {
  Fiber *f = worker.current;
  if (f == nullptr) { /* plain mode: the block's first thread finished without this barrier */
    char msg[256];
    const Launch &l = *worker.launch;
    snprintf(msg, sizeof msg, "divergent barrier: thread %u of block (%u,%u,%u) reached %s, which thread %llu of its block finished without", threadIdx.x,
             blockIdx.x, blockIdx.y, blockIdx.z, what, (unsigned long long)(l.reverse ? l.threads - 1 : 0));
    worker.launch->fail(msg);
    worker.broken = true;
    return;
  }
  f->state = s;
  ctx::transfer_t r = ctx::jump_fcontext(f->caller, nullptr);
  f->caller = r.fctx;
  set_thread(*worker.launch, f->tid);
}

inline const char *state_name(State s) { return s == AT_BARRIER ? "__syncthreads" : s == AT_WARP ? "a warp barrier" : "the end of the kernel"; }

inline bool start_fiber(Fiber &f, uint64_t i, uint64_t tid) {
  unsigned char *s = worker.stack(i);
  if (s == nullptr) return false;
  f.tid = (unsigned)tid;
  f.state = RUNNABLE;
  f.self = ctx::make_fcontext(s + PAGE + STACK, STACK, fiber_main);
  return true;
}

/* Runs one block: its first thread in a fiber, then either the others as a loop or all as fibers round-robin. */
inline void run_block(Launch &l, uint64_t b) {
  const uint64_t n = l.threads;
  const uint64_t bl = l.reverse ? l.blocks - 1 - b : b;
  blockIdx = {(unsigned)(bl % l.grid.x), (unsigned)(bl / l.grid.x % l.grid.y), (unsigned)(bl / l.grid.x / l.grid.y)};
  Worker &w = worker;
  w.launch = &l;
  w.broken = false;
  if (w.fibers.size() < n) w.fibers.resize(n);
  if (w.slots.size() < n) w.slots.resize(n);
  auto order = [&](uint64_t i) { return l.reverse ? n - 1 - i : i; };
  if (!start_fiber(w.fibers[0], 0, order(0))) return l.fail("cannot allocate a fiber stack");
  resume(w.fibers[0]);
  if (w.fibers[0].state == DONE) {
    for (uint64_t i = 1; i < n && !w.broken; i++) {
      set_thread(l, order(i));
      l.call(l.args);
    }
    return;
  }
  for (uint64_t i = 1; i < n; i++)
    if (!start_fiber(w.fibers[i], i, order(i))) return l.fail("cannot allocate a fiber stack");
  for (;;) {
    for (uint64_t i = 0; i < n && !w.broken; i++)
      if (w.fibers[i].state == RUNNABLE) resume(w.fibers[i]);
    if (w.broken) return;
    uint64_t at_bar = 0, done = 0;
    for (uint64_t i = 0; i < n; i++) at_bar += w.fibers[i].state == AT_BARRIER, done += w.fibers[i].state == DONE;
    if (done == n) return;
    bool progress = false;
    if (at_bar == n) {
      for (uint64_t i = 0; i < n; i++) w.fibers[i].state = RUNNABLE;
      continue;
    }
    /* Warp barriers: released when every lane of the warp (by tid) waits at one. */
    std::vector<State> by_tid(n);
    for (uint64_t i = 0; i < n; i++) by_tid[w.fibers[i].tid] = w.fibers[i].state;
    for (uint64_t wb = 0; wb < n; wb += 32) {
      bool all = true;
      for (uint64_t t = wb; t < wb + 32 && t < n; t++) all = all && by_tid[t] == AT_WARP;
      if (!all) continue;
      progress = true;
      for (uint64_t i = 0; i < n; i++)
        if (w.fibers[i].tid >= wb && w.fibers[i].tid < wb + 32) w.fibers[i].state = RUNNABLE;
    }
    if (progress) continue;
    /* No thread can move: name one waiting thread and one that is elsewhere. */
    uint64_t a = 0, c = 0;
    while (a < n && by_tid[a] == DONE) a++;
    while (c < n && by_tid[c] == by_tid[a]) c++;
    char msg[256];
    snprintf(msg, sizeof msg, "divergent barrier: in block (%u,%u,%u) thread %llu waits at %s while thread %llu is at %s", blockIdx.x, blockIdx.y,
             blockIdx.z, (unsigned long long)a, state_name(by_tid[a]), (unsigned long long)(c < n ? c : 0), state_name(c < n ? by_tid[c] : DONE));
    return l.fail(msg);
  }
}

inline void drain(Launch &l) {
  gridDim = l.grid;
  blockDim = l.block;
  for (;;) {
    const uint64_t b = l.next.fetch_add(1, std::memory_order_relaxed);
    if (b >= l.blocks || l.failed.load(std::memory_order_relaxed)) break;
    run_block(l, b);
  }
  worker.launch = nullptr;
}

/* The persistent pool: workers - 1 threads plus the launching thread. */
struct Pool {
  std::mutex m;
  std::condition_variable wake, idle;
  Launch *job = nullptr;
  uint64_t generation = 0;
  unsigned busy = 0;
  std::vector<std::thread> threads;
  bool stopping = false;
  Pool() {
    const char *e = getenv("VOLTA_CPU_WORKERS");
    unsigned n = e != nullptr && atoi(e) > 0 ? (unsigned)atoi(e) : std::thread::hardware_concurrency();
    if (n == 0) n = 1;
    for (unsigned i = 1; i < n; i++) threads.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> g(m);
      stopping = true;
    }
    wake.notify_all();
    for (std::thread &t : threads) t.join();
  }
  void loop() {
    uint64_t seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> g(m);
      wake.wait(g, [&] { return stopping || generation != seen; });
      if (stopping) return;
      seen = generation;
      Launch *l = job;
      if (l == nullptr) continue; /* woke after that launch had finished */
      busy++;
      g.unlock();
      drain(*l);
      g.lock();
      if (--busy == 0) idle.notify_all();
    }
  }
  std::mutex launching; /* one launch at a time per addon */
  void run(Launch &l) {
    std::lock_guard<std::mutex> one(launching);
    if (l.blocks > 1 && !threads.empty()) {
      std::lock_guard<std::mutex> g(m);
      job = &l;
      generation++;
      wake.notify_all();
    }
    drain(l);
    std::unique_lock<std::mutex> g(m);
    idle.wait(g, [&] { return busy == 0; });
    job = nullptr;
  }
};

inline Pool &pool() {
  static Pool p;
  return p;
}
inline thread_local char last_error[256] = "";

inline void warp_barrier(unsigned mask, const char *what) {
  if (mask != 0xffffffffu || (blockDim.x * blockDim.y * blockDim.z) % 32 != 0) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s with mask 0x%08x in a block of %u threads: only full warps and full masks are supported", what, mask,
             blockDim.x * blockDim.y * blockDim.z);
    worker.launch->fail(msg);
    worker.broken = true;
    return;
  }
  wait_at(AT_WARP, what);
}

inline unsigned lane_tid() { return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z); }

/* A shuffle: every lane publishes its value, a warp barrier, each reads its source lane, another barrier. */
template <typename T>
T shfl(unsigned mask, T v, unsigned src_in_warp, const char *what) {
  static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
  const unsigned tid = lane_tid(), base = tid & ~31u;
  uint64_t slot = 0;
  memcpy(&slot, &v, sizeof(T));
  worker.slots[tid] = slot;
  warp_barrier(mask, what);
  slot = worker.slots[base + src_in_warp];
  warp_barrier(mask, what);
  T r;
  memcpy(&r, &slot, sizeof(T));
  return r;
}
}  // namespace
}  // namespace volta_cpu

inline void __syncthreads() { volta_cpu::wait_at(volta_cpu::AT_BARRIER, "__syncthreads"); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { volta_cpu::warp_barrier(mask, "__syncwarp"); }
template <typename T>
T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
  const unsigned lane = volta_cpu::lane_tid() & 31u, seg = lane & ~(unsigned)(width - 1);
  return volta_cpu::shfl(mask, v, seg + ((unsigned)src & (unsigned)(width - 1)), "__shfl_sync");
}
template <typename T>
T __shfl_up_sync(unsigned mask, T v, unsigned d, int width = 32) {
  const unsigned lane = volta_cpu::lane_tid() & 31u, seg = lane & ~(unsigned)(width - 1);
  return volta_cpu::shfl(mask, v, lane - seg >= d ? lane - d : lane, "__shfl_up_sync");
}
template <typename T>
T __shfl_down_sync(unsigned mask, T v, unsigned d, int width = 32) {
  const unsigned lane = volta_cpu::lane_tid() & 31u, seg = lane & ~(unsigned)(width - 1);
  return volta_cpu::shfl(mask, v, lane - seg + d < (unsigned)width ? lane + d : lane, "__shfl_down_sync");
}
template <typename T>
T __shfl_xor_sync(unsigned mask, T v, int m, int width = 32) {
  const unsigned lane = volta_cpu::lane_tid() & 31u, seg = lane & ~(unsigned)(width - 1), src = lane ^ (unsigned)m;
  return volta_cpu::shfl(mask, v, src < seg + (unsigned)width ? src : lane, "__shfl_xor_sync");
}

/* Names and strings of the errors this runtime returns; a failed launch's string says what failed
 * in this thread's last launch ("divergent barrier: ..."). */
inline const char *cudaGetErrorName(cudaError_t e) {
  return e == cudaSuccess ? "cudaSuccess" : e == cudaErrorInvalidValue ? "cudaErrorInvalidValue" : e == cudaErrorMemoryAllocation ? "cudaErrorMemoryAllocation"
       : e == cudaErrorInvalidConfiguration ? "cudaErrorInvalidConfiguration" : e == cudaErrorLaunchFailure ? "cudaErrorLaunchFailure" : "cudaErrorUnknown";
}
inline const char *cudaGetErrorString(cudaError_t e) {
  if (e == cudaErrorLaunchFailure) return volta_cpu::last_error[0] ? volta_cpu::last_error : "unspecified launch failure";
  return e == cudaSuccess ? "no error" : e == cudaErrorInvalidValue ? "invalid argument" : e == cudaErrorMemoryAllocation ? "out of memory"
       : e == cudaErrorInvalidConfiguration ? "invalid configuration argument" : "unknown error";
}

/* "Device" memory is host memory, 256-byte aligned like cudaMalloc's, filled with 0xff (NaN as float). */
inline cudaError_t cudaMalloc(void **p, size_t bytes) {
  if (p == nullptr) return cudaErrorInvalidValue;
  const size_t n = bytes == 0 ? 256 : (bytes + 255) / 256 * 256;
  *p = aligned_alloc(256, n);
  if (*p == nullptr) return cudaErrorMemoryAllocation;
  memset(*p, 0xff, n);
  return cudaSuccess;
}
inline cudaError_t cudaFree(void *p) {
  free(p);
  return cudaSuccess;
}
inline cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
  if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) return cudaErrorInvalidValue;
  if (bytes != 0 && (dst == nullptr || src == nullptr)) return cudaErrorInvalidValue;
  if (bytes != 0) memmove(dst, src, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaMemset(void *p, int value, size_t bytes) {
  if (bytes != 0 && p == nullptr) return cudaErrorInvalidValue;
  if (bytes != 0) memset(p, value, bytes);
  return cudaSuccess;
}
inline cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaGetDeviceCount(int *n) {
  if (n == nullptr) return cudaErrorInvalidValue;
  *n = 1;
  return cudaSuccess;
}

/* Runs kernel(args...) for every block and thread; arguments convert to the kernel's parameter types as
 * through CUDA's void*[] packing. Returns when the grid is done (launches are synchronous here). */
template <typename... P, typename... A>
cudaError_t cudaLaunchKernelEx(const cudaLaunchConfig_t *cfg, void (*kernel)(P...), A &&...args) {
  static_assert(sizeof...(P) == sizeof...(A), "cudaLaunchKernelEx: argument count differs from the kernel's parameters");
  if (cfg == nullptr || kernel == nullptr) return cudaErrorInvalidValue;
  const dim3 g = cfg->gridDim, b = cfg->blockDim;
  if (g.x == 0 || g.y == 0 || g.z == 0 || b.x == 0 || b.y == 0 || b.z == 0) return cudaErrorInvalidConfiguration;
  if (g.x > 2147483647u || g.y > 65535u || g.z > 65535u) return cudaErrorInvalidConfiguration;
  if (b.x > 1024u || b.y > 1024u || b.z > 64u || (uint64_t)b.x * b.y * b.z > 1024u) return cudaErrorInvalidConfiguration;
  if (cfg->dynamicSmemBytes > VOLTA_CPU_DYN_SMEM || cfg->numAttrs != 0) return cudaErrorInvalidValue;
  struct Call {
    void (*kernel)(P...);
    std::tuple<A &&...> args;
  } call{kernel, std::forward_as_tuple(std::forward<A>(args)...)};
  volta_cpu::Launch l;
  l.call = [](const void *c) {
    const Call &k = *static_cast<const Call *>(c);
    std::apply([&](auto &&...a) { k.kernel(static_cast<P>(a)...); }, k.args);
  };
  l.args = &call;
  l.grid = g;
  l.block = b;
  l.blocks = (uint64_t)g.x * g.y * g.z;
  l.threads = (uint64_t)b.x * b.y * b.z;
  const char *o = getenv("VOLTA_CPU_ORDER");
  l.reverse = o != nullptr && strcmp(o, "reverse") == 0;
  volta_cpu::pool().run(l);
  if (!l.failed.load()) return cudaSuccess;
  snprintf(volta_cpu::last_error, sizeof volta_cpu::last_error, "%s", l.error);
  return cudaErrorLaunchFailure;
}

/* Outside the emission contract: any use is a compile error ("attempt to use poisoned"). */
#pragma GCC poison __threadfence __constant__ __syncthreads_count __syncthreads_and __syncthreads_or __ballot_sync __any_sync __all_sync
#pragma GCC poison atomicAdd atomicSub atomicExch atomicMin atomicMax atomicCAS atomicInc atomicDec atomicAnd atomicOr atomicXor
/* Math not from volta_math.h: libm and CUDA differ in the last bits, and the fast intrinsics (-use_fast_math forms) more. */
#pragma GCC poison expf exp2f expm1f logf log2f log10f log1pf powf sqrtf rsqrtf cbrtf sinf cosf tanf tanhf sinhf coshf erff erfcf
#pragma GCC poison exp log pow sqrt tanh erf fmaf fmaxf fminf fabsf floorf ceilf roundf truncf
#pragma GCC poison __expf __exp10f __logf __log2f __log10f __powf __sinf __cosf __tanf __sincosf __fdividef __saturatef __frsqrt_rn __exp2f

#endif
