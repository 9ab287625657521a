// Test driver for an emitted model.cu built with cuda_cpu_shim.h:
//   driver <dir> <runs>
// reads <dir>/weights.bin and <dir>/in<i>.bin, calls volta_cuda_init once and
// volta_cuda_run <runs> times (later runs reuse the device buffers, as the addon
// does), and writes the last run's outputs to <dir>/out<i>.bin. Plain C stdio
// only: the shim poisons libm names that some C++ headers use.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
int volta_cuda_device_count(void);
int volta_cuda_init(const uint8_t *weights, char *err, size_t errlen);
int volta_cuda_run(void *const *inputs, void *const *outputs, char *err, size_t errlen);
extern const uint64_t volta_num_inputs;
extern const uint64_t volta_num_outputs;
extern const uint64_t volta_input_bytes[];
extern const uint64_t volta_output_bytes[];
extern const uint64_t volta_weights_bytes;
}

static void *read_file(const char *dir, const char *name, uint64_t want) {
  char path[4096];
  std::snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = std::fopen(path, "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(2);
  }
  void *buf = std::malloc(want + 1);
  size_t got = std::fread(buf, 1, want + 1, f);
  std::fclose(f);
  if (got != want) {
    std::fprintf(stderr, "%s: %zu bytes, expected %llu\n", path, got, (unsigned long long)want);
    std::exit(2);
  }
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <dir> <runs>\n", argv[0]);
    return 2;
  }
  const char *dir = argv[1];
  const int runs = std::atoi(argv[2]);
  if (volta_cuda_device_count() != 1) {
    std::fprintf(stderr, "volta_cuda_device_count() != 1 under the shim\n");
    return 3;
  }
  char err[512] = {0};
  void *weights = read_file(dir, "weights.bin", volta_weights_bytes);
  if (volta_cuda_init(static_cast<const uint8_t *>(weights), err, sizeof err) != 0) {
    std::fprintf(stderr, "volta_cuda_init: %s\n", err);
    return 4;
  }
  void *inputs[64] = {nullptr};
  void *outputs[64] = {nullptr};
  if (volta_num_inputs > 64 || volta_num_outputs > 64) return 5;
  char name[64];
  for (uint64_t i = 0; i < volta_num_inputs; i++) {
    std::snprintf(name, sizeof name, "in%llu.bin", (unsigned long long)i);
    inputs[i] = read_file(dir, name, volta_input_bytes[i]);
  }
  for (uint64_t i = 0; i < volta_num_outputs; i++) outputs[i] = std::calloc(volta_output_bytes[i] + 1, 1);
  for (int r = 0; r < runs; r++) {
    if (volta_cuda_run(inputs, outputs, err, sizeof err) != 0) {
      std::fprintf(stderr, "volta_cuda_run: %s\n", err);
      return 6;
    }
  }
  for (uint64_t i = 0; i < volta_num_outputs; i++) {
    char path[4096];
    std::snprintf(path, sizeof path, "%s/out%llu.bin", dir, (unsigned long long)i);
    FILE *f = std::fopen(path, "wb");
    if (f == nullptr || std::fwrite(outputs[i], 1, volta_output_bytes[i], f) != volta_output_bytes[i]) {
      std::fprintf(stderr, "cannot write %s\n", path);
      return 7;
    }
    std::fclose(f);
  }
  return 0;
}
