// @ts-check
/**
 * The sealing of pupil identifiers and secrets: a keyed HMAC-SHA256 digest to find a number by,
 * and AES-256-GCM (nonce | ciphertext | tag) to show it again. Plain JavaScript, so an import can
 * also run it in a worker thread (src/imports/seal-thread.mjs), where Node 20 offers no
 * TypeScript loader; src/privacy/pii.ts builds the service's Pii on it. Types: seal-core.d.mts.
 */
import { createCipheriv, createHmac, createSecretKey, randomBytes } from 'node:crypto';

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
/** Nonces per CSPRNG call. */
const IV_POOL = 1024;

/** Associated data per identifier kind: a ciphertext cannot be replayed as the other kind. */
export const identifierAad = Object.freeze({
  bsn: Buffer.from('pupil-identifier:bsn'),
  onderwijsnummer: Buffer.from('pupil-identifier:onderwijsnummer'),
});

/**
 * Fresh random 96-bit GCM nonces, drawn from the CSPRNG in batches. GCM must never see one
 * nonce twice under one key; a random nonce is the usual way (NIST SP 800-38D 8.2.2, safe for
 * far more messages than this service will ever seal), and taking 1024 of them from one
 * randomBytes call instead of 1024 calls changes nothing about them: every nonce is still 12
 * bytes of CSPRNG output, handed out once and never again (the pool is only sliced forward and
 * then replaced). A randomBytes call per row cost more than the encryption itself. Each thread
 * has its own pool, so two threads never share one either.
 */
class NoncePool {
  pool = Buffer.alloc(0);
  next = 0;

  take() {
    if (this.next + IV_BYTES > this.pool.length) {
      this.pool = randomBytes(IV_BYTES * IV_POOL);
      this.next = 0;
    }
    const iv = this.pool.subarray(this.next, this.next + IV_BYTES);
    this.next += IV_BYTES;
    return iv;
  }
}

/** @param {{ hmacKey: Uint8Array; encryptionKey: Uint8Array }} keys */
export function createSealCore(keys) {
  // Key objects: OpenSSL imports each key once, not on every call.
  const hmacKey = createSecretKey(keys.hmacKey);
  const encryptionKey = createSecretKey(keys.encryptionKey);
  const nonces = new NoncePool();

  /** @param {string} plain @param {Buffer} aad */
  const start = (plain, aad) => {
    const iv = nonces.take();
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
    cipher.setAAD(aad);
    return { iv, cipher };
  };

  return {
    encryptionKey,
    /** @param {string} value */
    hmac: (value) => createHmac('sha256', hmacKey).update(value).digest(),
    /** @param {string} value */
    hmacHex: (value) => createHmac('sha256', hmacKey).update(value).digest('hex'),
    /** @param {string} plain @param {Buffer} aad */
    seal(plain, aad) {
      const { iv, cipher } = start(plain, aad);
      const body = cipher.update(plain, 'utf8');
      const rest = cipher.final(); // empty: GCM is a stream mode
      const sealed = Buffer.allocUnsafe(IV_BYTES + body.length + rest.length + TAG_BYTES);
      iv.copy(sealed, 0);
      body.copy(sealed, IV_BYTES);
      rest.copy(sealed, IV_BYTES + body.length);
      cipher.getAuthTag().copy(sealed, IV_BYTES + body.length + rest.length);
      return sealed;
    },
    /** The same as seal, in hex: an import writes bytea as hex and so makes no Buffer per value. */
    /** @param {string} plain @param {Buffer} aad */
    sealHex(plain, aad) {
      const { iv, cipher } = start(plain, aad);
      const body = cipher.update(plain, 'utf8', 'hex') + cipher.final('hex');
      return iv.toString('hex') + body + cipher.getAuthTag().toString('hex');
    },
  };
}
