// `volta build [--config volta.config.yaml]`: every model of the config into a typed
// package (compiler/cli/project/). On a terminal a live table (one row per model and target:
// its stages with times, the one running marked, cache hits); otherwise one plain line per
// finished stage; with --json only the final object.
import { resolve } from 'node:path';
import { defaultCacheDir } from '../build/build.ts';
import type { Io, Values } from './args.ts';
import { ms, shown } from './format.ts';
import { type BuildEvent, buildProject, type ModelResult } from './project/build_models.ts';
import { loadConfig } from './project/config.ts';

export async function cmdBuild(_model: string, v: Values, io: Io): Promise<number> {
  const config = loadConfig(typeof v.config === 'string' ? v.config : 'volta.config.yaml');
  const cacheDir = resolve(typeof v.cache === 'string' ? v.cache : defaultCacheDir());
  const t0 = performance.now();
  const progress = v.json ? () => {} : io.isTTY ? liveProgress(io) : plainProgress(io);
  const results = await buildProject(config, cacheDir, progress);
  const totalMs = performance.now() - t0;
  if (v.json) {
    io.out(`${JSON.stringify({ config: shown(config.file), outDir: shown(config.outDir), models: results.map(modelJson), totalMs }, null, 2)}\n`);
    return 0;
  }
  const hits = results.filter((r) => r.cacheHit).length;
  io.out(`built ${results.length} model${results.length === 1 ? '' : 's'} into ${shown(config.outDir)} (${hits} unchanged) in ${ms(totalMs)}\n`);
  return 0;
}

function modelJson(r: ModelResult) {
  return { name: r.name, dir: shown(r.dir), cacheHit: r.cacheHit, targets: r.targets, timings: r.timings };
}

const label = (model: string, target: string) => (target ? `${model} (${target})` : model);

function plainProgress(io: Io): (e: BuildEvent) => void {
  return (e) => {
    if (e.kind === 'done') io.out(`${label(e.model, e.target)}: ${e.stage} ${ms(e.ms)}\n`);
    else if (e.kind === 'model') io.out(`${e.result.name}: ${e.result.cacheHit ? 'unchanged (cache hit), nothing written' : `wrote ${shown(e.result.dir)}`}\n`);
  };
}

/** Rows redrawn in place: ESC[<n>A moves up over the previous drawing, ESC[2K clears each line. */
function liveProgress(io: Io): (e: BuildEvent) => void {
  const rows = new Map<string, { stages: string[]; running?: string; status?: string }>();
  let drawn = 0;
  const draw = () => {
    const lines = [...rows].map(
      ([k, r]) => `${k.padEnd(24)} ${[...r.stages, ...(r.running ? [`${r.running} …`] : [])].join('  ')}${r.status ? `  ${r.status}` : ''}`,
    );
    io.out(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}\n`).join('')}`);
    drawn = lines.length;
  };
  const row = (k: string) => {
    let r = rows.get(k);
    if (r === undefined) rows.set(k, (r = { stages: [] }));
    return r;
  };
  return (e) => {
    if (e.kind === 'start') row(label(e.model, e.target)).running = e.stage;
    else if (e.kind === 'done') {
      const r = row(label(e.model, e.target));
      r.running = undefined;
      r.stages.push(`${e.stage} ${ms(e.ms)}`);
    } else {
      for (const t of e.result.targets)
        row(label(e.result.name, t.target)).status = e.result.cacheHit ? '✓ cache hit' : t.addonCacheHit ? '✓ (addon cached)' : '✓ built';
      if (!e.result.cacheHit) row(e.result.name).status = `✓ wrote ${shown(e.result.dir)}`;
    }
    draw();
  };
}
