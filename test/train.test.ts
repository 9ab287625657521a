// Training on Fashion-MNIST (needs the Debian package dataset-fashion-mnist; .ci/run installs
// it): bit-identical loss curves across runs, checkpoint/resume continuing the exact bit
// sequence, the exported ONNX model agreeing between Volta and onnxruntime, the CLI report.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { resolveConfig, type TrainConfig } from '../compiler/train/config.ts';
import { Tensor, Volta } from '../runtime/index.ts';
import { type Dataset, loadFashionMnist } from '../runtime/train/fashion_mnist.ts';
import { PIXEL_MEAN, PIXEL_STD, Trainer } from '../runtime/train/trainer.ts';

const cacheDir = join(tmpdir(), 'volta-train-cache');
const work = mkdtempSync(join(tmpdir(), 'volta-train-'));
let data: Dataset;

beforeAll(() => {
  data = loadFashionMnist();
});

/** A short run: a few hundred steps of a small model. Tests share the compiled graphs (one build each in CI). */
const short = (over: Record<string, unknown> = {}): TrainConfig =>
  resolveConfig(
    {
      model: { type: 'mlp', hidden: [64] },
      optimizer: { type: 'adam', lr: 0.002 },
      batch_size: 32,
      eval_batch_size: 100,
      epochs: 2,
      seed: 3,
      limit: { train: 4800, test: 1000 },
      ...over,
    },
    work,
  );

/** A small CNN with BatchNormalization, trained by SGD with Nesterov momentum, weight decay and a cosine schedule. */
const cnn = (over: Record<string, unknown> = {}): TrainConfig =>
  short({
    model: { type: 'cnn', channels: [4], hidden: [16], batch_norm: true },
    optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.0005 },
    schedule: { type: 'cosine' },
    epochs: 1,
    limit: { train: 3200, test: 200 },
    ...over,
  });

async function run(c: TrainConfig, steps?: number, minParallelWork?: number): Promise<Trainer> {
  const t = await Trainer.create(c, { cacheDir, data, minParallelWork });
  while (!t.done && (steps === undefined || t.step < steps)) t.trainStep();
  return t;
}

const timeless = (t: Trainer) => t.epochs.map(({ epoch, loss, trainAccuracy, testAccuracy }) => ({ epoch, loss, trainAccuracy, testAccuracy }));

describe('training is bit-reproducible', () => {
  it('two runs with one seed give the same loss curve, state and accuracies; another seed does not', async () => {
    const [a, b, other] = [await run(short()), await run(short()), await run(short({ seed: 4 }), 20)];
    expect(a.step).toBe(300);
    expect(a.lossCurveSha256()).toBe(b.lossCurveSha256());
    expect(Buffer.from(a.exportOnnx()).equals(Buffer.from(b.exportOnnx()))).toBe(true);
    expect(timeless(a)).toEqual(timeless(b));
    expect(other.fingerprint).not.toBe(a.fingerprint);
    expect(Array.from(other.lossCurve())).not.toEqual(Array.from(a.lossCurve().slice(0, 20)));
    // It learns: the second epoch's mean loss is below the first's, and the test accuracy is far above chance.
    expect(a.epochs[1].loss).toBeLessThan(a.epochs[0].loss);
    expect(a.epochs[1].testAccuracy).toBeGreaterThan(0.7);
  });

  it('1 and 2 threads give the same loss curve and trained bytes (every kernel split over the pool)', async () => {
    const c = cnn();
    const one = await run({ ...c, threads: 1 }, undefined, 0);
    const two = await run({ ...c, threads: 2 }, undefined, 0);
    expect(one.step).toBe(100);
    expect(two.fingerprint).toBe(one.fingerprint);
    expect(two.lossCurveSha256()).toBe(one.lossCurveSha256());
    expect(Buffer.from(two.exportOnnx()).equals(Buffer.from(one.exportOnnx()))).toBe(true);
  });

  it('a run resumed from a mid-epoch checkpoint continues the exact bit sequence', async () => {
    const c = short({
      model: { type: 'cnn', channels: [4], hidden: [], batch_norm: true },
      optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weight_decay: 0.0005 },
      schedule: { type: 'cosine' },
      limit: { train: 1600, test: 200 },
    });
    const whole = await run(c);
    const first = await run(c, 77);
    const ckpt = join(work, 'mid.ckpt');
    first.checkpoint(ckpt);
    const rest = await Trainer.resume(ckpt, c, { cacheDir, data });
    expect(rest.step).toBe(77);
    while (!rest.done) rest.trainStep();
    expect(rest.lossCurveSha256()).toBe(whole.lossCurveSha256());
    expect(Buffer.from(rest.exportOnnx()).equals(Buffer.from(whole.exportOnnx()))).toBe(true);
    expect(timeless(rest)).toEqual(timeless(whole));
    // A checkpoint of another setup is refused.
    await expect(Trainer.resume(ckpt, { ...c, seed: 9 }, { cacheDir, data })).rejects.toMatchObject({ code: 'VOLTA_E_BAD_OPTION' });
  });
});

describe('the trained model', () => {
  it('exports as ONNX that Volta and onnxruntime load and agree on, with the evaluation accuracy', async () => {
    const t = await run(cnn({ limit: { train: 640, test: 100 } }));
    const bytes = t.exportOnnx();
    const n = 100;
    const x = new Float32Array(n * 784);
    for (let i = 0; i < x.length; i++) x[i] = Math.fround((data.test.images[i] / 255 - PIXEL_MEAN) / PIXEL_STD);
    const volta = await Volta.compile(bytes, { cacheDir, inputShapes: { input: [n, 1, 28, 28] } });
    const ours = (await volta.run({ input: new Tensor('float32', x, [n, 1, 28, 28]) })).logits.data as Float32Array;
    const theirs = (await (await ort.InferenceSession.create(bytes)).run({ input: new ort.Tensor('float32', x, [n, 1, 28, 28]) })).logits.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]) / Math.max(1, Math.abs(theirs[i])));
    expect(worst).toBeLessThan(1e-4);
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(ours.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === data.test.labels[i]) correct++;
    }
    expect(correct / n).toBe(t.epochs[0].testAccuracy);
  });
});

describe('volta train', () => {
  it('prints a line per epoch and writes the JSON report', async () => {
    const config = join(work, 'short.yaml');
    const { writeFileSync } = await import('node:fs');
    // The graphs of short() (same model, optimizer and batch sizes): the build is cached.
    writeFileSync(
      config,
      'model: {type: mlp, hidden: [64]}\noptimizer: {type: adam, lr: 0.002}\nbatch_size: 32\neval_batch_size: 100\nepochs: 2\nseed: 5\nlimit: {train: 960, test: 200}\n',
    );
    let out = '';
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) };
    const json = join(work, 'report.json');
    expect(await main(['train', config, '--json', json, '--cache', cacheDir], io)).toBe(0);
    expect(out.match(/^epoch \d\/2 {2}loss \d+\.\d+ {2}train acc [\d.]+% {2}test acc [\d.]+% {2}\d+ samples\/s/gm)?.length).toBe(2);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.epochs).toHaveLength(2);
    expect(typeof r.epochs[1].loss).toBe('number');
    expect(r.final.testAccuracy).toBe(r.epochs[1].testAccuracy);
    expect(r.final.lossCurveSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // `--json -`: the report is the only thing on stdout (progress goes to stderr); 2 threads, same bits.
    let stdout = '';
    let stderr = '';
    const io2 = { out: (s: string) => void (stdout += s), err: (s: string) => void (stderr += s) };
    expect(await main(['train', config, '--json', '-', '--threads', '2', '--cache', cacheDir], io2)).toBe(0);
    const r2 = JSON.parse(stdout);
    expect(r2.config.threads).toBe(2);
    expect(r2.final.lossCurveSha256).toBe(r.final.lossCurveSha256);
    expect(r2.fingerprint).toBe(r.fingerprint);
    expect(stderr.match(/^epoch \d\/2 /gm)?.length).toBe(2);
  });

  it('says what is missing when the data set is not there, and refuses bad configs', async () => {
    const config = join(work, 'bad.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, 'model: {type: mlp}\n');
    let err = '';
    const io = { out: () => {}, err: (s: string) => void (err += s) };
    expect(await main(['train', config, '--data', join(work, 'nowhere'), '--cache', cacheDir], io)).toBe(1);
    expect(err).toContain('VOLTA_E_DATASET');
    expect(err).toContain('apt-get install -y dataset-fashion-mnist');
    writeFileSync(config, 'model: {type: mlp}\nbatch: 3\n');
    err = '';
    expect(await main(['train', config], io)).toBe(1);
    expect(err).toContain('[VOLTA_E_BAD_OPTION] config key "batch"');
  });
});
