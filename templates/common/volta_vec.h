/* volta_vec.h - SIMD pieces of the generated C: GCC/Clang vector extensions of
 * VOLTA_VEC floats (one register of the build's ISA; the kernel plans chose
 * their tiles for it) and the matmul micro-kernel. C only (not CUDA).
 *
 * Every vector lane is a different output: a lane-wise a + b or a * b rounds
 * exactly like the scalar operation, and nothing here reassociates a sum, so
 * these kernels give the bits of the scalar reference order. The build keeps
 * -ffp-contract=off in strict mode, so a * b + c is never fused into an FMA.
 */
#ifndef VOLTA_VEC_H
#define VOLTA_VEC_H
#include <stdint.h>

#ifndef VOLTA_VEC
#error "define VOLTA_VEC (floats per vector) before including volta_vec.h"
#endif
#if !defined(__GNUC__) && !defined(__clang__)
#error "volta_vec.h needs GCC or Clang vector extensions"
#endif

typedef float volta_vf __attribute__((vector_size(VOLTA_VEC * 4)));
/* The same vector at 4-byte alignment: loads and stores through it may be unaligned. */
typedef float volta_vfu __attribute__((vector_size(VOLTA_VEC * 4), aligned(4), may_alias));

#define VOLTA_AI static inline __attribute__((always_inline))
/* Largest register tile the micro-kernel supports (rows, vectors per row). */
#define VOLTA_MR_MAX 8
#define VOLTA_NV_MAX 8

VOLTA_AI volta_vf volta_vload(const float *p) { return *(const volta_vfu *)p; }
VOLTA_AI void volta_vstore(float *p, volta_vf v) { *(volta_vfu *)p = v; }

/* *a (broadcast to every lane) * b, one rounding per lane as in the scalar product.
 * On AVX-512 the broadcast is folded into the multiply's memory operand (m32{1to16}):
 * a separate vbroadcastss competes with the adds for the FP pipes on some cores (Zen 4:
 * strict-mode GEMM ran at ~82 % of its FMA speed with it, ~100 % without). Strict mode
 * only: in balanced mode (VOLTA_FP_CONTRACT) the compiler must see a * b + c to fuse it. */
#if defined(__AVX512F__) && VOLTA_VEC == 16 && !defined(VOLTA_FP_CONTRACT)
#define VOLTA_VEC_BCAST_MUL 1
VOLTA_AI volta_vf volta_vmul_bcast(const float *a, volta_vf b) {
  volta_vf p;
  __asm__("vmulps %1%{1to16%}, %2, %0" : "=v"(p) : "m"(*a), "v"(b));
  return p;
}
#else
#define VOLTA_VEC_BCAST_MUL 0
#endif

/*
 * The register tile: for r < mr and j < nv * VOLTA_VEC,
 *   ct[r * nv * VOLTA_VEC + j] = sum over kk = 0..k-1, in increasing kk, from +0,
 *                                of a[r * ars + kk * acs] * b[kk * ldb + j]
 * (koff != 0: b[koff[kk] + j] instead), each product rounded, then added.
 * mr and nv must be compile-time constants at the call (the loops unroll and the
 * accumulators live in registers).
 */
VOLTA_AI void volta_gemm_tile(const int mr, const int nv, const int64_t k, const float *a, const int64_t ars, const int64_t acs,
                              const float *b, const int64_t ldb, const int32_t *koff, float *ct) {
  volta_vf acc[VOLTA_MR_MAX][VOLTA_NV_MAX];
#pragma GCC unroll 8
  for (int r = 0; r < mr; r++)
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++) acc[r][v] = (volta_vf){0};
  for (int64_t kk = 0; kk < k; kk++) {
    const float *bk = b + (koff ? (int64_t)koff[kk] : kk * ldb);
    volta_vf bv[VOLTA_NV_MAX];
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++) bv[v] = volta_vload(bk + v * VOLTA_VEC);
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++) {
#if VOLTA_VEC_BCAST_MUL
      const float *ap = a + r * ars + kk * acs;
#pragma GCC unroll 8
      for (int v = 0; v < nv; v++) acc[r][v] = acc[r][v] + volta_vmul_bcast(ap, bv[v]);
#else
      const float av = a[r * ars + kk * acs];
#pragma GCC unroll 8
      for (int v = 0; v < nv; v++) acc[r][v] = acc[r][v] + av * bv[v];
#endif
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < mr; r++)
#pragma GCC unroll 8
    for (int v = 0; v < nv; v++) volta_vstore(ct + (r * nv + v) * VOLTA_VEC, acc[r][v]);
}

#endif /* VOLTA_VEC_H */
