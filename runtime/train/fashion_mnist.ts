// Fashion-MNIST (Zalando; Debian package dataset-fashion-mnist): the four IDX files,
// gzipped or not, from a directory given by option, by $VOLTA_FASHION_MNIST, or the
// package's install path. A missing or malformed file is VOLTA_E_DATASET saying which
// file and how to get it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VoltaError } from '../../compiler/ir/errors.ts';
import { readRegularFile } from '../../compiler/onnx/read_file.ts';

export const DEBIAN_PATH = '/usr/share/datasets/fashion-mnist';
const INSTALL_HINT = `install it with 'apt-get install -y dataset-fashion-mnist' (files in ${DEBIAN_PATH}), or set data: in the config, --data, or $VOLTA_FASHION_MNIST to a directory holding the four IDX files`;

export interface Split {
  /** n * 784 bytes: 28x28 grey images, row-major, 0 = background. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly n: number;
}

export interface Dataset {
  readonly dir: string;
  readonly train: Split;
  readonly test: Split;
  /** SHA-256 over the decoded images and labels of both splits (part of the training fingerprint). */
  readonly digest: string;
  readonly classes: number;
  readonly sample: readonly number[];
}

function readIdx(dir: string, base: string, magic: number): { dims: number[]; data: Uint8Array } {
  const file = [join(dir, `${base}.gz`), join(dir, base)].find((f) => existsSync(f));
  if (file === undefined) throw new VoltaError('VOLTA_E_DATASET', { found: `Fashion-MNIST file ${base}(.gz) is not in ${dir}`, hint: INSTALL_HINT });
  let bytes = readRegularFile(file, { what: 'Fashion-MNIST file', code: 'VOLTA_E_DATASET' });
  const bad = (why: string) => new VoltaError('VOLTA_E_DATASET', { found: `${file}: ${why}`, hint: INSTALL_HINT });
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw bad(`not a readable gzip file (${(e as Error).message})`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0) !== magic)
    throw bad(`not an IDX file of this kind (magic ${bytes.length >= 4 ? view.getUint32(0) : '?'}, expected ${magic})`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  const n = dims.reduce((a, d) => a * d, 1);
  if (bytes.length !== start + n) throw bad(`holds ${bytes.length - start} data bytes, its header says ${n}`);
  return { dims, data: bytes.subarray(start) };
}

function split(dir: string, prefix: string): Split {
  const images = readIdx(dir, `${prefix}-images-idx3-ubyte`, 0x803);
  const labels = readIdx(dir, `${prefix}-labels-idx1-ubyte`, 0x801);
  const [n, h, w] = images.dims;
  if (h !== 28 || w !== 28 || labels.dims[0] !== n) {
    throw new VoltaError('VOLTA_E_DATASET', {
      found: `${prefix} images are ${images.dims.join('x')} with ${labels.dims[0]} labels`,
      expected: 'n x 28 x 28 images and n labels',
    });
  }
  const bad = labels.data.findIndex((l) => l > 9);
  if (bad >= 0) throw new VoltaError('VOLTA_E_DATASET', { found: `${prefix} label ${bad} is ${labels.data[bad]}`, expected: 'labels 0..9' });
  return { images: images.data, labels: labels.data, n };
}

/** The directory used: the one given, else $VOLTA_FASHION_MNIST, else the Debian package's. */
export function fashionMnistDir(dir?: string): string {
  return dir ?? process.env.VOLTA_FASHION_MNIST ?? DEBIAN_PATH;
}

export function loadFashionMnist(dir?: string): Dataset {
  const d = fashionMnistDir(dir);
  if (!existsSync(d)) throw new VoltaError('VOLTA_E_DATASET', { found: `the Fashion-MNIST directory ${d} does not exist`, hint: INSTALL_HINT });
  const train = split(d, 'train');
  const test = split(d, 't10k');
  const h = createHash('sha256');
  for (const s of [train, test]) h.update(s.images).update(s.labels);
  return { dir: d, train, test, digest: h.digest('hex'), classes: 10, sample: [1, 28, 28] };
}
