// The benchmark gate: accepted figures live in bench/baselines/<name>.json; a run
// flags a regression only when an entry's ORT/Volta ratio falls below the baseline
// by more than the threshold in two consecutive passes (a second pass re-measures
// just the entries the first pass flagged). Ratios, not absolute times: both
// runtimes are timed interleaved in one process, so load on a shared machine
// slows both and mostly cancels out.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface BaselineEntry {
  readonly ratio: number;
  readonly voltaUs: number;
  readonly ortUs: number;
}

export interface Baseline {
  readonly schema: 1;
  readonly name: string;
  /** Why these figures were accepted (required when updating). */
  readonly reason: string;
  readonly date: string;
  readonly machine: string;
  readonly git: string;
  /** Relative drop of the ratio that counts as exceeding (0.25: 25 % below baseline). */
  readonly threshold: number;
  /** "<model key>/t<threads>" -> accepted figures. */
  readonly entries: Readonly<Record<string, BaselineEntry>>;
  /** Earlier updates, newest first. */
  readonly history: readonly { readonly date: string; readonly reason: string; readonly git: string }[];
}

/** One pass: entry -> measured ORT/Volta ratio. */
export type Pass = Readonly<Record<string, number>>;

export const DEFAULT_THRESHOLD = 0.25;

export function exceeds(baseline: number, measured: number, threshold: number): boolean {
  return measured < baseline * (1 - threshold);
}

export interface EntryVerdict {
  readonly entry: string;
  readonly baseline: number;
  /** The ratio in each pass that measured this entry. */
  readonly measured: readonly number[];
  readonly status: 'ok' | 'noise' | 'regression' | 'missing';
}

export interface Verdict {
  readonly regressed: boolean;
  readonly passes: number;
  readonly entries: readonly EntryVerdict[];
}

/** Judges passes (oldest first): an entry regresses when two consecutive passes that measured it both exceed. */
export function judge(baseline: Baseline, passes: readonly Pass[], threshold = baseline.threshold): Verdict {
  const entries: EntryVerdict[] = Object.keys(baseline.entries)
    .sort()
    .map((entry) => {
      const base = baseline.entries[entry].ratio;
      const measured = passes.filter((p) => entry in p).map((p) => p[entry]);
      if (measured.length === 0) return { entry, baseline: base, measured, status: 'missing' as const };
      let streak = 0;
      let worst = 0;
      for (const m of measured) {
        streak = exceeds(base, m, threshold) ? streak + 1 : 0;
        worst = Math.max(worst, streak);
      }
      const anyOver = measured.some((m) => exceeds(base, m, threshold));
      const status = worst >= 2 ? ('regression' as const) : anyOver ? ('noise' as const) : ('ok' as const);
      return { entry, baseline: base, measured, status };
    });
  return { regressed: entries.some((e) => e.status === 'regression'), passes: passes.length, entries };
}

/** Runs the gate: pass 1 over every baseline entry, pass 2 over the entries pass 1 found exceeding. */
export async function runGate(baseline: Baseline, measure: (entries: readonly string[]) => Promise<Pass>, threshold = baseline.threshold): Promise<Verdict> {
  const all = Object.keys(baseline.entries).sort();
  const passes: Pass[] = [await measure(all)];
  const suspects = all.filter((e) => e in passes[0] && exceeds(baseline.entries[e].ratio, passes[0][e], threshold));
  if (suspects.length > 0) passes.push(await measure(suspects));
  return judge(baseline, passes, threshold);
}

export function verdictText(v: Verdict, threshold: number): string {
  const lines = [`bench gate: ${v.passes} pass${v.passes > 1 ? 'es' : ''}, threshold ${(threshold * 100).toFixed(0)} % below the baseline ORT/Volta ratio`];
  for (const e of v.entries) {
    const m = e.measured.map((x) => x.toFixed(3)).join(' then ');
    lines.push(`  ${e.status.padEnd(10)} ${e.entry.padEnd(26)} baseline ${e.baseline.toFixed(3)}  measured ${m || '—'}`);
  }
  const noise = v.entries.filter((e) => e.status === 'noise').length;
  const missing = v.entries.filter((e) => e.status === 'missing').length;
  lines.push(
    v.regressed
      ? `REGRESSION: ${v.entries.filter((e) => e.status === 'regression').length} entr(y/ies) below the threshold in two consecutive passes`
      : `ok${noise ? ` (${noise} entr(y/ies) exceeded in one pass only: noise)` : ''}${missing ? `; ${missing} baseline entr(y/ies) not measured` : ''}`,
  );
  return lines.join('\n');
}

export function readBaseline(file: string): Baseline {
  if (!existsSync(file)) throw new Error(`no baseline at ${file}: create one with npm run bench:baseline -- --reason "<why>"`);
  const b = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
  if (b.schema !== 1 || typeof b.entries !== 'object') throw new Error(`${file} is not a Volta bench baseline (schema 1)`);
  return b;
}

export interface NewBaseline {
  readonly name: string;
  readonly reason: string;
  readonly date: string;
  readonly machine: string;
  readonly git: string;
  readonly threshold?: number;
  readonly entries: Readonly<Record<string, BaselineEntry>>;
}

/** The baseline that replaces `previous` (if any): a non-empty reason is required; the old reason moves to history. */
export function updatedBaseline(previous: Baseline | undefined, n: NewBaseline): Baseline {
  if (n.reason.trim() === '') throw new Error('a baseline update needs a reason: --reason "<why these figures are accepted>"');
  const history = previous ? [{ date: previous.date, reason: previous.reason, git: previous.git }, ...previous.history] : [];
  return {
    schema: 1,
    name: n.name,
    reason: n.reason.trim(),
    date: n.date,
    machine: n.machine,
    git: n.git,
    threshold: n.threshold ?? previous?.threshold ?? DEFAULT_THRESHOLD,
    entries: Object.fromEntries(
      Object.keys(n.entries)
        .sort()
        .map((k) => [k, n.entries[k]]),
    ),
    history,
  };
}

export function writeBaseline(file: string, b: Baseline): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(b, null, 2)}\n`);
}
