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

/* fmod: the exact remainder x - trunc(x / y) * y with x's sign, by integer long division on
 * the significands (as musl's fmodf), so C and CUDA need no libm and agree bit for bit.
 * y = 0, x infinite or either NaN: NaN; |x| < |y| or y infinite: x. */
VOLTA_FN float volta_fmodf(float x, float y) {
  uint32_t ux = volta_f32_to_bits(x), uy = volta_f32_to_bits(y);
  int ex = (int)(ux >> 23 & 0xff), ey = (int)(uy >> 23 & 0xff);
  uint32_t sx = ux & 0x80000000u, i;
  if ((uy << 1) == 0 || (uy << 1) > 0xff000000u || ex == 0xff) return VOLTA_NAN;
  if ((ux << 1) <= (uy << 1)) return (ux << 1) == (uy << 1) ? volta_bits_to_f32(sx) : x;
  if (ex == 0) {
    for (i = ux << 9; i >> 31 == 0; ex--, i <<= 1) {}
    ux <<= -ex + 1;
  } else {
    ux &= 0xffffffffu >> 9;
    ux |= 1u << 23;
  }
  if (ey == 0) {
    for (i = uy << 9; i >> 31 == 0; ey--, i <<= 1) {}
    uy <<= -ey + 1;
  } else {
    uy &= 0xffffffffu >> 9;
    uy |= 1u << 23;
  }
  for (; ex > ey; ex--) {
    i = ux - uy;
    if (i >> 31 == 0) {
      if (i == 0) return volta_bits_to_f32(sx);
      ux = i;
    }
    ux <<= 1;
  }
  i = ux - uy;
  if (i >> 31 == 0) {
    if (i == 0) return volta_bits_to_f32(sx);
    ux = i;
  }
  for (; ux >> 23 == 0; ux <<= 1, ex--) {}
  if (ex > 0) {
    ux -= 1u << 23;
    ux |= (uint32_t)ex << 23;
  } else {
    ux >>= -ex + 1;
  }
  return volta_bits_to_f32(ux | sx);
}

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

/* pow: integer exponents up to 64 by binary exponentiation (exact where the
 * products are), others as exp(y * log|x|); sign and special cases as C's powf. */
VOLTA_FN float volta_powf(float x, float y) {
  if (y == 0.0f || x == 1.0f) return 1.0f;
  if (x != x || y != y) return VOLTA_NAN;
  const float ax = volta_absf(x);
  const float ay = volta_absf(y);
  if (ay == VOLTA_INF) {
    if (ax == 1.0f) return 1.0f;
    return ((ax > 1.0f) == (y > 0.0f)) ? VOLTA_INF : 0.0f;
  }
  const int is_int = volta_floorf(y) == y;
  const int negative = (volta_f32_to_bits(x) >> 31) != 0;
  if (negative && ax != 0.0f && !is_int) return VOLTA_NAN;
  const int odd = is_int && ay < 16777216.0f && (((int64_t)ay) & 1);
  float r;
  if (is_int && ay <= 64.0f) {
    int64_t n = (int64_t)ay;
    float b = ax;
    r = 1.0f;
    while (n != 0) {
      if (n & 1) r = r * b;
      b = b * b;
      n >>= 1;
    }
    if (y < 0.0f) r = 1.0f / r;
  } else {
    r = volta_expf(y * volta_logf(ax));
  }
  return (negative && odd) ? -r : r;
}

/* Integer pow wraps like repeated multiplication; a negative exponent gives 0 unless |x| == 1. */
VOLTA_FN int32_t volta_pow_i32(int32_t x, int32_t y) {
  if (y < 0) return x == 1 ? 1 : (x == -1 ? ((y & 1) ? -1 : 1) : 0);
  uint32_t r = 1u, b = (uint32_t)x;
  while (y != 0) {
    if (y & 1) r = r * b;
    b = b * b;
    y >>= 1;
  }
  return (int32_t)r;
}
VOLTA_FN int64_t volta_pow_i64(int64_t x, int64_t y) {
  if (y < 0) return x == 1 ? 1 : (x == -1 ? ((y & 1) ? -1 : 1) : 0);
  uint64_t r = 1u, b = (uint64_t)x;
  while (y != 0) {
    if (y & 1) r = r * b;
    b = b * b;
    y >>= 1;
  }
  return (int64_t)r;
}

#endif
