// Counter-based randomness for training: Philox4x32-10 (Salmon et al., "Parallel Random
// Numbers: As Easy as 1, 2, 3", SC11; checked against Random123's known-answer vectors).
// Every random number is a pure function of (seed, stream, counter), so the data order of
// epoch e, or the initial value of weight i, never depends on what was drawn before it:
// a resumed run draws exactly what an uninterrupted one would.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High and low 32 bits of the 64-bit product of two uint32 (exact in doubles via 16-bit halves). */
function mulhilo(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const [a0, a1, b0, b1] = [a & 0xffff, a >>> 16, b & 0xffff, b >>> 16];
  const m1 = a1 * b0 + ((a0 * b0) >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  const hi = (a1 * b1 + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) >>> 0;
  return [hi, lo];
}

/** Philox4x32-10 of a 128-bit counter (4 words) under a 64-bit key (2 words); 4 uint32 out. */
export function philox4x32(ctr: readonly number[], key: readonly number[]): [number, number, number, number] {
  let [c0, c1, c2, c3] = ctr.map((x) => x >>> 0);
  let [k0, k1] = key.map((x) => x >>> 0);
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

/** Streams keep unrelated draws of one seed apart. */
export const STREAM = { shuffle: 1, init: 2 } as const;

/** The seed as Philox's key: its low and high 32 bits (a safe integer). */
function keyOf(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** Uniform in [0, 1) with 53 random bits: draw i of (seed, stream, a). */
export function uniform(seed: number, stream: number, a: number, i: number): number {
  const [x, y] = philox4x32([i >>> 0, Math.floor(i / 2 ** 32) >>> 0, a >>> 0, stream], keyOf(seed));
  return ((x >>> 5) * 67108864 + (y >>> 6)) / 9007199254740992;
}

/**
 * The order of epoch `epoch` over n samples: a Fisher-Yates shuffle whose i-th swap
 * partner is floor(u * (i + 1)) for u = uniform(seed, shuffle, epoch, i).
 */
export function epochOrder(seed: number, epoch: number, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform(seed, STREAM.shuffle, epoch, i) * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
