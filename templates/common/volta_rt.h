/* volta_rt.h - what a generated C model gets from the addon at run time: a
 * persistent thread pool (created once per session by the glue) and one
 * scratch block per thread. C only (the CUDA backend launches grids instead).
 *
 * Each kernel's work is split into tasks by its kernel plan (the plan's
 * Partition): a task writes its own outputs and reads no other task's, and no
 * task splits a reduction. Which thread runs which task therefore never
 * changes a bit, and the thread count is not part of the fingerprint.
 */
#ifndef VOLTA_RT_H
#define VOLTA_RT_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs tasks [t0, t1) of one kernel; scratch is the running thread's scratch block
 * (volta_scratch_bytes, 64-byte aligned). */
typedef void (*volta_task_fn)(const void *args, int64_t t0, int64_t t1, float *scratch);

typedef struct volta_rt volta_rt;
struct volta_rt {
  /* Runs tasks [0, tasks) on the pool and returns when all are done; 0 when single-threaded. */
  void (*parallel)(const volta_rt *rt, volta_task_fn fn, const void *args, int64_t tasks);
  void *pool;
  /* The calling thread's scratch block. */
  float *scratch;
  /* Kernels whose estimated work (about one unit per multiply-add or element op) is below this run on the calling thread. */
  double min_parallel_work;
};

#ifdef __cplusplus
}
#endif

static inline void volta_parallel(const volta_rt *rt, volta_task_fn fn, const void *args, int64_t tasks, double work) {
  if (tasks <= 1 || rt->parallel == 0 || work < rt->min_parallel_work) fn(args, 0, tasks, rt->scratch);
  else rt->parallel(rt, fn, args, tasks);
}

#endif /* VOLTA_RT_H */
