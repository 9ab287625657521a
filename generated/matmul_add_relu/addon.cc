// Volta 0.1.0: node-addon-api glue for compiled models (c backend).
#include <napi.h>
#include <cstdint>
#include <cstdlib>
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

// One run of the model over checked buffers: the single entry point both run() and State.step() use.
static bool RunModel(Napi::Env env, void *const *inputs, void *const *outputs, const uint8_t *weights, uint8_t *arena) {
  if (volta_run(inputs, outputs, weights, arena) != 0) return Fail(env, "volta_run failed"), false;
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
  if (!WeightsArena(env, info[2], info[3], &weights, &arena)) return env.Undefined();
  RunModel(env, inputs.data(), outputs.data(), weights, arena);
  return env.Undefined();
}

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

  // step(inputs, outputs, weights, arena): the non-state inputs and outputs, in order.
  Napi::Value Step(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (info.Length() != 4) return Fail(env, "step expects (inputs, outputs, weights, arena)");
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
    if (!RunModel(env, inputs.data(), outputs.data(), weights, arena)) return env.Undefined();
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
  exports.Set("fingerprint", Napi::String::New(env, volta_fingerprint));
  exports.Set("backend", Napi::String::New(env, "c"));
  exports.Set("arenaBytes", Napi::Number::New(env, static_cast<double>(volta_arena_bytes)));
  return exports;
}

NODE_API_MODULE(volta, Init)
