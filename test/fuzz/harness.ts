// Runs one fuzz case through the whole compile (import, passes, schedule,
// memory plan, fingerprint, C and CUDA emission) and classifies the outcome:
// compiled, or refused with a typed VOLTA_E_* error. Anything else — an untyped
// throw, VOLTA_E_INTERNAL, a file written outside the case's own directory —
// is a finding.
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ERROR_CODES, isVoltaError, Volta } from '../../runtime/index.ts';
import type { FuzzCase } from './cases.ts';

export interface Outcome {
  readonly index: number;
  readonly kind: string;
  /** 'compiled' or the error code. */
  readonly result: string;
  readonly ms: number;
  /** Set when the outcome is a finding. */
  readonly finding?: string;
}

/** Every path under dir, relative, sorted. */
export function listTree(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = base ? `${base}/${e.name}` : e.name;
      return e.isDirectory() && !e.isSymbolicLink() ? [p, ...listTree(dir, p)] : [p];
    });
}

/**
 * `root` holds `cases/` (one directory per case, removed afterwards) and `outside/` (a decoy the
 * hostile external-data paths point at; it must never change).
 */
export function runCase(c: FuzzCase, root: string, compile: typeof Volta.compileOnly = Volta.compileOnly): Outcome {
  const t0 = performance.now();
  const caseDir = join(root, 'cases', String(c.index));
  let model: string | Uint8Array = c.bytes;
  if (c.files) {
    mkdirSync(caseDir, { recursive: true });
    writeFileSync(join(caseDir, 'model.onnx'), c.bytes);
    for (const [p, content] of Object.entries(c.files)) {
      mkdirSync(dirname(join(caseDir, p)), { recursive: true });
      if (content instanceof Uint8Array) writeFileSync(join(caseDir, p), content);
      else symlinkSync(content.symlink, join(caseDir, p));
    }
    model = join(caseDir, 'model.onnx');
  }
  const outsideBefore = listTree(join(root, 'outside')).join('\n');
  let result = 'compiled';
  let finding: string | undefined;
  try {
    const compiled = compile(model, { dumpDir: c.index % 50 === 0 ? join(caseDir, 'dump') : undefined });
    compiled.source('c');
    compiled.source('cuda');
  } catch (e) {
    if (!isVoltaError(e)) finding = `untyped throw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    else if (!(e.code in ERROR_CODES)) finding = `unknown code ${e.code}`;
    else if (e.code === 'VOLTA_E_INTERNAL') finding = `internal error: ${e.message}`;
    result = isVoltaError(e) ? e.code : 'untyped';
  }
  if (listTree(join(root, 'outside')).join('\n') !== outsideBefore) finding = 'a file outside the case directory changed';
  if (existsSync(caseDir)) {
    // Only the case's own inputs and the dump directory may be there.
    const allowed = new Set(['model.onnx', 'dump', ...Object.keys(c.files ?? {}).map((p) => p.split('/')[0])]);
    const extra = listTree(caseDir).filter((p) => !allowed.has(p.split('/')[0]));
    if (extra.length > 0) finding = `unexpected files written: ${extra.join(', ')}`;
    rmSync(caseDir, { recursive: true, force: true });
  }
  return { index: c.index, kind: c.kind, result, ms: performance.now() - t0, finding };
}

/** A fresh fuzz root with its decoy `outside/w.bin`. */
export function fuzzRoot(dir: string): string {
  mkdirSync(join(dir, 'outside'), { recursive: true });
  mkdirSync(join(dir, 'cases'), { recursive: true });
  writeFileSync(join(dir, 'outside', 'w.bin'), new Uint8Array(512).fill(7));
  return dir;
}

/** Outcomes counted by kind and result, in sorted order. */
export function tally(outcomes: readonly Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(`${o.kind} ${o.result}`, (counts.get(`${o.kind} ${o.result}`) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`)
    .join('\n');
}
