// Volta 0.1.0: node-addon-api glue for compiled models (c backend).
#include <napi.h>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

// Model entry points and metadata, defined by the generated model.c / model.cu.
// The glue is the same for every model, so it is compiled once per cache and
// only the model source is compiled per fingerprint.
extern "C" {
int volta_run(void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena);
// Defined only by models compiled with the profile option; weak, since the glue is shared.
__attribute__((weak)) int volta_run_profiled(void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena, uint64_t (*now)(void),
                                             uint64_t *ns);
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

// The arguments of run and runProfiled: (inputs, outputs, weights, arena), buffer sizes checked exactly.
struct RunArgs {
  std::vector<void *> inputs, outputs;
  uint8_t *weights = nullptr, *arena = nullptr;
};

static bool GetRunArgs(const Napi::CallbackInfo &info, const char *name, RunArgs *a) {
  Napi::Env env = info.Env();
  if (info.Length() != 4) {
    Fail(env, std::string(name) + " expects (inputs, outputs, weights, arena)");
    return false;
  }
  a->inputs.resize(volta_num_inputs + 1);
  a->outputs.resize(volta_num_outputs + 1);
  if (!CheckList(env, info[0], "input", volta_input_bytes, volta_num_inputs, a->inputs.data())) return false;
  if (!CheckList(env, info[1], "output", volta_output_bytes, volta_num_outputs, a->outputs.data())) return false;
  size_t wlen = 0, alen = 0;
  if (!Bytes(info[2], &a->weights, &wlen) || wlen != volta_weights_bytes) {
    Fail(env, "weights: expected " + std::to_string(volta_weights_bytes) + " bytes");
    return false;
  }
  if (!Bytes(info[3], &a->arena, &alen) || alen < volta_arena_bytes) {
    Fail(env, "arena: expected at least " + std::to_string(volta_arena_bytes) + " bytes");
    return false;
  }
  return true;
}

// run(inputs, outputs, weights, arena): synchronous.
static Napi::Value Run(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RunArgs a;
  if (!GetRunArgs(info, "run", &a)) return env.Undefined();
  if (volta_run(a.inputs.data(), a.outputs.data(), a.weights, a.arena) != 0) return Fail(env, "volta_run failed");
  return env.Undefined();
}

static uint64_t NowNs(void) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// runProfiled(inputs, outputs, weights, arena) -> { kernels: string[], ns: number[] }: one run,
// each kernel's time in nanoseconds. Only models compiled with the profile option have it.
static Napi::Value RunProfiled(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  RunArgs a;
  if (!GetRunArgs(info, "runProfiled", &a)) return env.Undefined();
  std::vector<uint64_t> ns(volta_num_kernels + 1, 0);
  if (volta_run_profiled(a.inputs.data(), a.outputs.data(), a.weights, a.arena, NowNs, ns.data()) != 0) return Fail(env, "volta_run_profiled failed");
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

static Napi::Value DeviceCount(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), 0);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("run", Napi::Function::New(env, Run));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, DeviceCount));
  exports.Set("fingerprint", Napi::String::New(env, volta_fingerprint));
  exports.Set("backend", Napi::String::New(env, "c"));
  exports.Set("arenaBytes", Napi::Number::New(env, static_cast<double>(volta_arena_bytes)));
  if (volta_run_profiled != nullptr) exports.Set("runProfiled", Napi::Function::New(env, RunProfiled));
  return exports;
}

NODE_API_MODULE(volta, Init)
