// `npm run determinism:evidence`: the determinism stress matrix, written to
// docs/governance/determinism-evidence.md with the commands, fingerprints and a
// timestamp. Fails (exit 1) if any row disagrees. Rows that need a feature not
// in this build (threads, cuda-cpu) say so instead of passing silently.
//   - 100 compiles in one process: one fingerprint, one C and one CUDA source
//   - 4 worker threads and 3 child processes: the same fingerprint and sources
//   - runs at threads 1, 2 and 4: the same output bits
//   - C vs the cuda-cpu target (strict): the same output bits
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVoltaError, type Tensor, Volta } from '../runtime/index.ts';
import type { FingerprintReport } from '../test/helpers/fingerprint_worker.ts';
import { feedsFor, mlp } from '../test/helpers/models.ts';
import { runTsWorker } from '../test/helpers/ts_worker.ts';

const WORKER = new URL('../test/helpers/fingerprint_worker.ts', import.meta.url);
const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const rows: { check: string; result: string; ok: boolean | undefined }[] = [];
const row = (check: string, ok: boolean | undefined, result: string) => {
  rows.push({ check, ok, result });
  console.log(`${ok === undefined ? 'n/a ' : ok ? 'ok  ' : 'FAIL'} ${check}: ${result}`);
};

const cacheDir = mkdtempSync(join(tmpdir(), 'volta-evidence-'));
const ref = Volta.compileOnly(mlp());
const main: FingerprintReport = { fingerprint: ref.fingerprint, cSha: sha(ref.source('c')), cudaSha: sha(ref.source('cuda')) };

const seen = new Set<string>();
for (let i = 0; i < 100; i++) {
  const c = Volta.compileOnly(mlp());
  seen.add(`${c.fingerprint} ${sha(c.source('c'))} ${sha(c.source('cuda'))}`);
}
row('100 compiles in one process', seen.size === 1, `${seen.size} distinct (fingerprint, C, CUDA) triple(s)`);

const workers = await Promise.all(Array.from({ length: 4 }, () => runTsWorker<FingerprintReport>(WORKER)));
row(
  '4 worker threads',
  workers.every((w) => JSON.stringify(w) === JSON.stringify(main)),
  workers.map((w) => w.fingerprint.slice(0, 12)).join(', '),
);
const procs = [0, 1, 2].map(() => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', WORKER.pathname], { encoding: 'utf8' })) as FingerprintReport);
row(
  '3 child processes',
  procs.every((p) => JSON.stringify(p) === JSON.stringify(main)),
  procs.map((p) => p.fingerprint.slice(0, 12)).join(', '),
);

async function bitsWith(options: Record<string, unknown>): Promise<string | undefined> {
  try {
    const s = await Volta.compile(mlp(), { cacheDir, ...options });
    const out = s.runSync(feedsFor(mlp(), 1));
    return sha(Buffer.concat(Object.values(out).map((t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))));
  } catch (e) {
    if (isVoltaError(e, 'VOLTA_E_BAD_OPTION')) return undefined;
    throw e;
  }
}

const base = await bitsWith({});
const threads = await Promise.all([1, 2, 4].map((n) => bitsWith({ threads: n })));
if (threads.some((t) => t === undefined)) row('threads 1 / 2 / 4', undefined, 'the threads option is not in this build');
else
  row(
    'threads 1 / 2 / 4',
    threads.every((t) => t === base),
    threads.map((t) => t!.slice(0, 12)).join(', '),
  );
const cudaCpu = await bitsWith({ target: 'cuda-cpu' });
if (cudaCpu === undefined) row('C vs cuda-cpu (strict)', undefined, 'the cuda-cpu target is not in this build');
else row('C vs cuda-cpu (strict)', cudaCpu === base, `${base?.slice(0, 12)} vs ${cudaCpu.slice(0, 12)}`);

const failed = rows.filter((r) => r.ok === false).length;
const md = `# Determinism evidence

Written by \`npm run determinism:evidence\` (scripts/determinism_evidence.ts) on ${new Date().toISOString()}, Node
${process.version}, ${process.platform}/${process.arch}. Model: the test MLP (test/helpers/models.ts). The clauses
these rows back are in [determinism-scope.md](determinism-scope.md).

Reference fingerprint: \`${main.fingerprint}\`; C source sha256 \`${main.cSha}\`; CUDA source sha256 \`${main.cudaSha}\`;
output bits sha256 \`${base}\`.

| check | result | |
|---|---|---|
${rows.map((r) => `| ${r.check} | ${r.result} | ${r.ok === undefined ? 'not available' : r.ok ? 'agree' : '**DISAGREE**'} |`).join('\n')}
`;
writeFileSync(new URL('../docs/governance/determinism-evidence.md', import.meta.url), md);
const na = rows.filter((r) => r.ok === undefined).length;
console.log(`${rows.length - failed - na} passed, ${failed} failed${na ? `, ${na} not available` : ''}`);
process.exitCode = failed ? 1 : 0;
