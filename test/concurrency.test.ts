// Many processes, one cache: 8 processes compiling the same and different models
// into one cache directory at once each load the artifact of their own
// fingerprint (the session checks the addon's embedded fingerprint) and compute
// the same bits as a compile in this process. And a compile killed half-way
// leaves nothing a later run would load: no partial output directory, no
// cache entry.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Tensor, Volta } from '../runtime/index.ts';
import { concurrencyModels } from './helpers/concurrency_models.ts';

const run = promisify(execFile);
const CHILD = new URL('./helpers/compile_child.ts', import.meta.url).pathname;
const BIN = new URL('../bin/volta.mjs', import.meta.url).pathname;
const MODEL = new URL('../examples/mlp/mlp.onnx', import.meta.url).pathname;

describe('concurrent compiles into one cache', () => {
  it('8 processes (3 models, same and different) never read a torn or wrong artifact', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'volta-conc-'));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        run(process.execPath, ['--import', 'tsx', CHILD, String(i % 3), cacheDir], { timeout: 240_000 }).then((r) => JSON.parse(r.stdout)),
      ),
    );
    // The same models compiled and run here, in a cache of their own.
    const want = await Promise.all(
      concurrencyModels().map(async (g) => {
        const s = await Volta.compile(g, { cacheDir: mkdtempSync(join(tmpdir(), 'volta-conc-ref-')) });
        const x = new Float32Array(64).map((_, i) => (i % 7) / 7 - 0.5);
        const y = Object.values(await s.run({ x: new Tensor('float32', x, [4, 16]) }))[0];
        return { fingerprint: s.fingerprint, bits: createHash('sha256').update(new Uint8Array(y.data.buffer)).digest('hex') };
      }),
    );
    for (const r of results) expect({ fingerprint: r.fingerprint, bits: r.bits }).toEqual(want[r.which]);
    // One artifact per fingerprint, and no leftovers of the builders.
    expect(readdirSync(cacheDir).filter((d) => d.startsWith('.tmp-'))).toEqual([]);
    expect(
      readdirSync(cacheDir)
        .filter((d) => /^[0-9a-f]{64}$/.test(d))
        .sort(),
    ).toEqual(want.map((w) => w.fingerprint).sort());
  }, 300_000);

  it('a compile killed half-way leaves no partial output and no cache entry; the next one succeeds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volta-killed-'));
    const cacheDir = join(dir, 'cache');
    // A C compiler that never finishes: the kill lands inside the build.
    const slowCc = join(dir, 'slow-cc');
    const ccPid = join(dir, 'cc.pid');
    writeFileSync(slowCc, `#!/bin/sh\necho $$ > ${ccPid}\nexec sleep 600\n`);
    chmodSync(slowCc, 0o755);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [BIN, 'compile', MODEL, '-o', out, '--cache', cacheDir], { env: { ...process.env, CC: slowCc }, detached: true });
    // Wait until the C compiler runs (sources already written to the private directory), then kill.
    for (let i = 0; i < 1200 && !existsSync(ccPid); i++) await new Promise((r) => setTimeout(r, 100));
    expect(readdirSync(dir).some((f) => f.startsWith('.out.tmp-'))).toBe(true);
    // The whole process group: the compile and its (sleeping) compiler.
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The compiler runs in the compile's process group, so the kill above stopped it too; make sure.
    if (existsSync(ccPid)) {
      try {
        process.kill(Number(readFileSync(ccPid, 'utf8')), 'SIGKILL');
      } catch {
        // already gone with the group
      }
    }
    expect(existsSync(out)).toBe(false);
    const entries = existsSync(cacheDir) ? readdirSync(cacheDir).filter((d) => /^[0-9a-f]{64}$/.test(d)) : [];
    expect(entries).toEqual([]);
    // A later compile ignores the leftovers and produces a complete, loadable output.
    const ok = await run(process.execPath, [BIN, 'compile', MODEL, '-o', out, '--cache', cacheDir], { timeout: 240_000 });
    expect(ok.stdout).toMatch(/fingerprint {2}[0-9a-f]{64}/);
    for (const f of ['model.c', 'plan.json', 'volta.node', 'weights.bin']) expect(existsSync(join(out, f)), f).toBe(true);
  }, 300_000);

  it('-o never replaces a directory that is not a previous output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volta-notours-'));
    writeFileSync(join(dir, 'precious.txt'), 'user data');
    const r = await run(process.execPath, [BIN, 'compile', MODEL, '-o', dir]).catch((e) => e);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\[VOLTA_E_BAD_OPTION\] .*not empty and holds no plan.json/);
    expect(existsSync(join(dir, 'precious.txt'))).toBe(true);
  });
});
