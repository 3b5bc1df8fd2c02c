// @ts-check
/**
 * The import's sealing thread: HMAC digests and GCM ciphertexts, in hex, for batches of
 * identifiers, while the main thread parses the next rows (src/imports/sealing.ts). Plain
 * JavaScript: on Node 20 a worker thread does not get the TypeScript loader.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSealCore, identifierAad } from '../privacy/seal-core.mjs';

const core = createSealCore(workerData);

parentPort?.on('message', (/** @type {{ id: number; kinds: ('bsn' | 'onderwijsnummer')[]; values: string[] }} */ batch) => {
  const sealed = new Array(batch.values.length * 2);
  for (let i = 0; i < batch.values.length; i++) {
    const value = batch.values[i] ?? '';
    sealed[2 * i] = core.hmacHex(value);
    sealed[2 * i + 1] = core.sealHex(value, identifierAad[batch.kinds[i] ?? 'bsn']);
  }
  parentPort?.postMessage({ id: batch.id, sealed });
});
