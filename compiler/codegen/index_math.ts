// Index arithmetic for kernels over a row-major iteration space: dim collapsing
// and the offset expressions both backends print.

/** Merges adjacent dims that every stride list walks contiguously; size-1 dims vanish. */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, o) => st[o][last] === s[i] * d)) {
      dims[last] *= d;
      strides.forEach((s, o) => {
        st[o][last] = s[i];
      });
      return;
    }
    dims.push(d);
    strides.forEach((s, o) => {
      st[o].push(s[i]);
    });
  });
  return { shape: dims, strides: st };
}

/** `offset + i0*s0 + ...` with zero terms dropped and unit strides bare. */
export function offsetExpr(vars: readonly string[], strides: readonly number[], offset = 0): string {
  const terms: string[] = [];
  if (offset !== 0) terms.push(String(offset));
  vars.forEach((v, d) => {
    const s = strides[d];
    if (s === 0) return;
    terms.push(s === 1 ? v : `${v} * ${s}`);
  });
  return terms.length === 0 ? '0' : terms.join(' + ');
}

export function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** CUDA: `iN = (i / stride) % extent` lines decomposing a flat index. */
export function decompose(flat: string, vars: readonly string[], shape: readonly number[]): string[] {
  const s = contiguous(shape);
  return vars.map((v, d) => {
    const q = s[d] === 1 ? flat : `${flat} / ${s[d]}`;
    return d === 0 ? `const int64_t ${v} = ${q};` : `const int64_t ${v} = (${q}) % ${shape[d]};`;
  });
}
