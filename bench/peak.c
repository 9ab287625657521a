// FP32 peak of this machine, measured rather than looked up: every thread runs
// independent chains of vector FMAs (mode "fma") or of separate multiplies and
// adds (mode "muladd", what Volta's strict mode may use: no FMA contraction),
// in the widest vector the build host has (-march=native). Prints GFLOP/s.
//   usage: peak fma|muladd <threads> <iterations>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 V;
#define W 16
#define SET1 _mm512_set1_ps
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define MUL _mm512_mul_ps
#define ADD _mm512_add_ps
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256 V;
#define W 8
#define SET1 _mm256_set1_ps
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define MUL _mm256_mul_ps
#define ADD _mm256_add_ps
static float SUM(V v) {
  float f[8];
  _mm256_storeu_ps(f, v);
  return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#elif defined(__ARM_NEON)
#include <arm_neon.h>
typedef float32x4_t V;
#define W 4
#define SET1 vdupq_n_f32
#define FMA(a, b, c) vfmaq_f32(c, a, b)
#define MUL vmulq_f32
#define ADD vaddq_f32
#define SUM(v) vaddvq_f32(v)
#else
#include <math.h>
typedef float V;
#define W 1
#define SET1(x) (x)
#define FMA(a, b, c) fmaf(a, b, c)
#define MUL(a, b) ((a) * (b))
#define ADD(a, b) ((a) + (b))
#define SUM(v) (v)
#endif

#define CHAINS 16 /* independent chains: enough to cover latency x pipes of current cores */

static long iterations;
static int fma_mode;
static volatile float sink;

// Sixteen named accumulators, written out so they stay in registers at any optimisation level.
#define EACH8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define EACH8B(X) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define DECL(i) V c##i = SET1(0.001f * (float)(i + 1));
#define STEP_FMA(i) c##i = FMA(c##i, a, b);
#define STEP_MUL(i) c##i = MUL(c##i, a);
#define STEP_ADD(i) c##i = ADD(c##i, b);
#define ACC(i) s += SUM(c##i);

static void *work(void *arg) {
  (void)arg;
  EACH8(DECL)
  EACH8B(DECL)
  // Factors close to 1 keep every chain finite and normal (no denormal slow path).
  const V a = SET1(0.9999999f), b = SET1(1e-7f);
  if (fma_mode) {
    for (long it = 0; it < iterations; it++) {
      EACH8(STEP_FMA)
      EACH8B(STEP_FMA)
    }
  } else {
    // Half the chains multiply, half add: a core with separate multiply and add pipes can issue both.
    for (long it = 0; it < iterations; it++) {
      EACH8(STEP_MUL)
      EACH8B(STEP_ADD)
    }
  }
  float s = 0;
  EACH8(ACC)
  EACH8B(ACC)
  sink = s;
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: peak fma|muladd <threads> <iterations>\n");
    return 2;
  }
  fma_mode = strcmp(argv[1], "fma") == 0;
  int threads = atoi(argv[2]);
  iterations = atol(argv[3]);
  if (threads < 1 || threads > 1024 || iterations < 1) return 2;
  pthread_t *ts = malloc(sizeof(pthread_t) * (size_t)threads);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int t = 0; t < threads; t++) pthread_create(&ts[t], NULL, work, NULL);
  for (int t = 0; t < threads; t++) pthread_join(ts[t], NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  double flops = (double)threads * (double)iterations * CHAINS * W * (fma_mode ? 2.0 : 1.0);
  printf("{\"gflops\": %.3f, \"lanes\": %d, \"seconds\": %.6f}\n", flops / s * 1e-9, W, s);
  free(ts);
  return 0;
}
