// The fixed order of every reduction Volta emits (Reduce*, the sums of Softmax
// and LogSoftmax), shared by the C kernels, the CUDA kernels and the TS
// interpreter, so that all three give the same bits.
//
// For R elements numbered 0..R-1 (row-major over the reduced dims) and L lanes
// (a power of two): lane l starts at the identity and combines elements
// l, l + L, l + 2L, ... in increasing order; then a halving tree combines lane l
// with lane l + s for s = L/2, L/4, ..., 1, leaving the result in lane 0.
// This is the order of a GPU block whose L threads stride over the row and
// then reduce through shared memory or warp shuffles, and on a CPU it is L
// independent accumulators that vectorise without reassociating anything.
//
// L depends only on R (never on the backend, ISA or thread count): a small
// row uses as few lanes as cover it, long rows use a whole block.

/** Lanes for short rows: one warp. */
export const WARP_LANES = 32;
/** Lanes for rows of at least LONG_ROW elements: one 256-thread block. */
export const BLOCK_LANES = 256;
export const LONG_ROW = 8192;

export function reduceLanes(r: number): number {
  if (r >= LONG_ROW) return BLOCK_LANES;
  let l = 1;
  while (l < r && l < WARP_LANES) l *= 2;
  return l;
}

/** The contract, executable: reduces `count` elements got by `at(i)` in lane order. */
export function laneReduce<T>(count: number, lanes: number, init: T, at: (i: number) => T, combine: (a: T, b: T) => T): T {
  const acc = new Array<T>(lanes).fill(init);
  for (let i = 0; i < count; i++) acc[i % lanes] = combine(acc[i % lanes], at(i));
  for (let s = lanes >> 1; s >= 1; s >>= 1) for (let l = 0; l < s; l++) acc[l] = combine(acc[l], acc[l + s]);
  return acc[0];
}
