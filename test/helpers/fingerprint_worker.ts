// Compiles the test MLP and reports its fingerprint and source hashes: posted to
// the parent when run as a worker thread, printed as JSON when run as a process
// (node --import tsx test/helpers/fingerprint_worker.ts).
import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { Volta } from '../../runtime/index.ts';
import { mlp } from './models.ts';

export interface FingerprintReport {
  readonly fingerprint: string;
  readonly cSha: string;
  readonly cudaSha: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const c = Volta.compileOnly(mlp());
const report: FingerprintReport = { fingerprint: c.fingerprint, cSha: sha(c.source('c')), cudaSha: sha(c.source('cuda')) };
if (parentPort) parentPort.postMessage(report);
else process.stdout.write(`${JSON.stringify(report)}\n`);
