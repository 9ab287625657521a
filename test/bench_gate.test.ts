// The benchmark gate (bench/gate.ts) on injected timings: it fires on a sustained
// regression, not on one noisy pass, not on a machine-wide slowdown that hits both
// runtimes, and a baseline update needs (and keeps) a reason.
import { describe, expect, it } from 'vitest';
import { type Baseline, judge, type Pass, runGate, updatedBaseline } from '../bench/gate.ts';

const baseline: Baseline = updatedBaseline(undefined, {
  name: 'test',
  reason: 'figures of the test machine',
  date: '2025-01-01T00:00:00.000Z',
  machine: 'test',
  git: 'abc123',
  threshold: 0.25,
  entries: {
    'mlp@b1/t1': { ratio: 1.2, voltaUs: 20, ortUs: 24 },
    'gemm1024/t1': { ratio: 0.8, voltaUs: 10_000, ortUs: 8_000 },
  },
});

/** A pass from injected timings (µs): the gate sees ORT time / Volta time, as the suite measures it. */
type Timings = Record<string, { volta: number; ort: number }>;
const pass = (t: Timings): Pass => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.ort / v.volta]));

/** A measure function that replays one scripted pass per call and records what it was asked for. */
function scripted(...passes: Timings[]) {
  const asked: (readonly string[])[] = [];
  const measure = async (entries: readonly string[]) => {
    asked.push(entries);
    const t = passes[asked.length - 1];
    return pass(Object.fromEntries(entries.filter((e) => e in t).map((e) => [e, t[e]])));
  };
  return { measure, asked };
}

const normal: Timings = { 'mlp@b1/t1': { volta: 20, ort: 24 }, 'gemm1024/t1': { volta: 10_000, ort: 8_000 } };
// Volta's MLP takes twice as long while ORT does not: the ratio halves.
const mlpSlow: Timings = { ...normal, 'mlp@b1/t1': { volta: 40, ort: 24 } };

describe('bench gate', () => {
  it('passes a run at the baseline after one pass', async () => {
    const s = scripted(normal);
    const v = await runGate(baseline, s.measure);
    expect(v.regressed).toBe(false);
    expect(s.asked).toEqual([['gemm1024/t1', 'mlp@b1/t1']]);
    expect(v.entries.map((e) => e.status)).toEqual(['ok', 'ok']);
  });

  it('fires on a sustained regression: the flagged entry exceeds the threshold again in a second pass', async () => {
    const s = scripted(mlpSlow, mlpSlow);
    const v = await runGate(baseline, s.measure);
    expect(v.regressed).toBe(true);
    expect(s.asked).toEqual([['gemm1024/t1', 'mlp@b1/t1'], ['mlp@b1/t1']]);
    expect(v.entries.find((e) => e.entry === 'mlp@b1/t1')).toMatchObject({ status: 'regression', measured: [0.6, 0.6] });
    expect(v.entries.find((e) => e.entry === 'gemm1024/t1')?.status).toBe('ok');
  });

  it('does not fire on single-pass noise: slow once, back to normal when re-measured', async () => {
    const s = scripted(mlpSlow, normal);
    const v = await runGate(baseline, s.measure);
    expect(v.regressed).toBe(false);
    expect(v.entries.find((e) => e.entry === 'mlp@b1/t1')?.status).toBe('noise');
  });

  it('compares ratios, not times: a machine twice as loaded for both runtimes is no regression', async () => {
    const loaded: Timings = { 'mlp@b1/t1': { volta: 40, ort: 48 }, 'gemm1024/t1': { volta: 20_000, ort: 16_000 } };
    const s = scripted(loaded, loaded);
    expect((await runGate(baseline, s.measure)).regressed).toBe(false);
    expect(s.asked).toHaveLength(1);
  });

  it('uses the threshold: a 20 % drop is within 25 %, a 30 % drop is not', () => {
    expect(judge(baseline, [{ 'mlp@b1/t1': 0.96 }, { 'mlp@b1/t1': 0.96 }]).regressed).toBe(false);
    expect(judge(baseline, [{ 'mlp@b1/t1': 0.84 }, { 'mlp@b1/t1': 0.84 }]).regressed).toBe(true);
    expect(judge(baseline, [{ 'mlp@b1/t1': 0.84 }, { 'mlp@b1/t1': 0.84 }], 0.5).regressed).toBe(false);
  });

  it('needs two consecutive exceeding passes, not two anywhere', () => {
    const over = { 'mlp@b1/t1': 0.5 };
    const fine = { 'mlp@b1/t1': 1.2 };
    expect(judge(baseline, [over, fine, over]).regressed).toBe(false);
    expect(judge(baseline, [fine, over, over]).regressed).toBe(true);
  });

  it('reports baseline entries no pass measured as missing, not as passing silently', () => {
    const v = judge(baseline, [{ 'mlp@b1/t1': 1.2 }]);
    expect(v.entries.find((e) => e.entry === 'gemm1024/t1')?.status).toBe('missing');
  });

  it('updates a baseline only with a reason, keeping the previous reason in its history', () => {
    const n = {
      name: 'test',
      date: '2025-02-01T00:00:00.000Z',
      machine: 'test',
      git: 'def456',
      entries: { 'mlp@b1/t1': { ratio: 1.5, voltaUs: 16, ortUs: 24 } },
    };
    expect(() => updatedBaseline(baseline, { ...n, reason: '  ' })).toThrow(/needs a reason/);
    const b = updatedBaseline(baseline, { ...n, reason: 'faster GEMM micro-kernel' });
    expect(b.reason).toBe('faster GEMM micro-kernel');
    expect(b.history[0]).toEqual({ date: baseline.date, reason: 'figures of the test machine', git: 'abc123' });
    expect(b.threshold).toBe(0.25);
    expect(b.entries['mlp@b1/t1'].ratio).toBe(1.5);
  });
});
