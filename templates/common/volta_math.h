/*
 * volta_math.h - Volta's deterministic float32 math.
 *
 * libm and CUDA's expf/tanhf disagree in the last bits, so every function
 * here is built only from IEEE binary32 +, -, *, / (each correctly rounded),
 * comparisons, integer ops on bit patterns and a correctly rounded sqrt.
 * The same source then gives the same bits under gcc (-std=c11
 * -ffp-contract=off, no -ffast-math) and nvcc (-fmad=false, default
 * -prec-div=true -prec-sqrt=true -ftz=false; never --use_fast_math).
 * compiler/eval/volta_math.ts mirrors every operation in the same order, so
 * any change here must be made there too (test/math checks bit equality).
 *
 * Build notes: C11 or C++17 (hex float literals; nvcc's default dialect).
 * gcc keeps a libm sqrtf fallback for errno unless -fno-math-errno, so link
 * with -lm or pass -fno-math-errno (the fallback is never taken here).
 *
 * Rules for editing: float only (no double), hex float literals that are
 * exactly representable, one operation per step in an unambiguous order,
 * no reliance on FMA.
 *
 * Branch-free: special cases (NaN, infinities, overflow, tiny inputs) are
 * selected after the main path has run on a harmless stand-in input, so a
 * loop over these functions vectorises (each lane picks the value the scalar
 * branch would have returned, so the bits are the same as with branches).
 *
 * Measured max error vs the correctly rounded result, over all 2^32 inputs:
 * exp 1 ulp, log 1 ulp, tanh 1 ulp, sigmoid 1 ulp, erf 1 ulp, sqrt 0.
 */
#ifndef VOLTA_MATH_H
#define VOLTA_MATH_H

#include <float.h>
#include <stdint.h>
#include <string.h>
#if !defined(__CUDACC__) && !defined(__GNUC__) && !defined(__clang__)
#include <math.h> /* sqrtf fallback only */
#endif

/* Every intermediate must be rounded to float (no x87 excess precision). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0 && !defined(__CUDA_ARCH__)
#error "volta_math.h needs FLT_EVAL_METHOD == 0 (e.g. SSE2 on x86)"
#endif

#if defined(__CUDACC__)
#define VOLTA_FN __host__ __device__ static inline
#else
#define VOLTA_FN static inline
#endif

/* ---- bit casts (memcpy works in C and in CUDA host and device code) ---- */

VOLTA_FN uint32_t volta_m_bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

VOLTA_FN float volta_m_from_bits(uint32_t u) {
  float x;
  memcpy(&x, &u, sizeof x);
  return x;
}

#define VOLTA_M_INF volta_m_from_bits(0x7f800000u)
#define VOLTA_M_NAN volta_m_from_bits(0x7fc00000u)

/* 2^n for n in [-126, 127], built from exponent bits. */
VOLTA_FN float volta_m_pow2(int32_t n) {
  return volta_m_from_bits((uint32_t)(n + 127) << 23);
}

/* y * 2^k for y in [0.5, 2], k in [-190, 190]: the first product is exact,
   so only the last one rounds (to a denormal, 0 or inf when it must). For
   |k| <= 120 the second factor is 1 (exact): the same bits as y * 2^k. */
VOLTA_FN float volta_m_scale(float y, int32_t k) {
  const int32_t kb = k > 120 ? k - 64 : (k < -120 ? k + 64 : k);
  const float f = k > 120 ? 0x1p64f : (k < -120 ? 0x1p-64f : 1.0f);
  return (y * volta_m_pow2(kb)) * f;
}

/* ---- error-free transforms (Dekker / Veltkamp, no FMA) ---- */

/* Exact error of the product p = fl(a * b), barring overflow/underflow. */
VOLTA_FN float volta_m_prod_err(float a, float b, float p) {
  float ca = 0x1.001p12f * a; /* Veltkamp split, 4097 = 2^12 + 1 */
  float ah = ca - (ca - a);
  float al = a - ah;
  float cb = 0x1.001p12f * b;
  float bh = cb - (cb - b);
  float bl = b - bh;
  return (((ah * bh - p) + ah * bl) + al * bh) + al * bl;
}

/* (nh + nl) / (dh + dl) rounded once: one Newton correction of nh / dh.
   Needs |nl| << |nh| and |dl| << |dh|. */
VOLTA_FN float volta_m_div2(float nh, float nl, float dh, float dl) {
  float q = nh / dh;
  float ph = q * dh;
  float pl = volta_m_prod_err(q, dh, ph);
  float r = (((nh - ph) - pl) + nl) - q * dl; /* nh - ph - pl is exact */
  return q + r / dh;
}

/* ---- exp ---- */

#define VOLTA_M_INVLN2 0x1.715476p0f
#define VOLTA_M_LN2_HI 0x1.62e4p-1f /* 15 bits: k * LN2_HI exact for |k| < 512 */
#define VOLTA_M_LN2_LO 0x1.7f7d1cp-20f
#define VOLTA_M_EXP_MAX 0x1.62e42ep6f   /* largest x with finite expf(x) */
#define VOLTA_M_EXP_MIN (-0x1.9fe368p6f) /* below: exp(x) < 2^-150, rounds to 0 */

/* exp(x) = 2^k * (*hi + *lo), *hi in ~[0.7, 1.42], |*lo| <= ulp(*hi) / 2.
   Returns k. For finite |x| <= 104. */
VOLTA_FN int32_t volta_m_exp_core(float x, float *hi, float *lo) {
  /* k = round(x / ln2) by the 1.5 * 2^23 shifter trick (ties to even). */
  float kf = (x * VOLTA_M_INVLN2 + 0x1.8p23f) - 0x1.8p23f;
  /* Cody-Waite: r = rh - rl = x - k ln2 with rh exact (Sterbenz). */
  float rh = x - kf * VOLTA_M_LN2_HI;
  float rl = kf * VOLTA_M_LN2_LO;
  float r = rh - rl;
  /* p ~= exp(r) - 1 - r: Taylor to r^8, truncation < 2^-32 on |r| < 0.35. */
  float p = 0x1.a01a02p-16f;
  p = 0x1.a01a02p-13f + r * p;
  p = 0x1.6c16c2p-10f + r * p;
  p = 0x1.111112p-7f + r * p;
  p = 0x1.555556p-5f + r * p;
  p = 0x1.555556p-3f + r * p;
  p = 0x1p-1f + r * p;
  p = (r * r) * p;
  /* 1 + rh as an exact pair (Fast2Sum, |rh| < 1), add the small terms,
     then renormalise (Fast2Sum again) so that *hi = fl(*hi + *lo). */
  float a = 1.0f + rh;
  float b = (rh - (a - 1.0f)) + (p - rl);
  float h = a + b;
  *hi = h;
  *lo = b - (h - a);
  return (int32_t)kf;
}

VOLTA_FN float volta_expf(float x) {
  const int big = x > VOLTA_M_EXP_MAX, tiny = x < VOLTA_M_EXP_MIN, nan = x != x;
  const float xc = (big || tiny || nan) ? 0.0f : x;
  float hi, lo;
  int32_t k = volta_m_exp_core(xc, &hi, &lo);
  float r = volta_m_scale(hi, k); /* hi is already fl(hi + lo) */
  r = tiny ? 0.0f : r;
  r = big ? VOLTA_M_INF : r;
  return nan ? x + x : r;
}

/* ---- log ---- */

VOLTA_FN float volta_logf(float x) {
  /* The main path runs on 1 for NaN, negative, zero and infinite x; their results are selected last. */
  const int special = !(x > 0.0f) || x == VOLTA_M_INF;
  uint32_t ix = volta_m_bits(special ? 1.0f : x);
  /* denormal: scale into the normal range */
  const int sub = ix < 0x00800000u;
  ix = sub ? volta_m_bits(volta_m_from_bits(ix) * 0x1p25f) : ix;
  int32_t k = sub ? -25 : 0;
  k += (int32_t)(ix >> 23) - 127;
  /* mantissa m in [sqrt(1/2), sqrt(2)), x = 2^k * m */
  uint32_t mb = (ix & 0x007fffffu) | 0x3f800000u;
  const int hi = mb >= 0x3fb504f3u;
  mb -= hi ? 0x00800000u : 0u;
  k += hi ? 1 : 0;
  float f = volta_m_from_bits(mb) - 1.0f; /* exact (Sterbenz) */
  /* log1p(f) = 2 atanh(s) = f - s (f - R), s = f / (2 + f), z = s^2,
     R = 2z/3 + 2z^2/5 + ... (Taylor to z^5, |s| < 0.172). */
  float s = f / (2.0f + f);
  float z = s * s;
  float R = 0x1.745d18p-3f;
  R = 0x1.c71c72p-3f + z * R;
  R = 0x1.24924ap-2f + z * R;
  R = 0x1.99999ap-2f + z * R;
  R = 0x1.555556p-1f + z * R;
  R = z * R;
  float corr = s * (f - R);
  /* k ln2_hi + f as an exact pair (Fast2Sum: |k ln2_hi| > |f| unless k == 0,
     when the sum is exact anyway), then add the small terms once. */
  float kf = (float)k;
  float h = kf * VOLTA_M_LN2_HI;
  float sh = h + f;
  float sl = f - (sh - h);
  float r = sh + (sl + (kf * VOLTA_M_LN2_LO - corr));
  r = x == VOLTA_M_INF ? x : r;
  r = x == 0.0f ? -VOLTA_M_INF : r;
  r = x < 0.0f ? VOLTA_M_NAN : r;
  return x != x ? x + x : r;
}

/* ---- tanh ---- */

VOLTA_FN float volta_tanhf(float x) {
  const float ax0 = volta_m_from_bits(volta_m_bits(x) & 0x7fffffffu);
  const int nan = x != x, big = ax0 >= 10.0f, small = ax0 < 0x1p-13f;
  const float ax = (nan || big || small) ? 1.0f : ax0;
  /* tanh|x| = (e - 1) / (e + 1), e = exp(2|x|) carried as a float pair. */
  float a, b;
  int32_t k = volta_m_exp_core(ax + ax, &a, &b); /* k in [0, 29] */
  float p2 = volta_m_pow2(k);
  float eh = a * p2; /* exact scaling */
  float el = b * p2;
  float nh = eh - 1.0f;  /* exact: eh >= 1 */
  float ns = nh + el;    /* renormalise (Fast2Sum, |nh| > |el|) */
  float nl = el - (ns - nh);
  float dh = eh + 1.0f;  /* Fast2Sum, eh >= 1 */
  float dl = (1.0f - (dh - eh)) + el;
  float q = volta_m_div2(ns, nl, dh, dl);
  float r = x < 0.0f ? -q : q;
  r = small ? x : r;                            /* x^3/3 below half an ulp; keeps -0 */
  r = big ? (x > 0.0f ? 1.0f : -1.0f) : r;      /* 1 - tanh < 2^-27 */
  return nan ? x + x : r;
}

/* ---- sigmoid ---- */

VOLTA_FN float volta_sigmoidf(float x) {
  const int nan = x != x, big = x >= 18.0f, tiny = x < VOLTA_M_EXP_MIN;
  const float xc = (nan || big || tiny) ? 0.0f : x;
  /* e = exp(-|x|) = 2^k (a + b); x >= 0: 1 / (1 + e), x < 0: e / (1 + e)
     with the 2^k applied last so tiny results round only once more. */
  float a, b;
  int32_t k = volta_m_exp_core(xc < 0.0f ? xc : -xc, &a, &b); /* k <= 0 */
  /* For k <= -100, e is below 2^-99 and 1 + e is 1 (pow2 of such k is not used). */
  const int near = k > -100;
  float p2 = volta_m_pow2(near ? k : 0);
  float eh = a * p2;
  float el = b * p2;
  float dh1 = 1.0f + eh; /* Fast2Sum, eh <= 1 */
  float dl1 = (eh - (dh1 - 1.0f)) + el;
  float dh = near ? dh1 : 1.0f;
  float dl = near ? dl1 : 0.0f;
  float r = xc < 0.0f ? volta_m_scale(volta_m_div2(a, b, dh, dl), k) : volta_m_div2(1.0f, 0.0f, dh, dl);
  r = tiny ? 0.0f : r;
  r = big ? 1.0f : r; /* exp(-x) < 2^-25 */
  return nan ? x + x : r;
}

/* ---- sqrt ---- */

VOLTA_FN float volta_sqrtf(float x) {
  /* NaN / negative are selected here (the root runs on 0), so the builtin never needs its errno path. */
  const int ok = x >= 0.0f;
  const float xc = ok ? x : 0.0f;
#if defined(__CUDA_ARCH__)
  const float r = __fsqrt_rn(xc);
#elif defined(__GNUC__) || defined(__clang__)
  const float r = __builtin_sqrtf(xc); /* IEEE sqrt is correctly rounded */
#else
  const float r = sqrtf(xc); /* needs <math.h>; correctly rounded per IEEE 754 */
#endif
  return ok ? r : (x != x ? x + x : VOLTA_M_NAN);
}

/* ---- erf ---- */

VOLTA_FN float volta_erff(float x) {
  const float ax = volta_m_from_bits(volta_m_bits(x) & 0x7fffffffu);
  /* |x| < 1: erf(x) = x + x P(x^2), P ~ erf(x)/x - 1 (Chebyshev fit, 1.3e-9).
     Also right for tiny and denormal x and keeps -0. */
  const float z = x * x;
  float p = 0x1.4a5690p-14f;
  p = -0x1.a45088p-11f + z * p;
  p = 0x1.541270p-8f + z * p;
  p = -0x1.b7fabap-6f + z * p;
  p = 0x1.ce2d10p-4f + z * p;
  p = -0x1.81273ep-2f + z * p;
  p = 0x1.06eba8p-3f + z * p;
  const float small = x + x * p;
  /* 1 <= |x| < 4: erf = 1 - exp(-x^2) Q(x), Q ~ erfcx(x) = erfc(x) exp(x^2) fitted in
     t = x - 1.5 on [1, 2) and t = x - 3 on [2, 4): the coefficients of the piece are
     selected step by step, so each step computes what that piece computes. */
  const int lo = ax < 2.0f;
  const float t = lo ? ax - 1.5f : ax - 3.0f;
  float q = lo ? -0x1.6ebbdcp-11f : -0x1.8cc95ep-16f;
  q = (lo ? 0x1.06622ap-9f : 0x1.8d2cc2p-14f) + t * q;
  q = (lo ? -0x1.50db60p-8f : -0x1.521608p-12f) + t * q;
  q = (lo ? 0x1.b5bffap-7f : 0x1.3ebe3cp-10f) + t * q;
  q = (lo ? -0x1.0dc5bcp-5f : -0x1.259624p-8f) + t * q;
  q = (lo ? 0x1.37eb1ep-4f : 0x1.0445ecp-6f) + t * q;
  q = (lo ? -0x1.4f1988p-3f : -0x1.bd6ae0p-5f) + t * q;
  q = (lo ? 0x1.494db0p-2f : 0x1.6e9822p-3f) + t * q;
  const float e = 1.0f - volta_expf(-(ax * ax)) * q;
  float r = x < 0.0f ? -e : e;
  r = ax < 1.0f ? small : r;
  r = ax >= 4.0f ? (x > 0.0f ? 1.0f : -1.0f) : r; /* erfc(4) < 2^-25 */
  return x != x ? x + x : r;
}

/* ---- max / min ----
   NaN-propagating: NaN if either input is NaN. Signed zeros are ordered
   -0 < +0, so max(-0, +0) = +0 and min(-0, +0) = -0 in either order. */

/* Branch-free (selects only), so that loops over them vectorise: the same result as
   "NaN: a + b; a > b: a; b > a: b; equal: the bits of a AND b" taken in that order. */
VOLTA_FN float volta_fmaxf(float a, float b) {
  const float eq = volta_m_from_bits(volta_m_bits(a) & volta_m_bits(b)); /* equal */
  const float r = a > b ? a : (b > a ? b : eq);
  return (a != a || b != b) ? a + b : r;
}

VOLTA_FN float volta_fminf(float a, float b) {
  const float eq = volta_m_from_bits(volta_m_bits(a) | volta_m_bits(b)); /* equal */
  const float r = a < b ? a : (b < a ? b : eq);
  return (a != a || b != b) ? a + b : r;
}

#endif /* VOLTA_MATH_H */
