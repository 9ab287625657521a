// Bit-exact TypeScript port of templates/common/volta_math.h, used for
// constant folding and as a test oracle. Every float32 operation of the C code
// appears here once, in the same order, wrapped in Math.fround: a binary64
// +, -, *, / or sqrt of float32 inputs rounded to float32 equals the float32
// operation (double rounding is innocuous at 53 >= 2 * 24 + 2 bits), so the
// results match the C/CUDA build bit for bit. Keep the two files in step;
// test/math/volta_math.test.ts checks it.

const fr = Math.fround;

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

function bits(x: number): number {
  F32[0] = x;
  return U32[0];
}

function fromBits(u: number): number {
  U32[0] = u >>> 0;
  return F32[0];
}

// Parses a C hex float literal ('0x1.62e4p-1') so constants read exactly as
// in the header; throws if the value is not a float32.
function hexf(s: string): number {
  const m = /^(-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(s);
  if (!m) throw new Error(`bad hex float ${s}`);
  const frac = m[3] ?? '';
  const v = Number.parseInt(m[2] + frac, 16) * 2 ** (Number(m[4]) - 4 * frac.length);
  if (fr(v) !== v) throw new Error(`${s} is not a float32`);
  return m[1] ? -v : v;
}

const INF = Number.POSITIVE_INFINITY;

// 2^n for n in [-126, 127], built from exponent bits.
function pow2(n: number): number {
  return fromBits((n + 127) << 23);
}

const P64 = hexf('0x1p64');
const M64 = hexf('0x1p-64');

// y * 2^k for y in [0.5, 2], k in [-190, 190]; only the last product rounds.
function scale(y: number, k: number): number {
  if (k > 120) return fr(fr(y * pow2(k - 64)) * P64);
  if (k < -120) return fr(fr(y * pow2(k + 64)) * M64);
  return fr(y * pow2(k));
}

// ---- error-free transforms (Dekker / Veltkamp, no FMA) ----

const SPLIT = hexf('0x1.001p12');

// Exact error of the product p = fl(a * b).
function prodErr(a: number, b: number, p: number): number {
  const ca = fr(SPLIT * a);
  const ah = fr(ca - fr(ca - a));
  const al = fr(a - ah);
  const cb = fr(SPLIT * b);
  const bh = fr(cb - fr(cb - b));
  const bl = fr(b - bh);
  return fr(fr(fr(fr(fr(ah * bh) - p) + fr(ah * bl)) + fr(al * bh)) + fr(al * bl));
}

// (nh + nl) / (dh + dl) rounded once: one Newton correction of nh / dh.
function div2(nh: number, nl: number, dh: number, dl: number): number {
  const q = fr(nh / dh);
  const ph = fr(q * dh);
  const pl = prodErr(q, dh, ph);
  const r = fr(fr(fr(fr(nh - ph) - pl) + nl) - fr(q * dl));
  return fr(q + fr(r / dh));
}

// ---- exp ----

const INVLN2 = hexf('0x1.715476p0');
const LN2_HI = hexf('0x1.62e4p-1');
const LN2_LO = hexf('0x1.7f7d1cp-20');
const EXP_MAX = hexf('0x1.62e42ep6');
const EXP_MIN = hexf('-0x1.9fe368p6');
const SHIFTER = hexf('0x1.8p23');
const E8 = hexf('0x1.a01a02p-16');
const E7 = hexf('0x1.a01a02p-13');
const E6 = hexf('0x1.6c16c2p-10');
const E5 = hexf('0x1.111112p-7');
const E4 = hexf('0x1.555556p-5');
const E3 = hexf('0x1.555556p-3');
const E2 = hexf('0x1p-1');

// Outputs of expCore (avoids allocating a tuple per call).
let coreHi = 0;
let coreLo = 0;

// exp(x) = 2^k * (coreHi + coreLo); returns k. For finite |x| <= 104.
function expCore(x: number): number {
  const kf = fr(fr(fr(x * INVLN2) + SHIFTER) - SHIFTER);
  const rh = fr(x - fr(kf * LN2_HI));
  const rl = fr(kf * LN2_LO);
  const r = fr(rh - rl);
  let p = E8;
  p = fr(E7 + fr(r * p));
  p = fr(E6 + fr(r * p));
  p = fr(E5 + fr(r * p));
  p = fr(E4 + fr(r * p));
  p = fr(E3 + fr(r * p));
  p = fr(E2 + fr(r * p));
  p = fr(fr(r * r) * p);
  const a = fr(1 + rh);
  const b = fr(fr(rh - fr(a - 1)) + fr(p - rl));
  const h = fr(a + b);
  coreHi = h;
  coreLo = fr(b - fr(h - a));
  return kf | 0;
}

export function expf(x: number): number {
  x = fr(x);
  if (x !== x) return Number.NaN;
  if (x > EXP_MAX) return INF;
  if (x < EXP_MIN) return 0;
  const k = expCore(x);
  return scale(coreHi, k);
}

// ---- log ----

const L5 = hexf('0x1.745d18p-3');
const L4 = hexf('0x1.c71c72p-3');
const L3 = hexf('0x1.24924ap-2');
const L2 = hexf('0x1.99999ap-2');
const L1 = hexf('0x1.555556p-1');
const P25 = hexf('0x1p25');

export function logf(x: number): number {
  x = fr(x);
  if (x !== x) return Number.NaN;
  if (x < 0) return Number.NaN;
  if (x === 0) return -INF;
  let ix = bits(x);
  if (ix === 0x7f800000) return x;
  let k = 0;
  if (ix < 0x00800000) {
    ix = bits(fr(x * P25));
    k = -25;
  }
  k += (ix >>> 23) - 127;
  let mb = (ix & 0x007fffff) | 0x3f800000;
  if (mb >= 0x3fb504f3) {
    mb -= 0x00800000;
    k += 1;
  }
  const f = fr(fromBits(mb) - 1);
  const s = fr(f / fr(2 + f));
  const z = fr(s * s);
  let R = L5;
  R = fr(L4 + fr(z * R));
  R = fr(L3 + fr(z * R));
  R = fr(L2 + fr(z * R));
  R = fr(L1 + fr(z * R));
  R = fr(z * R);
  const corr = fr(s * fr(f - R));
  const kf = k;
  const h = fr(kf * LN2_HI);
  const sh = fr(h + f);
  const sl = fr(f - fr(sh - h));
  return fr(sh + fr(sl + fr(fr(kf * LN2_LO) - corr)));
}

// ---- tanh ----

const TANH_TINY = hexf('0x1p-13');

export function tanhf(x: number): number {
  x = fr(x);
  if (x !== x) return Number.NaN;
  const ax = fromBits(bits(x) & 0x7fffffff);
  if (ax >= 10) return x > 0 ? 1 : -1;
  if (ax < TANH_TINY) return x;
  const k = expCore(fr(ax + ax));
  const a = coreHi;
  const b = coreLo;
  const p2 = pow2(k);
  const eh = fr(a * p2);
  const el = fr(b * p2);
  const nh = fr(eh - 1);
  const ns = fr(nh + el);
  const nl = fr(el - fr(ns - nh));
  const dh = fr(eh + 1);
  const dl = fr(fr(1 - fr(dh - eh)) + el);
  const q = div2(ns, nl, dh, dl);
  return x < 0 ? -q : q;
}

// ---- sigmoid ----

export function sigmoidf(x: number): number {
  x = fr(x);
  if (x !== x) return Number.NaN;
  if (x >= 18) return 1;
  if (x < EXP_MIN) return 0;
  const k = expCore(x < 0 ? x : -x);
  const a = coreHi;
  const b = coreLo;
  let dh = 1;
  let dl = 0;
  if (k > -100) {
    const p2 = pow2(k);
    const eh = fr(a * p2);
    const el = fr(b * p2);
    dh = fr(1 + eh);
    dl = fr(fr(eh - fr(dh - 1)) + el);
  }
  if (x < 0) return scale(div2(a, b, dh, dl), k);
  return div2(1, 0, dh, dl);
}

// ---- sqrt ----

// Correctly rounded: binary64 sqrt then rounding to float32 is innocuous.
export function sqrtf(x: number): number {
  return fr(Math.sqrt(fr(x)));
}

// ---- erf ----

const ERF_P = ['0x1.4a5690p-14', '-0x1.a45088p-11', '0x1.541270p-8', '-0x1.b7fabap-6', '0x1.ce2d10p-4', '-0x1.81273ep-2', '0x1.06eba8p-3'].map(hexf);
const ERF_Q1 = [
  '-0x1.6ebbdcp-11',
  '0x1.06622ap-9',
  '-0x1.50db60p-8',
  '0x1.b5bffap-7',
  '-0x1.0dc5bcp-5',
  '0x1.37eb1ep-4',
  '-0x1.4f1988p-3',
  '0x1.494db0p-2',
].map(hexf);
const ERF_Q2 = [
  '-0x1.8cc95ep-16',
  '0x1.8d2cc2p-14',
  '-0x1.521608p-12',
  '0x1.3ebe3cp-10',
  '-0x1.259624p-8',
  '0x1.0445ecp-6',
  '-0x1.bd6ae0p-5',
  '0x1.6e9822p-3',
].map(hexf);

// Horner from the highest coefficient, c[0] first, as in the header.
function horner(c: readonly number[], t: number): number {
  let p = c[0];
  for (let i = 1; i < c.length; i++) p = fr(c[i] + fr(t * p));
  return p;
}

export function erff(x: number): number {
  x = fr(x);
  if (x !== x) return Number.NaN;
  const ax = fromBits(bits(x) & 0x7fffffff);
  if (ax >= 4) return x > 0 ? 1 : -1;
  if (ax < 1) {
    const z = fr(x * x);
    return fr(x + fr(x * horner(ERF_P, z)));
  }
  const q = ax < 2 ? horner(ERF_Q1, fr(ax - 1.5)) : horner(ERF_Q2, fr(ax - 3));
  const r = fr(1 - fr(expf(-fr(ax * ax)) * q));
  return x < 0 ? -r : r;
}

// ---- max / min ----
// NaN if either input is NaN; -0 < +0, so max(-0, +0) = +0 and
// min(-0, +0) = -0 in either order.

export function fmaxf(a: number, b: number): number {
  a = fr(a);
  b = fr(b);
  if (a !== a || b !== b) return Number.NaN;
  if (a > b) return a;
  if (b > a) return b;
  return fromBits(bits(a) & bits(b));
}

export function fminf(a: number, b: number): number {
  a = fr(a);
  b = fr(b);
  if (a !== a || b !== b) return Number.NaN;
  if (a < b) return a;
  if (b < a) return b;
  return fromBits(bits(a) | bits(b));
}
