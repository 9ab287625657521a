// Volta 0.1.0: node-addon-api glue for compiled models (c backend).
#include <napi.h>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include "volta_rt.h"

// Model entry points and metadata, defined by the generated model.c / model.cu.
// The glue is the same for every model, so it is compiled once per cache and
// only the model source is compiled per fingerprint.
extern "C" {
int volta_run(void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena, const volta_rt *rt);
extern const uint64_t volta_scratch_bytes;
// Defined only by models compiled with the profile option; weak, since the glue is shared.
__attribute__((weak)) int volta_run_profiled(void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena, const volta_rt *rt,
                                             uint64_t (*now)(void), uint64_t *ns);
__attribute__((weak)) extern const uint64_t volta_num_kernels;
__attribute__((weak)) extern const char *const volta_kernel_names[];
extern const char volta_fingerprint[];
extern const uint64_t volta_num_inputs;
extern const uint64_t volta_num_outputs;
extern const uint64_t volta_input_bytes[];
extern const uint64_t volta_output_bytes[];
extern const uint64_t volta_arena_bytes;
extern const uint64_t volta_weights_bytes;
}

static Napi::Value Fail(Napi::Env env, const std::string &msg) {
  Napi::Error::New(env, "[VOLTA_E_ADDON] " + msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Bytes of a TypedArray or ArrayBuffer argument; false if it is neither.
static bool Bytes(Napi::Value v, uint8_t **ptr, size_t *len) {
  if (v.IsTypedArray()) {
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    *ptr = static_cast<uint8_t *>(t.ArrayBuffer().Data()) + t.ByteOffset();
    *len = t.ByteLength();
    return true;
  }
  if (v.IsArrayBuffer()) {
    Napi::ArrayBuffer b = v.As<Napi::ArrayBuffer>();
    *ptr = static_cast<uint8_t *>(b.Data());
    *len = b.ByteLength();
    return true;
  }
  return false;
}

static bool CheckList(Napi::Env env, Napi::Value v, const char *what, const uint64_t *expect, size_t n, void **out) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != n) {
    Fail(env, std::string(what) + ": expected an array of " + std::to_string(n) + " buffers");
    return false;
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *p = nullptr;
    size_t len = 0;
    if (!Bytes(a.Get(i), &p, &len) || len != expect[i]) {
      Fail(env, std::string(what) + " " + std::to_string(i) + ": expected " + std::to_string(expect[i]) + " bytes, got " + std::to_string(len));
      return false;
    }
    out[i] = p;
  }
  return true;
}

// The session's thread pool: threads - 1 workers plus the calling thread, created
// once per session and reused by every run. A kernel's tasks are handed out one at
// a time. The caller never waits for a worker that has not started on a kernel (on
// a busy machine a descheduled worker would stall the run): it waits only for its
// tasks to finish and for workers already inside the previous kernel to leave.
// `state` packs the kernel's generation (high 32 bits) with the count of workers
// inside it (low 32): a worker enters by a CAS that also checks the generation, and
// a new kernel is published only when that count is 0, into the job record the
// previous-but-one kernel used (which nobody can enter any more).
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

constexpr int kSpins = 1 << 14;

struct Job {
  volta_task_fn fn = nullptr;
  const void *args = nullptr;
  int64_t tasks = 0;
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
};

struct Pool {
  volta_rt rt{};
  int threads = 1;
  std::vector<float *> scratch;
  std::vector<std::thread> workers;
  Job jobs[2];
  std::atomic<uint64_t> state{0};
  std::atomic<int> sleepers{0};
  std::atomic<bool> stopping{false};
  std::mutex m;
  std::condition_variable cv;
};

inline uint64_t Gen(uint64_t s) { return s >> 32; }

void Drain(Job &j, float *scratch) {
  for (;;) {
    const int64_t t = j.next.fetch_add(1, std::memory_order_acq_rel);
    if (t >= j.tasks) return;
    j.fn(j.args, t, t + 1, scratch);
    j.done.fetch_add(1, std::memory_order_acq_rel);
  }
}

void Worker(Pool *p, int id) {
  uint64_t seen = 0;
  int spins = 0;
  for (;;) {
    if (p->stopping.load(std::memory_order_acquire)) return;
    uint64_t s = p->state.load(std::memory_order_seq_cst);
    if (Gen(s) == seen) {
      if (++spins < kSpins) {
        CpuRelax();
        continue;
      }
      std::unique_lock<std::mutex> lock(p->m);
      p->sleepers.fetch_add(1, std::memory_order_seq_cst);
      p->cv.wait(lock, [&] { return Gen(p->state.load(std::memory_order_seq_cst)) != seen || p->stopping.load(); });
      p->sleepers.fetch_sub(1, std::memory_order_seq_cst);
      spins = 0;
      continue;
    }
    // Enter the kernel of generation Gen(s), unless it has been replaced meanwhile.
    if (!p->state.compare_exchange_weak(s, s + 1, std::memory_order_seq_cst)) continue;
    seen = Gen(s);
    spins = 0;
    Drain(p->jobs[seen & 1], p->scratch[id]);
    p->state.fetch_sub(1, std::memory_order_seq_cst);
  }
}

void Parallel(const volta_rt *rt, volta_task_fn fn, const void *args, int64_t tasks) {
  Pool *p = static_cast<Pool *>(rt->pool);
  uint64_t s = p->state.load(std::memory_order_seq_cst);
  Job &j = p->jobs[(Gen(s) + 1) & 1];
  j.fn = fn;
  j.args = args;
  j.tasks = tasks;
  j.next.store(0, std::memory_order_relaxed);
  j.done.store(0, std::memory_order_relaxed);
  // Publish: only once no worker is inside the previous kernel.
  for (int spins = 0;; spins++) {
    s = p->state.load(std::memory_order_seq_cst) & ~uint64_t{0xffffffffu};
    if (p->state.compare_exchange_weak(s, s + (uint64_t{1} << 32), std::memory_order_seq_cst)) break;
    if (spins < kSpins) CpuRelax();
    else std::this_thread::yield();
  }
  if (p->sleepers.load(std::memory_order_seq_cst) > 0) {
    { std::lock_guard<std::mutex> lock(p->m); }
    p->cv.notify_all();
  }
  Drain(j, p->scratch[0]);
  for (int spins = 0; j.done.load(std::memory_order_acquire) != tasks; spins++) {
    if (spins < kSpins) CpuRelax();
    else std::this_thread::yield();
  }
}

void FreePool(Napi::Env, Pool *p) {
  p->stopping.store(true, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(p->m);
  }
  p->cv.notify_all();
  for (auto &t : p->workers) t.join();
  for (float *s : p->scratch) std::free(s);
  delete p;
}

}  // namespace

// createPool(threads, minParallelWork): the session's pool, freed with the session.
static Napi::Value CreatePool(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber()) return Fail(env, "createPool expects (threads, minParallelWork)");
  const int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads < 1 || threads > 1024) return Fail(env, "createPool: threads must be in 1..1024");
  Pool *p = new Pool();
  p->threads = threads;
  const size_t bytes = ((static_cast<size_t>(volta_scratch_bytes) + 63) / 64) * 64 + 64;
  for (int i = 0; i < threads; i++) {
    float *s = static_cast<float *>(std::aligned_alloc(64, bytes));
    if (s == nullptr) {
      for (float *q : p->scratch) std::free(q);
      delete p;
      return Fail(env, "createPool: cannot allocate " + std::to_string(bytes) + " bytes of scratch per thread");
    }
    p->scratch.push_back(s);
  }
  p->rt.parallel = threads > 1 ? Parallel : nullptr;
  p->rt.pool = p;
  p->rt.scratch = p->scratch[0];
  p->rt.min_parallel_work = info[1].As<Napi::Number>().DoubleValue();
  for (int i = 1; i < threads; i++) p->workers.emplace_back(Worker, p, i);
  return Napi::External<Pool>::New(env, p, FreePool);
}

static uint64_t NowNs(void) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// Weights and arena arguments, checked; false after throwing.
static bool WeightsArena(Napi::Env env, Napi::Value w, Napi::Value a, uint8_t **weights, uint8_t **arena) {
  size_t wlen = 0, alen = 0;
  if (!Bytes(w, weights, &wlen) || wlen != volta_weights_bytes) {
    Fail(env, "weights: expected " + std::to_string(volta_weights_bytes) + " bytes");
    return false;
  }
  if (!Bytes(a, arena, &alen) || alen < volta_arena_bytes) {
    Fail(env, "arena: expected at least " + std::to_string(volta_arena_bytes) + " bytes");
    return false;
  }
  return true;
}

// One run of the model over checked buffers (pool: undefined or what createPool returned): the
// single entry point of run(), runProfiled() and State.step(). ns: null, or one slot per kernel
// for its time (C backend, models compiled with the profile option). False after throwing.
static bool RunModel(Napi::Env env, void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena, Napi::Value pool, uint64_t *ns) {
  const volta_rt *rt = nullptr;
  if (!pool.IsUndefined()) {
    if (!pool.IsExternal()) return Fail(env, "pool: expected the value createPool returned"), false;
    rt = &pool.As<Napi::External<Pool>>().Data()->rt;
  }
  // Without a pool: one thread and a scratch block for this call.
  volta_rt single{};
  if (rt == nullptr) {
    single.scratch = static_cast<float *>(std::aligned_alloc(64, ((static_cast<size_t>(volta_scratch_bytes) + 63) / 64) * 64 + 64));
    if (single.scratch == nullptr) return Fail(env, "cannot allocate scratch"), false;
    rt = &single;
  }
  const int rc = ns != nullptr ? volta_run_profiled(inputs, outputs, weights, arena, rt, NowNs, ns) : volta_run(inputs, outputs, weights, arena, rt);
  std::free(single.scratch);
  if (rc != 0) return Fail(env, "volta_run failed"), false;
  return true;
}

// run(inputs, outputs, weights, arena[, pool]) and runProfiled (same arguments): synchronous;
// buffer sizes are checked exactly. profiled: time each kernel (models compiled with the profile option)
// and return { kernels: string[], ns: number[] } for this one run.
static Napi::Value RunImpl(const Napi::CallbackInfo &info, bool profiled) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 && info.Length() != 5) return Fail(env, "run expects (inputs, outputs, weights, arena[, pool])");
  std::vector<void *> inputs(volta_num_inputs + 1), outputs(volta_num_outputs + 1);
  if (!CheckList(env, info[0], "input", volta_input_bytes, volta_num_inputs, inputs.data())) return env.Undefined();
  if (!CheckList(env, info[1], "output", volta_output_bytes, volta_num_outputs, outputs.data())) return env.Undefined();
  uint8_t *weights = nullptr, *arena = nullptr;
  if (!WeightsArena(env, info[2], info[3], &weights, &arena)) return env.Undefined();
  std::vector<uint64_t> ns(profiled ? volta_num_kernels + 1 : 0, 0);
  if (!RunModel(env, inputs.data(), outputs.data(), weights, arena, info.Length() == 5 ? info[4] : env.Undefined(), profiled ? ns.data() : nullptr))
    return env.Undefined();
  if (!profiled) return env.Undefined();
  Napi::Array names = Napi::Array::New(env, volta_num_kernels), times = Napi::Array::New(env, volta_num_kernels);
  for (uint32_t i = 0; i < volta_num_kernels; i++) {
    names.Set(i, Napi::String::New(env, volta_kernel_names[i]));
    times.Set(i, Napi::Number::New(env, static_cast<double>(ns[i])));
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("kernels", names);
  r.Set("ns", times);
  return r;
}

static Napi::Value Run(const Napi::CallbackInfo &info) { return RunImpl(info, false); }
static Napi::Value RunProfiled(const Napi::CallbackInfo &info) { return RunImpl(info, true); }

// Persistent state (training): the model's last `slots` inputs and last `slots` outputs are
// state, pairwise (input numInputs - slots + i is read, output numOutputs - slots + i is its
// next value; same sizes). Two native banks hold them; step() runs the model reading the
// current bank and writing the other, then swaps, so parameters and optimizer state stay in
// native memory between steps and never pass through JS. Slot i sits at a 64-byte aligned
// offset of a bank; load()/save() copy a whole bank in that layout.
class State : public Napi::ObjectWrap<State> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "State",
                       {InstanceMethod("step", &State::Step), InstanceMethod("load", &State::Load), InstanceMethod("save", &State::Save),
                        InstanceAccessor("bytes", &State::GetBytes, nullptr), InstanceAccessor("steps", &State::GetSteps, nullptr)});
  }

  State(const Napi::CallbackInfo &info) : Napi::ObjectWrap<State>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsNumber()) {
      Fail(env, "State expects (slots)");
      return;
    }
    double n = info[0].As<Napi::Number>().DoubleValue();
    if (!(n >= 1) || n != (double)(uint64_t)n || (uint64_t)n > volta_num_inputs || (uint64_t)n > volta_num_outputs) {
      Fail(env, "State: slots must be a whole number from 1 to the model's input and output counts");
      return;
    }
    slots_ = (uint64_t)n;
    for (uint64_t i = 0; i < slots_; i++) {
      uint64_t in = volta_input_bytes[volta_num_inputs - slots_ + i], out = volta_output_bytes[volta_num_outputs - slots_ + i];
      if (in != out) {
        Fail(env, "State: slot " + std::to_string(i) + " is read as " + std::to_string(in) + " bytes but written as " + std::to_string(out));
        return;
      }
      offsets_.push_back(bytes_);
      bytes_ += (in + 63) / 64 * 64;
    }
    for (int b = 0; b < 2; b++) {
      banks_[b] = static_cast<uint8_t *>(std::aligned_alloc(64, bytes_ + 64));
      if (banks_[b] == nullptr) {
        Fail(env, "State: cannot allocate " + std::to_string(bytes_) + " bytes");
        return;
      }
      std::memset(banks_[b], 0, bytes_ + 64);
    }
  }

  ~State() override {
    std::free(banks_[0]);
    std::free(banks_[1]);
  }

 private:
  uint64_t slots_ = 0, bytes_ = 0;
  std::vector<uint64_t> offsets_;
  uint8_t *banks_[2] = {nullptr, nullptr};
  int cur_ = 0;
  double steps_ = 0;

  Napi::Value GetBytes(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), (double)bytes_); }
  Napi::Value GetSteps(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), steps_); }

  // step(inputs, outputs, weights, arena[, pool]): the non-state inputs and outputs, in order.
  Napi::Value Step(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() != 4 && info.Length() != 5) return Fail(env, "step expects (inputs, outputs, weights, arena[, pool])");
    uint64_t nIn = volta_num_inputs - slots_, nOut = volta_num_outputs - slots_;
    std::vector<void *> inputs(volta_num_inputs + 1), outputs(volta_num_outputs + 1);
    if (!CheckList(env, info[0], "input", volta_input_bytes, nIn, inputs.data())) return env.Undefined();
    if (!CheckList(env, info[1], "output", volta_output_bytes, nOut, outputs.data())) return env.Undefined();
    uint8_t *weights = nullptr, *arena = nullptr;
    if (!WeightsArena(env, info[2], info[3], &weights, &arena)) return env.Undefined();
    for (uint64_t i = 0; i < slots_; i++) {
      inputs[nIn + i] = banks_[cur_] + offsets_[i];
      outputs[nOut + i] = banks_[1 - cur_] + offsets_[i];
    }
    if (!RunModel(env, inputs.data(), outputs.data(), weights, arena, info.Length() == 5 ? info[4] : env.Undefined(), nullptr)) return env.Undefined();
    cur_ = 1 - cur_;
    steps_ += 1;
    return env.Undefined();
  }

  // load(bytes): a whole bank, becomes the current state.
  Napi::Value Load(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    uint8_t *p = nullptr;
    size_t len = 0;
    if (info.Length() != 1 || !Bytes(info[0], &p, &len) || len != bytes_) return Fail(env, "load expects " + std::to_string(bytes_) + " bytes");
    std::memcpy(banks_[cur_], p, bytes_);
    return env.Undefined();
  }

  // save(): a copy of the current bank.
  Napi::Value Save(const Napi::CallbackInfo &info) {
    Napi::ArrayBuffer out = Napi::ArrayBuffer::New(info.Env(), bytes_);
    std::memcpy(out.Data(), banks_[cur_], bytes_);
    return out;
  }
};

static Napi::Value DeviceCount(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), 0);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("run", Napi::Function::New(env, Run));
  exports.Set("State", State::Define(env));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, DeviceCount));
  exports.Set("createPool", Napi::Function::New(env, CreatePool));
  if (volta_run_profiled != nullptr) exports.Set("runProfiled", Napi::Function::New(env, RunProfiled));
  exports.Set("fingerprint", Napi::String::New(env, volta_fingerprint));
  exports.Set("backend", Napi::String::New(env, "c"));
  exports.Set("arenaBytes", Napi::Number::New(env, static_cast<double>(volta_arena_bytes)));
  return exports;
}

NODE_API_MODULE(volta, Init)
