import { readConfig } from './compiler/train/config.ts';
import { Trainer } from './runtime/train/trainer.ts';
for (const f of ['mlp', 'cnn']) {
  const cfg = readConfig(`examples/fashion-mnist/${f}.yaml`);
  const t = await Trainer.create(cfg, { cacheDir: '/tmp/vc-train' });
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) t.trainStep();
  console.log(f, 'ms/step', (performance.now() - t0) / 100, 'samples/s', 6400 / ((performance.now() - t0) / 1000));
}
