// Volta 0.1.0: node-addon-api glue for compiled models (c backend).
#include <napi.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

// Model entry points and metadata, defined by the generated model.c / model.cu.
// The glue is the same for every model, so it is compiled once per cache and
// only the model source is compiled per fingerprint.
extern "C" {
int volta_run(void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena);
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

// run(inputs, outputs, weights, arena): synchronous; buffers sizes are checked exactly.
static Napi::Value Run(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4) return Fail(env, "run expects (inputs, outputs, weights, arena)");
  std::vector<void *> inputs(volta_num_inputs + 1), outputs(volta_num_outputs + 1);
  if (!CheckList(env, info[0], "input", volta_input_bytes, volta_num_inputs, inputs.data())) return env.Undefined();
  if (!CheckList(env, info[1], "output", volta_output_bytes, volta_num_outputs, outputs.data())) return env.Undefined();
  uint8_t *weights = nullptr, *arena = nullptr;
  size_t wlen = 0, alen = 0;
  if (!Bytes(info[2], &weights, &wlen) || wlen != volta_weights_bytes) return Fail(env, "weights: expected " + std::to_string(volta_weights_bytes) + " bytes");
  if (!Bytes(info[3], &arena, &alen) || alen < volta_arena_bytes) return Fail(env, "arena: expected at least " + std::to_string(volta_arena_bytes) + " bytes");
  if (volta_run(inputs.data(), outputs.data(), weights, arena) != 0) return Fail(env, "volta_run failed");
  return env.Undefined();
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
  return exports;
}

NODE_API_MODULE(volta, Init)
