// Training checkpoints: everything a run needs to continue its exact bit sequence — the
// native state bank (parameters, buffers, optimizer state), the global step, the loss of
// every step so far and the finished epochs' records — tied to the training fingerprint.
// Layout: the line "VOLTA-CHECKPOINT 1\n", a JSON header line, the state bank, then the
// losses as little-endian float32. Written to a temporary file and renamed into place, so
// a reader never sees half a checkpoint.
import { renameSync, writeFileSync } from 'node:fs';
import { VoltaError } from '../../compiler/ir/errors.ts';
import { readRegularFile } from '../../compiler/onnx/read_file.ts';

const MAGIC = 'VOLTA-CHECKPOINT 1\n';

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

/** Running sums of the epoch in progress (so a resumed epoch reports what an uninterrupted one would). */
export interface EpochProgress {
  readonly lossSum: number;
  readonly correct: number;
  readonly seen: number;
}

export interface Checkpoint {
  readonly fingerprint: string;
  readonly step: number;
  readonly epochs: readonly EpochRecord[];
  readonly progress: EpochProgress;
  readonly state: Uint8Array;
  readonly losses: Float32Array;
}

export function writeCheckpoint(path: string, c: Checkpoint): void {
  const header = JSON.stringify({
    fingerprint: c.fingerprint,
    step: c.step,
    epochs: c.epochs,
    progress: c.progress,
    stateBytes: c.state.byteLength,
    losses: c.losses.length,
  });
  const head = new TextEncoder().encode(`${MAGIC}${header}\n`);
  const losses = new Uint8Array(c.losses.buffer, c.losses.byteOffset, c.losses.byteLength);
  const out = new Uint8Array(head.length + c.state.byteLength + losses.byteLength);
  out.set(head, 0);
  out.set(c.state, head.length);
  out.set(losses, head.length + c.state.byteLength);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, out);
  renameSync(tmp, path);
}

export function readCheckpoint(path: string): Checkpoint {
  const bytes = readRegularFile(path, { what: 'checkpoint', code: 'VOLTA_E_BAD_OPTION' });
  const bad = (why: string): never => {
    throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `checkpoint ${path}: ${why}`, hint: 'pass a file written by volta train --checkpoint' });
  };
  const magic = new TextEncoder().encode(MAGIC);
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) bad('not a Volta checkpoint');
  const nl = bytes.indexOf(10, magic.length);
  if (nl < 0) bad('truncated header');
  let h: { fingerprint: string; step: number; epochs: EpochRecord[]; progress: EpochProgress; stateBytes: number; losses: number };
  try {
    h = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length, nl)));
  } catch {
    return bad('unreadable header');
  }
  const start = nl + 1;
  if (!Number.isSafeInteger(h.stateBytes) || !Number.isSafeInteger(h.losses) || bytes.length !== start + h.stateBytes + 4 * h.losses)
    bad('truncated or padded');
  if (!Number.isSafeInteger(h.step) || h.step !== h.losses) bad(`header says step ${h.step} with ${h.losses} losses`);
  const state = bytes.slice(start, start + h.stateBytes);
  const losses = new Float32Array(bytes.slice(start + h.stateBytes).buffer);
  return { fingerprint: h.fingerprint, step: h.step, epochs: h.epochs, progress: h.progress, state, losses };
}
