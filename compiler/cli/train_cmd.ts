// `volta train <config.yaml>`: trains on Fashion-MNIST (runtime/train/trainer.ts), one
// progress line per epoch, optional JSON report, ONNX export and checkpoints.
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Trainer } from '../../runtime/train/trainer.ts';
import { defaultCacheDir } from '../build/build.ts';
import type { Mode, Target } from '../compile.ts';
import { readConfig } from '../train/config.ts';
import { type Io, usage, type Values } from './args.ts';

function count(v: Values, key: string): number | undefined {
  const raw = v[key];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw usage('train', `--${key} ${JSON.stringify(raw)} is not a positive whole number`);
  return n;
}

/** Writes next to the final path and renames, so a reader never sees a partial file. */
function writeAtomically(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export async function cmdTrain(configPath: string, v: Values, ioIn: Io): Promise<number> {
  // `--json -`: the report is the one JSON object on stdout, so progress lines go to stderr.
  const io: Io = v.json === '-' ? { ...ioIn, out: ioIn.err } : ioIn;
  const config = readConfig(configPath);
  const threads = count(v, 'threads');
  const withData = {
    ...config,
    ...(typeof v.data === 'string' ? { data: resolve(v.data) } : {}),
    ...(threads !== undefined ? { threads } : {}),
  };
  const maxSteps = count(v, 'max-steps');
  const every = count(v, 'checkpoint-every');
  const checkpoint = typeof v.checkpoint === 'string' ? resolve(v.checkpoint) : undefined;
  if (every !== undefined && checkpoint === undefined) throw usage('train', '--checkpoint-every needs --checkpoint');
  const opts = {
    cacheDir: resolve(typeof v.cache === 'string' ? v.cache : defaultCacheDir()),
    target: v.target as Target | undefined,
    mode: v.mode as Mode | undefined,
  };
  const t0 = performance.now();
  const t = typeof v.resume === 'string' ? await Trainer.resume(resolve(v.resume), withData, opts) : await Trainer.create(withData, opts);
  io.out(`fingerprint  ${t.fingerprint}\n`);
  io.out(
    `model        ${t.layout.filter((s) => s.role === 'param').reduce((n, s) => n + s.init.data.length, 0)} parameters; ${t.stepsPerEpoch} steps per epoch of ${config.batchSize}\n`,
  );
  io.out(
    `prepared in  ${((performance.now() - t0) / 1000).toFixed(1)} s (compile and build, cached by fingerprint)${t.step > 0 ? `; resumed at step ${t.step}` : ''}\n`,
  );
  const stop = Math.min(t.totalSteps, maxSteps ?? Number.POSITIVE_INFINITY);
  let printed = t.epochs.length;
  while (t.step < stop) {
    t.trainStep();
    if (every !== undefined && t.step % every === 0) t.checkpoint(checkpoint!);
    for (; printed < t.epochs.length; printed++) {
      const e = t.epochs[printed];
      io.out(
        `epoch ${e.epoch}/${config.epochs}  loss ${e.loss.toFixed(4)}  train acc ${pct(e.trainAccuracy)}  test acc ${pct(e.testAccuracy)}  ${Math.round(e.samplesPerSecond)} samples/s  ${e.seconds.toFixed(1)} s\n`,
      );
      if (checkpoint !== undefined) t.checkpoint(checkpoint);
    }
  }
  if (checkpoint !== undefined) t.checkpoint(checkpoint);
  const last = t.epochs[t.epochs.length - 1];
  const testAccuracy = t.done && last !== undefined ? last.testAccuracy : t.evaluate();
  const hash = t.lossCurveSha256();
  io.out(`final        test acc ${pct(testAccuracy)} after ${t.step} steps; lossCurveSha256 ${hash}\n`);
  if (typeof v.export === 'string') {
    writeAtomically(resolve(v.export), t.exportOnnx());
    io.out(`exported     ${v.export}\n`);
  }
  if (typeof v.json === 'string') {
    const report = {
      fingerprint: t.fingerprint,
      config: withData,
      epochs: t.epochs,
      final: {
        steps: t.step,
        complete: t.done,
        testAccuracy,
        lossCurveSha256: hash,
        trainSeconds: t.epochs.reduce((s, e) => s + e.seconds, 0),
      },
    };
    const text = `${JSON.stringify(report, null, 2)}\n`;
    if (v.json === '-') ioIn.out(text);
    else writeAtomically(resolve(v.json), text);
  }
  return 0;
}
