// Canonical JSON for hashing: sorted keys, and floats JSON cannot say (-0, NaN,
// ±Infinity) written distinctly, so equal text means equal data.
export function canonicalJson(x: unknown): string {
  if (typeof x === 'number') {
    if (Object.is(x, -0)) return '"-0"';
    return Number.isFinite(x) ? String(x) : `"${x}"`;
  }
  if (typeof x === 'bigint') return `"${x}n"`;
  if (x === null || typeof x !== 'object') return JSON.stringify(x) ?? 'null';
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x instanceof Map) return canonicalJson(Object.fromEntries([...x.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}
