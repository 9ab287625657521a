/* Volta support functions for generated C and CUDA: exact operations only
 * (bit manipulation, integer helpers), so C and CUDA agree bit for bit.
 * Transcendentals live in volta_math.h. */
#ifndef VOLTA_OPS_H
#define VOLTA_OPS_H
#include <stdint.h>
#include <string.h>
#include "volta_math.h"

#ifndef VOLTA_FN
#ifdef __CUDACC__
#define VOLTA_FN __host__ __device__ static inline
#else
#define VOLTA_FN static inline
#endif
#endif

VOLTA_FN float volta_bits_to_f32(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
VOLTA_FN uint32_t volta_f32_to_bits(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }

#define VOLTA_NAN volta_bits_to_f32(0x7fc00000u)
#define VOLTA_INF volta_bits_to_f32(0x7f800000u)

/* abs clears the sign bit: abs(-0) = +0, abs(NaN) keeps the payload. */
VOLTA_FN float volta_absf(float x) { return volta_bits_to_f32(volta_f32_to_bits(x) & 0x7fffffffu); }

/* floor/ceil are exact in IEEE arithmetic; the compiler builtins are exact on both sides. */
#ifdef __CUDA_ARCH__
VOLTA_FN float volta_floorf(float x) { return floorf(x); }
VOLTA_FN float volta_ceilf(float x) { return ceilf(x); }
#else
VOLTA_FN float volta_floorf(float x) { return __builtin_floorf(x); }
VOLTA_FN float volta_ceilf(float x) { return __builtin_ceilf(x); }
#endif

/* Integer helpers: wrap on overflow, division by zero gives 0 (never a trap). */
VOLTA_FN int32_t volta_abs_i32(int32_t x) { return x < 0 ? (int32_t)(0u - (uint32_t)x) : x; }
VOLTA_FN int64_t volta_abs_i64(int64_t x) { return x < 0 ? (int64_t)(0u - (uint64_t)x) : x; }
VOLTA_FN int32_t volta_div_i32(int32_t a, int32_t b) { return b == 0 ? 0 : (b == -1 ? (int32_t)(0u - (uint32_t)a) : a / b); }
VOLTA_FN int64_t volta_div_i64(int64_t a, int64_t b) { return b == 0 ? 0 : (b == -1 ? (int64_t)(0u - (uint64_t)a) : a / b); }
VOLTA_FN int32_t volta_max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
VOLTA_FN int64_t volta_max_i64(int64_t a, int64_t b) { return a > b ? a : b; }
VOLTA_FN int32_t volta_min_i32(int32_t a, int32_t b) { return a < b ? a : b; }
VOLTA_FN int64_t volta_min_i64(int64_t a, int64_t b) { return a < b ? a : b; }
VOLTA_FN uint8_t volta_max_bool(uint8_t a, uint8_t b) { return a > b ? a : b; }
VOLTA_FN uint8_t volta_min_bool(uint8_t a, uint8_t b) { return a < b ? a : b; }

/* float -> integer casts: truncate, NaN -> 0, saturate (a plain C cast is UB out of range). */
VOLTA_FN int32_t volta_f32_to_i32(float x) {
  if (x != x) return 0;
  if (x >= 2147483648.0f) return INT32_MAX;
  if (x < -2147483648.0f) return INT32_MIN;
  return (int32_t)x;
}
VOLTA_FN int64_t volta_f32_to_i64(float x) {
  if (x != x) return 0;
  if (x >= 9223372036854775808.0f) return INT64_MAX;
  if (x < -9223372036854775808.0f) return INT64_MIN;
  return (int64_t)x;
}

#endif
