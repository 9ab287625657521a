// Determinism: the same model gives the same fingerprint and source text on
// every compile, in every thread and process; the addon gives the same bits on
// every run, and those bits are what the TS reference interpreter computes.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { firstDivergentPass, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';
import type { FingerprintReport } from './helpers/fingerprint_worker.ts';
import { referenceFetches } from './helpers/interp.ts';
import { feedsFor, kernelGraphs, mlp } from './helpers/models.ts';
import { runTsWorker } from './helpers/ts_worker.ts';

const cacheDir = join(tmpdir(), 'volta-test-determinism');
const WORKER = new URL('./helpers/fingerprint_worker.ts', import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function bytesOf(v: ArrayBufferView): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function mainReport(): FingerprintReport {
  const c = Volta.compileOnly(mlp());
  return { fingerprint: c.fingerprint, cSha: sha(c.source('c')), cudaSha: sha(c.source('cuda')) };
}

describe('compile determinism', () => {
  it('100 in-process compiles of the MLP give one fingerprint and identical C and CUDA source', () => {
    const fps = new Set<string>();
    const cs = new Set<string>();
    const cudas = new Set<string>();
    for (let i = 0; i < 100; i++) {
      // A fresh graph each time: nothing may depend on object identity or caches.
      const c = Volta.compileOnly(mlp());
      fps.add(c.fingerprint);
      cs.add(sha(c.source('c')));
      cudas.add(sha(c.source('cuda')));
    }
    expect([fps.size, cs.size, cudas.size]).toEqual([1, 1, 1]);
  });

  it('4 concurrent worker threads and a child process compute the main thread fingerprint and sources', async () => {
    const main = mainReport();
    const [workers, child] = await Promise.all([
      Promise.all([0, 1, 2, 3].map(() => runTsWorker<FingerprintReport>(WORKER))),
      promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(WORKER)], { cwd: ROOT }),
    ]);
    for (const w of workers) expect(w).toEqual(main);
    expect(JSON.parse(child.stdout) as FingerprintReport).toEqual(main);
  });

  it('per-pass snapshots match between compiles; disabling a pass names the first divergent pass', () => {
    const a = Volta.compileOnly(mlp());
    const b = Volta.compileOnly(mlp());
    expect(b.snapshots.map((s) => [s.pass, s.text])).toEqual(a.snapshots.map((s) => [s.pass, s.text]));
    expect(firstDivergentPass(a.snapshots, b.snapshots)).toBeUndefined();
    const nofuse = Volta.compileOnly(mlp(), { disablePasses: ['fuse-elementwise'] });
    expect(nofuse.fingerprint).not.toBe(a.fingerprint);
    expect(firstDivergentPass(a.snapshots, nofuse.snapshots)?.pass).toBe('fuse-elementwise');
  });
});

describe('run determinism and the reference interpreter', () => {
  it('10 runs of the MLP addon give bit-identical outputs, equal to the TS interpreter', async () => {
    const g = mlp();
    const compiled = Volta.compileOnly(g);
    const session = await Volta.compile(g, { cacheDir });
    expect(session.fingerprint).toBe(compiled.fingerprint);
    const feeds = feedsFor(g, 7);
    const first = bytesOf(session.runSync(feeds).probs.data);
    for (let i = 1; i < 10; i++) expect(bytesOf(session.runSync(feeds).probs.data).equals(first), `run ${i}`).toBe(true);
    const ref = referenceFetches(compiled, feeds);
    expect(bytesOf(ref.probs).equals(first), 'C addon vs compiler/eval/interpret.ts').toBe(true);
  });

  // The kernel-kind graphs cross-check every plan kind of the interpreter against the C.
  for (const { name, graph } of kernelGraphs()) {
    it(`C addon equals the TS interpreter bit for bit: ${name}`, async () => {
      const compiled = Volta.compileOnly(graph);
      const session = await Volta.compile(graph, { cacheDir });
      const feeds = feedsFor(graph, 3);
      const out = session.runSync(feeds);
      const ref = referenceFetches(compiled, feeds);
      for (const n of session.outputNames) expect(sameBits(out[n].data, ref[n]), `output ${n}`).toBe(true);
    });
  }
});
