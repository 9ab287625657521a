// Starts a worker thread on a .ts module. The worker gets execArgv
// ['--import', 'tsx'], but Node 20 ignores --import in workers, so a tiny
// bootstrap registers tsx itself when the first import of the .ts file fails.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** tsx's ESM api entry (require.resolve would give the CJS one, whose register() cannot load from a worker). */
function tsxEsmApi(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exp = JSON.parse(readFileSync(pkg, 'utf8')).exports['./esm/api'].import;
  return pathToFileURL(join(dirname(pkg), typeof exp === 'string' ? exp : exp.default)).href;
}

const tsxApi = tsxEsmApi();

const BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.entry).catch(async (e) => {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  (await import(workerData.tsxApi)).register();
  await import(workerData.entry + '?tsx'); // a new URL: the failed import stays cached
});
`;

/** Runs `entry` in a worker and resolves with the first message it posts. */
export function runTsWorker<T>(entry: URL, data: Record<string, unknown> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const w = new Worker(BOOT, { eval: true, execArgv: ['--import', 'tsx'], workerData: { ...data, entry: entry.href, tsxApi } });
    w.once('message', (m: T) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`worker exited with code ${code} before posting a result`)));
  });
}
