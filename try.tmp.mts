import { resolveConfig } from './compiler/train/config.ts';
import { Trainer } from './runtime/train/trainer.ts';
const cfg = resolveConfig({ model: { type: 'mlp', hidden: [256] }, optimizer: { type: 'adam', lr: 0.001 }, batch_size: 64, epochs: 1, seed: 1, limit: { train: 6400, test: 2000 } }, '.');
let t0 = performance.now();
const t = await Trainer.create(cfg, { cacheDir: '/tmp/vc-train' });
console.log('create ms', performance.now() - t0, t.fingerprint, t.layout.map(s=>s.name).join(' '));
t0 = performance.now();
while (!t.done) { const l = t.trainStep(); if (t.step % 20 === 0) console.log(t.step, l.toFixed(4)); }
console.log('train ms', performance.now() - t0, t.epochs, t.lossCurveSha256());
