// The reduction order contract (compiler/kernels/reduce_order.ts), checked on
// symbols: combining strings shows exactly which elements meet in which order.
import { describe, expect, it } from 'vitest';
import { BLOCK_LANES, LONG_ROW, laneReduce, reduceLanes, WARP_LANES } from '../compiler/kernels/reduce_order.ts';

const sym = (count: number, lanes: number) =>
  laneReduce(
    count,
    lanes,
    'I',
    (i) => `x${i}`,
    (a, b) => `(${a}+${b})`,
  );

describe('reduction order', () => {
  it('lanes stride over the row, then a halving tree combines lane l with lane l + s', () => {
    // 4 lanes, 6 elements: lane0 = x0,x4; lane1 = x1,x5; lane2 = x2; lane3 = x3.
    expect(sym(6, 4)).toBe('((((I+x0)+x4)+(I+x2))+(((I+x1)+x5)+(I+x3)))');
  });
  it('one lane is the plain sequential order', () => {
    expect(sym(3, 1)).toBe('(((I+x0)+x1)+x2)');
  });
  it('empty lanes hold the identity', () => {
    expect(sym(1, 2)).toBe('((I+x0)+I)');
    expect(sym(0, 2)).toBe('(I+I)');
  });
  it('lane count depends on the row length only: the smallest power of two covering it, one warp, or one block for long rows', () => {
    expect([0, 1, 2, 3, 5, 17, 32, 33, 8191].map(reduceLanes)).toEqual([1, 1, 2, 4, 8, 32, 32, 32, 32]);
    expect(reduceLanes(LONG_ROW)).toBe(BLOCK_LANES);
    expect(WARP_LANES).toBe(32);
  });
});
