import { Worker } from 'node:worker_threads';
import type { IdentifierKind } from '../domain/identifiers.js';
import type { Pii } from '../privacy/pii.js';
import type { Identifiers } from './rows.js';

/**
 * Sealing an import's identifiers (HMAC digest and GCM ciphertext of every BSN and
 * onderwijsnummer) is a third of the CPU an import spends in Node. For a large file it runs in a
 * worker thread, on the core PostgreSQL leaves free while the rows are parsed: the main thread
 * hands over a batch of numbers and goes on parsing; the batch's COPY lines are written when its
 * digests come back (SealingQueue keeps the file's order). A small file seals inline.
 */
export interface IdentifierSealer {
  /** Hex digest and hex ciphertext of each number, in order: [hmac0, cipher0, hmac1, cipher1, ...]. */
  seal(kinds: readonly IdentifierKind[], values: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}

/** IdentifierSealer.seal, here and now. */
function sealAll(pii: Pii, kinds: readonly IdentifierKind[], values: readonly string[]): string[] {
  const sealed: string[] = [];
  for (let i = 0; i < values.length; i++) {
    sealed.push(pii.hmacHex(values[i]!), pii.encryptHex({ kind: kinds[i]!, value: values[i]! }));
  }
  return sealed;
}

export function inlineSealer(pii: Pii): IdentifierSealer {
  return {
    seal: async (kinds, values) => sealAll(pii, kinds, values),
    async close() {},
  };
}

export function threadSealer(keys: { hmacKey: Buffer; encryptionKey: Buffer }): IdentifierSealer {
  const worker = new Worker(new URL('./seal-thread.mjs', import.meta.url), {
    workerData: keys,
    // Not the parent's flags: no TypeScript loader and no process heap settings in here.
    execArgv: [],
    // Batches are small and short-lived; the thread's heap stays a few MB.
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  });
  const pending = new Map<number, { resolve: (sealed: string[]) => void; reject: (error: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };
  worker.on('message', ({ id, sealed }: { id: number; sealed: string[] }) => {
    pending.get(id)?.resolve(sealed);
    pending.delete(id);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the sealing thread stopped (exit code ${code})`)));
  return {
    seal(kinds, values) {
      if (failure) return Promise.reject(failure);
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, kinds, values });
      });
    },
    async close() {
      failure ??= new Error('the sealing thread was closed');
      await worker.terminate();
    },
  };
}

/** A row's numbers in the order their sealed values are handed out: the BSN, then the onderwijsnummer, as present. */
function eachIdentifier(identifiers: Identifiers, take: (kind: IdentifierKind, value: string) => void): void {
  if (identifiers.bsn) take('bsn', identifiers.bsn);
  if (identifiers.onderwijsnummer) take('onderwijsnummer', identifiers.onderwijsnummer);
}

/** A row's hex digests and ciphertexts, as a staging line stores them. */
export interface SealedIdentifiers {
  bsnHmac?: string;
  bsnCipher?: string;
  ownHmac?: string;
  ownCipher?: string;
}

/** Takes a row's sealed values from `next`, which hands them out in eachIdentifier's order. */
export function takeSealed(identifiers: Identifiers, next: () => string): SealedIdentifiers {
  const sealed: SealedIdentifiers = {};
  if (identifiers.bsn) {
    sealed.bsnHmac = next();
    sealed.bsnCipher = next();
  }
  if (identifiers.onderwijsnummer) {
    sealed.ownHmac = next();
    sealed.ownCipher = next();
  }
  return sealed;
}

/** One row's identifiers sealed here and now, handed out as a SealingQueue hands them out. */
export function sealNow(pii: Pii, identifiers: Identifiers): () => string {
  const kinds: IdentifierKind[] = [];
  const values: string[] = [];
  eachIdentifier(identifiers, (kind, value) => {
    kinds.push(kind);
    values.push(value);
  });
  const sealed = sealAll(pii, kinds, values);
  let at = 0;
  return () => sealed[at++]!;
}

/** Rows per batch handed to the sealer, and batches under way at once. */
const BATCH_ROWS = 128;
const MAX_BATCHES = 3;

/**
 * Rows in file order, waiting for their identifiers to be sealed. `write` gets each row with a
 * function that hands out its sealed values in order (hmac and cipher of the BSN, then of the
 * onderwijsnummer, as present) and returns true when the caller should wait for `drain`.
 */
export class SealingQueue<T> {
  private rows: T[] = [];
  private kinds: IdentifierKind[] = [];
  private values: string[] = [];
  private readonly underway: { rows: T[]; sealed: Promise<string[]> }[] = [];

  constructor(
    private readonly sealer: IdentifierSealer,
    private readonly write: (row: T, next: () => string) => boolean,
    private readonly drain: () => Promise<void>,
  ) {}

  /** Queues a row; a promise to wait for when the queue is full, else undefined. */
  add(row: T, identifiers: Identifiers): Promise<void> | undefined {
    eachIdentifier(identifiers, this.take);
    this.rows.push(row);
    return this.rows.length >= BATCH_ROWS ? this.send() : undefined;
  }

  /** Seals and writes what is left. */
  async finish(): Promise<void> {
    await this.send();
    while (this.underway.length) await this.writeOldest();
  }

  private readonly take = (kind: IdentifierKind, value: string): void => {
    this.kinds.push(kind);
    this.values.push(value);
  };

  private async send(): Promise<void> {
    if (!this.rows.length) return;
    const sealed = this.sealer.seal(this.kinds, this.values);
    sealed.catch(() => {}); // rethrown when its turn comes
    this.underway.push({ rows: this.rows, sealed });
    this.rows = [];
    this.kinds = [];
    this.values = [];
    if (this.underway.length > MAX_BATCHES) await this.writeOldest();
  }

  private async writeOldest(): Promise<void> {
    const { rows, sealed } = this.underway.shift()!;
    const values = await sealed;
    let at = 0;
    const next = () => values[at++]!;
    for (const row of rows) if (this.write(row, next)) await this.drain();
  }
}
