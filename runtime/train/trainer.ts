// Training a model with Volta: the training step (forward, loss, backward, optimizer;
// compiler/train/train_graph.ts) is one compiled graph, run natively once per batch with
// its state (parameters, buffers, optimizer state) kept in native memory (addon State);
// evaluation runs the model's inference form with the current state. Everything that
// decides the result bits is fixed by the training fingerprint: the compiled graphs, the
// initial state, the data and its order (Philox, compiler/train/philox.ts), the config.
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { compileGraph, type Mode, type Target } from '../../compiler/compile.ts';
import { DTYPES } from '../../compiler/ir/dtype.ts';
import { VoltaError } from '../../compiler/ir/errors.ts';
import { numel } from '../../compiler/ir/shape.ts';
import type { TensorData } from '../../compiler/ir/tensor.ts';
import { decodeModel, type OnnxModel } from '../../compiler/onnx/proto.ts';
import { readRegularFile } from '../../compiler/onnx/read_file.ts';
import { canonicalJson } from '../../compiler/schedule/canonical_json.ts';
import { learningRate, type TrainConfig } from '../../compiler/train/config.ts';
import { builtinModel } from '../../compiler/train/models.ts';
import { epochOrder } from '../../compiler/train/philox.ts';
import { exportTrained, prepareModel, type TrainableModel } from '../../compiler/train/prepare.ts';
import { buildEvalGraph, buildTrainGraph, type StateSlot } from '../../compiler/train/train_graph.ts';
import type { LoadedModel, NativeState } from '../loaded.ts';
import { load } from '../volta.ts';
import { type Checkpoint, type EpochProgress, type EpochRecord, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { type Dataset, loadFashionMnist, type Split } from './fashion_mnist.ts';

/** Pixel p becomes (p / 255 - mean) / std, the usual Fashion-MNIST normalisation. */
export const PIXEL_MEAN = 0.286;
export const PIXEL_STD = 0.353;
const PIXELS = Float32Array.from({ length: 256 }, (_, p) => (p / 255 - PIXEL_MEAN) / PIXEL_STD);
const ORDER = 'philox4x32-10 fisher-yates per epoch, drop the last partial batch';

export interface TrainerOptions {
  readonly cacheDir?: string;
  readonly target?: Target;
  readonly mode?: Mode;
  /** A loaded data set (else loaded from config.data, $VOLTA_FASHION_MNIST or the Debian path). */
  readonly data?: Dataset;
  /** Smallest kernel worth splitting over threads (CompileOptions.minParallelWork; tests pass 0). */
  readonly minParallelWork?: number;
}

interface SlotLayout extends StateSlot {
  readonly offset: number;
}

export class Trainer {
  /** Global steps done. */
  step = 0;
  readonly epochs: EpochRecord[] = [];
  private losses = new Float32Array(1024);
  private progress: EpochProgress = { lossSum: 0, correct: 0, seen: 0 };
  private epochSeconds = 0;
  private order: { epoch: number; order: Uint32Array } | undefined;
  private readonly x: Float32Array;
  private readonly labels: BigInt64Array;
  private readonly lr = new Float32Array(1);
  private readonly loss = new Float32Array(1);
  private readonly logits: Float32Array;

  private constructor(
    readonly config: TrainConfig,
    private readonly data: Dataset,
    private readonly source: OnnxModel,
    private readonly model: TrainableModel,
    private readonly evalModel: LoadedModel,
    private readonly state: NativeState,
    readonly layout: readonly SlotLayout[],
    /** SHA-256 of everything that decides the run's bits. */
    readonly fingerprint: string,
    readonly stepsPerEpoch: number,
    private readonly sampleSize: number,
  ) {
    this.x = new Float32Array(config.batchSize * sampleSize);
    this.labels = new BigInt64Array(config.batchSize);
    this.logits = new Float32Array(config.batchSize * data.classes);
  }

  static async create(config: TrainConfig, opts: TrainerOptions = {}): Promise<Trainer> {
    const data = opts.data ?? loadFashionMnist(config.data);
    const [source, baseDir] =
      'builtin' in config.model
        ? [decodeModel(builtinModel(config.model.builtin, config.seed)), undefined]
        : [decodeModel(readRegularFile(config.model.onnx, { what: 'model', code: 'VOLTA_E_BAD_MODEL' })), dirname(config.model.onnx)];
    const model = prepareModel(source, 'onnx' in config.model ? config.model.frozen : [], baseDir);
    const sampleSize = numel(model.input.sample);
    if (sampleSize !== numel(data.sample)) {
      throw new VoltaError('VOLTA_E_SHAPE', {
        found: `the model's input takes samples of [${model.input.sample.join(',')}]`,
        expected: `${numel(data.sample)} values per sample (28x28)`,
      });
    }
    const nTrain = Math.min(config.limit.train ?? data.train.n, data.train.n);
    const stepsPerEpoch = Math.floor(nTrain / config.batchSize);
    if (stepsPerEpoch === 0)
      throw new VoltaError('VOLTA_E_BAD_OPTION', {
        found: `batch_size ${config.batchSize} with ${nTrain} training samples`,
        expected: 'at least one full batch',
      });
    const train = buildTrainGraph(model, config.batchSize, config.optimizer);
    const logits = train.graph.value(train.graph.outputs[1]);
    if (logits.shape[1] !== data.classes)
      throw new VoltaError('VOLTA_E_SHAPE', { found: `the model has ${logits.shape[1]} outputs per sample`, expected: `${data.classes} classes` });
    const options = { target: opts.target, mode: opts.mode, cacheDir: opts.cacheDir, threads: config.threads, minParallelWork: opts.minParallelWork };
    const stepCompiled = compileGraph(train.graph, options);
    const evalCompiled = compileGraph(buildEvalGraph(model, Math.min(config.evalBatchSize, data.test.n)), options);
    const [stepModel, evalModel] = await Promise.all([load(stepCompiled, options), load(evalCompiled, options)]);
    const state = stepModel.createState(train.state.length);
    let offset = 0;
    const layout = train.state.map((s) => {
      const at = offset;
      offset += Math.ceil((numel(s.init.shape) * DTYPES[s.init.dtype].bytes) / 64) * 64;
      return { ...s, offset: at };
    });
    const bank = new Uint8Array(state.bytes);
    for (const s of layout) bank.set(new Uint8Array(s.init.data.buffer, s.init.data.byteOffset, s.init.data.byteLength), s.offset);
    state.load(bank);
    const fingerprint = createHash('sha256')
      .update(
        canonicalJson({
          step: stepCompiled.fingerprint,
          eval: evalCompiled.fingerprint,
          initialState: createHash('sha256').update(bank).digest('hex'),
          data: data.digest,
          input: `(pixel / 255 - ${PIXEL_MEAN}) / ${PIXEL_STD}`,
          order: ORDER,
          config: { ...config, threads: undefined, data: undefined, model: 'builtin' in config.model ? config.model : { frozen: config.model.frozen } },
        }),
      )
      .digest('hex');
    return new Trainer(config, data, source, model, evalModel, state, layout, fingerprint, stepsPerEpoch, sampleSize);
  }

  /** A trainer that continues the run saved in a checkpoint (same config and data, else VOLTA_E_BAD_OPTION). */
  static async resume(path: string, config: TrainConfig, opts: TrainerOptions = {}): Promise<Trainer> {
    const c = readCheckpoint(path);
    const t = await Trainer.create(config, opts);
    if (c.fingerprint !== t.fingerprint) {
      throw new VoltaError('VOLTA_E_BAD_OPTION', {
        found: `checkpoint ${path} has training fingerprint ${c.fingerprint}`,
        expected: t.fingerprint,
        hint: 'resume with the config, model, data and Volta version the checkpoint was made with',
      });
    }
    t.state.load(c.state);
    t.step = c.step;
    t.losses = new Float32Array(Math.max(1024, c.losses.length * 2));
    t.losses.set(c.losses);
    t.epochs.push(...c.epochs);
    t.progress = c.progress;
    return t;
  }

  get totalSteps(): number {
    return this.stepsPerEpoch * this.config.epochs;
  }

  get done(): boolean {
    return this.step >= this.totalSteps;
  }

  /** Per-step losses so far, as float32. */
  lossCurve(): Float32Array {
    return this.losses.slice(0, this.step);
  }

  /** SHA-256 of the per-step float32 losses (little-endian bytes). */
  lossCurveSha256(): string {
    const c = this.lossCurve();
    return createHash('sha256')
      .update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength))
      .digest('hex');
  }

  private epochOrder(epoch: number): Uint32Array {
    if (this.order?.epoch !== epoch) {
      const n = Math.min(this.config.limit.train ?? this.data.train.n, this.data.train.n);
      this.order = { epoch, order: epochOrder(this.config.seed, epoch, n) };
    }
    return this.order.order;
  }

  private fill(split: Split, indices: ArrayLike<number>, count: number, x: Float32Array, labels?: BigInt64Array): void {
    const s = this.sampleSize;
    x.fill(0);
    for (let k = 0; k < count; k++) {
      const i = indices[k];
      const img = split.images.subarray(i * s, (i + 1) * s);
      for (let j = 0; j < s; j++) x[k * s + j] = PIXELS[img[j]];
      if (labels) labels[k] = BigInt(split.labels[i]);
    }
  }

  /** One training step on the next batch; returns its loss. */
  trainStep(): number {
    if (this.done) throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `the run's ${this.totalSteps} steps are done` });
    const t0 = performance.now();
    const b = this.config.batchSize;
    const epoch = Math.floor(this.step / this.stepsPerEpoch);
    const at = (this.step % this.stepsPerEpoch) * b;
    this.fill(this.data.train, this.epochOrder(epoch).subarray(at, at + b), b, this.x, this.labels);
    this.lr[0] = learningRate(this.config, this.step, this.stepsPerEpoch, this.totalSteps);
    this.state.step([this.x, this.labels, this.lr], [this.loss, this.logits]);
    let correct = 0;
    const k = this.data.classes;
    for (let i = 0; i < b; i++) if (argmax(this.logits, i * k, k) === Number(this.labels[i])) correct++;
    if (this.step === this.losses.length) {
      const grown = new Float32Array(this.losses.length * 2);
      grown.set(this.losses);
      this.losses = grown;
    }
    this.losses[this.step++] = this.loss[0];
    this.progress = { lossSum: this.progress.lossSum + this.loss[0], correct: this.progress.correct + correct, seen: this.progress.seen + b };
    this.epochSeconds += (performance.now() - t0) / 1000;
    if (this.step % this.stepsPerEpoch === 0) this.finishEpoch();
    return this.loss[0];
  }

  private finishEpoch(): void {
    const p = this.progress;
    this.epochs.push({
      epoch: this.epochs.length + 1,
      loss: p.lossSum / this.stepsPerEpoch,
      trainAccuracy: p.correct / p.seen,
      testAccuracy: this.evaluate(),
      samplesPerSecond: p.seen / this.epochSeconds,
      seconds: this.epochSeconds,
    });
    this.progress = { lossSum: 0, correct: 0, seen: 0 };
    this.epochSeconds = 0;
  }

  /** The current state slots as tensors (copies), by name. */
  stateTensors(): Map<string, TensorData> {
    const bank = this.state.save();
    return new Map(
      this.layout.map((s) => {
        const n = numel(s.init.shape);
        const data = DTYPES[s.init.dtype].make(n);
        new Uint8Array(data.buffer).set(bank.subarray(s.offset, s.offset + data.byteLength));
        return [s.name, { dtype: s.init.dtype, shape: s.init.shape, data }];
      }),
    );
  }

  /** Test-set accuracy of the current parameters (the inference form: BatchNormalization uses running statistics). */
  evaluate(): number {
    const values = this.stateTensors();
    const eb = this.evalModel.compiled.graph.value(this.evalModel.compiled.graph.inputs[0]).shape[0];
    const n = Math.min(this.config.limit.test ?? this.data.test.n, this.data.test.n);
    const x = new Float32Array(eb * this.sampleSize);
    const feeds: Record<string, { type: string; data: ArrayBufferView; dims: readonly number[] }> = {};
    for (const s of [...this.model.params, ...this.model.buffers]) {
      const t = values.get(s.name)!;
      feeds[s.name] = { type: t.dtype, data: t.data, dims: t.shape };
    }
    const k = this.data.classes;
    let correct = 0;
    for (let start = 0; start < n; start += eb) {
      const count = Math.min(eb, n - start);
      const idx = Array.from({ length: count }, (_, i) => start + i);
      this.fill(this.data.test, idx, count, x);
      const out = this.evalModel.runSync({ ...feeds, [this.model.input.name]: { type: 'float32', data: x, dims: [eb, ...this.model.input.sample] } });
      const logits = out[this.model.logits].data as Float32Array;
      for (let i = 0; i < count; i++) if (argmax(logits, i * k, k) === this.data.test.labels[start + i]) correct++;
    }
    return correct / n;
  }

  checkpoint(path: string): void {
    const c: Checkpoint = {
      fingerprint: this.fingerprint,
      step: this.step,
      epochs: this.epochs,
      progress: this.progress,
      state: this.state.save(),
      losses: this.lossCurve(),
    };
    writeCheckpoint(path, c);
  }

  /** The trained model as ONNX: the source model with its trained initializers (parameters and running statistics). */
  exportOnnx(): Uint8Array {
    const values = this.stateTensors();
    const trained = new Map([...this.model.params, ...this.model.buffers].map((s) => [s.name, values.get(s.name)!]));
    return exportTrained(this.source, trained);
  }
}

function argmax(xs: Float32Array, at: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (xs[at + j] > xs[at + best]) best = j;
  return best;
}
