// Several emitted model.cu files as one translation unit, so that one nvcc run (its host compiler,
// cudafe and ptxas start-up) checks them all: each model's text, unchanged, inside its own namespace,
// with the extern "C" symbols of the glue renamed per model by macros (they keep C linkage).
const EXTERN_C = [
  'volta_fingerprint',
  'volta_num_inputs',
  'volta_num_outputs',
  'volta_input_bytes',
  'volta_output_bytes',
  'volta_arena_bytes',
  'volta_weights_bytes',
  'volta_cuda_device_count',
  'volta_cuda_init',
  'volta_cuda_run',
];

/** One .cu holding every source; the headers each model includes come first (their guards keep them at file scope). */
export function batchCuda(sources: readonly string[]): string {
  const out = ['#include <stdint.h>', '#include <stdio.h>', '#include <mutex>', '#include "volta_ops.h"'];
  sources.forEach((src, i) => {
    out.push(...EXTERN_C.map((n) => `#define ${n} volta_b${i}_${n.slice('volta_'.length)}`));
    out.push(`namespace volta_b${i} {`, src, `} /* namespace volta_b${i} */`);
    out.push(...EXTERN_C.map((n) => `#undef ${n}`), '#undef VOLTA_CUDA');
  });
  return `${out.join('\n')}\n`;
}
