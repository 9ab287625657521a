// A small deterministic SVG bar chart: latency per model for both runtimes, one group per
// model and batch, one bar per runtime and thread count, on a log scale (the suite spans
// microseconds to seconds). Same rows in, same bytes out.
import type { Row } from './measure.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number) => (Math.round(x * 10) / 10).toFixed(1);

function label(us: number): string {
  if (us >= 1e6) return `${(us / 1e6).toPrecision(3)} s`;
  if (us >= 1e3) return `${(us / 1e3).toPrecision(3)} ms`;
  return `${us.toPrecision(3)} µs`;
}

/** Axis ticks are powers of ten: 10 µs, 1 ms, 1 s. */
function tick(us: number): string {
  if (us >= 1e6) return `${Math.round(us / 1e6)} s`;
  if (us >= 1e3) return `${Math.round(us / 1e3)} ms`;
  return `${Math.round(us)} µs`;
}

const COLORS = { volta: ['#1f5fa8', '#7aa6d8'], ort: ['#c8611a', '#f0a46c'] } as const;

export function latencyChart(rows: readonly Row[], title: string): string {
  const groups: { key: string; bars: { runtime: 'volta' | 'ort'; threads: number; voltaThreads: number; us: number }[] }[] = [];
  for (const r of rows) {
    let g = groups.find((x) => x.key === r.key);
    if (!g) groups.push((g = { key: r.key, bars: [] }));
    g.bars.push({ runtime: 'volta', threads: r.threads, voltaThreads: r.voltaThreads, us: r.voltaUs });
    g.bars.push({ runtime: 'ort', threads: r.threads, voltaThreads: r.voltaThreads, us: r.ortUs });
  }
  const threads = [...new Set(rows.map((r) => r.threads))].sort((a, b) => a - b);
  const all = rows.flatMap((r) => [r.voltaUs, r.ortUs]).filter((x) => x > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all, 10)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all, 100)));
  const [left, plotW, barH, gap, top] = [170, 560, 9, 14, 58];
  const x = (us: number) => left + (plotW * (Math.log10(Math.max(us, lo)) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo));
  let y = top;
  const body: string[] = [];
  for (const g of groups) {
    const h = g.bars.length * barH;
    body.push(`<text x="${left - 8}" y="${num(y + h / 2 + 4)}" text-anchor="end">${esc(g.key)}</text>`);
    for (const b of g.bars) {
      const color = COLORS[b.runtime][Math.max(0, threads.indexOf(b.threads)) % 2];
      body.push(`<rect x="${left}" y="${num(y)}" width="${num(x(b.us) - left)}" height="${barH - 1}" fill="${color}"/>`);
      body.push(`<text x="${num(x(b.us) + 4)}" y="${num(y + barH - 1.5)}" class="v">${esc(label(b.us))}</text>`);
      y += barH;
    }
    y += gap;
  }
  const height = y + 30;
  const axis: string[] = [];
  for (let t = lo; t <= hi * 1.001; t *= 10) {
    axis.push(`<line x1="${num(x(t))}" y1="${top - 6}" x2="${num(x(t))}" y2="${num(y - gap + 4)}" class="grid"/>`);
    axis.push(`<text x="${num(x(t))}" y="${num(y - gap + 18)}" text-anchor="middle" class="v">${esc(tick(t))}</text>`);
  }
  const legend = threads.flatMap((t, i) =>
    (['volta', 'ort'] as const).map((rt, j) => {
      const lx = left + (i * 2 + j) * 150 - 120;
      // A Volta without a threads option ran on one thread in every row: say so rather than label it t threads.
      const vt = Math.max(...rows.filter((r) => r.threads === t).map((r) => r.voltaThreads));
      const n = rt === 'volta' ? vt : t;
      const name = `${rt === 'volta' ? 'Volta' : 'ORT'} ${n} thread${n === 1 ? '' : 's'}${rt === 'volta' && vt !== t ? ` (vs ORT ${t})` : ''}`;
      return `<rect x="${lx}" y="30" width="12" height="10" fill="${COLORS[rt][i % 2]}"/><text x="${lx + 16}" y="39" class="v">${esc(name)}</text>`;
    }),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + plotW + 90}" height="${num(height)}" viewBox="0 0 ${left + plotW + 90} ${num(height)}" font-family="sans-serif" font-size="11">`,
    '<style>.v{font-size:9px;fill:#333}.grid{stroke:#ddd;stroke-width:1}</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
    ...legend,
    ...axis,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
