// Build-time figures of issue 7 §3, measured on the example MLP:
// - `volta compile` on the command line, wall-clock including Node start-up, with the
//   addon glue already built but the model not cached (target <= 500 ms), and fully cached;
// - Volta.compile in this process: cold (empty cache: glue + model), miss with the glue
//   built, and warm (cache hit; target <= 50 ms); and the first, cache-hit compile of a fresh process.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Volta } from '../runtime/index.ts';
import { distIsCurrent } from '../scripts/source_digest.mjs';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples', 'mlp', 'mlp.onnx');
const CLI = join(ROOT, 'bin', 'volta.mjs');

export const TARGETS = { cliMissMs: 500, warmCompileMs: 50 } as const;

export interface CompileTimes {
  readonly model: string;
  /** Median wall-clock ms of `node bin/volta.mjs compile <example> -o <dir>`: glue built, model not cached. */
  readonly cliMissMs: number;
  /** The same with the model's addon cached too. */
  readonly cliHitMs: number;
  /** What bin/volta.mjs ran: the built dist/ (current with the sources) or the sources through tsx. */
  readonly cliFrom: 'dist' | 'source';
  /** cliMissMs with VOLTA_FROM_SOURCE=1 (tsx), for comparison; undefined when cliFrom is already 'source'. */
  readonly cliMissFromSourceMs?: number;
  /** The same miss through the installed command (package.json bin, dist/compiler/cli/bin.js), when built. */
  readonly installedCliMissMs?: number;
  /** `node -e 0` on this machine, for scale. */
  readonly nodeStartMs: number;
  /** In-process Volta.compile into an empty cache directory (builds the glue and the model). */
  readonly coldMs: number;
  /** In-process Volta.compile of a model not in the cache, glue already built. */
  readonly missMs: number;
  /** In-process Volta.compile of a cached model, after a first compile in the same process (median). */
  readonly warmMs: number;
  /** The first Volta.compile of a fresh process, cache hit (modules loaded before the clock starts; median). */
  readonly freshHitMs: number;
  /** What the fresh process ran: the built dist/ (as an installed package does) or the sources through tsx. */
  readonly freshFrom?: 'dist' | 'source';
  readonly runs: number;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function wall(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return ms;
}

/** `workDir` is scratch space (removed by the caller). */
export async function measureCompileTimes(workDir: string, runs = 5): Promise<CompileTimes> {
  const primed = join(workDir, 'primed');
  let t0 = performance.now();
  const first = await Volta.compile(EXAMPLE, { cacheDir: primed });
  const coldMs = performance.now() - t0;
  const fp = first.fingerprint;

  const miss: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs; i++) {
    rmSync(join(primed, fp), { recursive: true, force: true });
    t0 = performance.now();
    await Volta.compile(EXAMPLE, { cacheDir: primed });
    miss.push(performance.now() - t0);
    t0 = performance.now();
    await Volta.compile(EXAMPLE, { cacheDir: primed });
    warm.push(performance.now() - t0);
  }

  // Each CLI miss gets a fresh cache directory holding only the built glue (whatever fingerprint the CLI computes).
  const out = join(workDir, 'cli-out');
  const cliMiss: number[] = [];
  const cliHit: number[] = [];
  const node: number[] = [];
  const fresh: number[] = [];
  let freshFrom: 'dist' | 'source' | undefined;
  const fromSource: number[] = [];
  const installed: number[] = [];
  const dist = distIsCurrent(ROOT);
  const installedBin = join(ROOT, 'dist', 'compiler', 'cli', 'bin.js');
  const hasInstalled = dist && existsSync(installedBin);
  for (let i = 0; i < runs; i++) {
    const cache = mkdtempSync(join(workDir, 'cli-cache-'));
    mkdirSync(cache, { recursive: true });
    cpSync(join(primed, 'glue'), join(cache, 'glue'), { recursive: true });
    const args = [CLI, 'compile', EXAMPLE, '-o', out, '--cache', cache];
    cliMiss.push(wall(process.execPath, args));
    cliHit.push(wall(process.execPath, args));
    if (dist) {
      rmSync(cache, { recursive: true, force: true });
      cpSync(join(primed, 'glue'), join(cache, 'glue'), { recursive: true });
      fromSource.push(wall(process.execPath, args, { ...process.env, VOLTA_FROM_SOURCE: '1' }));
    }
    if (hasInstalled) {
      rmSync(cache, { recursive: true, force: true });
      cpSync(join(primed, 'glue'), join(cache, 'glue'), { recursive: true });
      installed.push(wall(process.execPath, [installedBin, ...args.slice(1)]));
    }
    node.push(wall(process.execPath, ['-e', '0']));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'fresh_compile.ts'), EXAMPLE, primed], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench/fresh_compile.ts exited with ${r.status}:\n${r.stderr}`);
    const f = JSON.parse(r.stdout) as { ms: number; from: 'dist' | 'source' };
    fresh.push(f.ms);
    freshFrom = f.from;
    rmSync(cache, { recursive: true, force: true });
  }
  return {
    model: 'examples/mlp/mlp.onnx',
    cliMissMs: median(cliMiss),
    cliHitMs: median(cliHit),
    cliFrom: dist ? 'dist' : 'source',
    cliMissFromSourceMs: dist ? median(fromSource) : undefined,
    installedCliMissMs: hasInstalled ? median(installed) : undefined,
    nodeStartMs: median(node),
    coldMs,
    missMs: median(miss),
    warmMs: median(warm),
    freshHitMs: median(fresh),
    freshFrom,
    runs,
  };
}
