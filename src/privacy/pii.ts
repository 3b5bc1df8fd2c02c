import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { IdentifierKind, PupilIdentifier } from '../domain/identifiers.js';

/**
 * How BSN and onderwijsnummer are kept: a keyed HMAC to find a pupil by number (the same number
 * always gives the same digest, but without the key nobody can test guesses), and an
 * AES-256-GCM ciphertext for the rare authorised caller who must see the number again.
 * The plain number lives only in memory for the length of one request or one import batch.
 */
export interface Pii {
  hmac(value: string): Buffer;
  encrypt(id: PupilIdentifier): Buffer;
  decrypt(cipher: Buffer, kind: IdentifierKind): string;
  /** For secrets that are not identifiers (webhook signing secrets). */
  seal(plain: string, purpose: string): Buffer;
  open(cipher: Buffer, purpose: string): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Nonces per CSPRNG call. */
const IV_POOL = 1024;

/**
 * Fresh random 96-bit GCM nonces, drawn from the CSPRNG in batches. GCM must never see one
 * nonce twice under one key; a random nonce is the usual way (NIST SP 800-38D 8.2.2, safe for
 * far more messages than this service will ever seal), and taking 1024 of them from one
 * randomBytes call instead of 1024 calls changes nothing about them: every nonce is still 12
 * bytes of CSPRNG output that is handed out once and never again (the pool is sliced forward and
 * replaced, never rewound). A per-row randomBytes call cost more than the encryption itself.
 */
class NoncePool {
  private pool = Buffer.alloc(0);
  private next = 0;

  take(): Buffer {
    if (this.next + IV_BYTES > this.pool.length) {
      this.pool = randomBytes(IV_BYTES * IV_POOL);
      this.next = 0;
    }
    const iv = this.pool.subarray(this.next, this.next + IV_BYTES);
    this.next += IV_BYTES;
    return iv;
  }
}

export function createPii(keys: { hmacKey: Buffer; encryptionKey: Buffer }): Pii {
  // Key objects: OpenSSL imports the key once, not on every call.
  const hmacKey: KeyObject = createSecretKey(keys.hmacKey);
  const encryptionKey: KeyObject = createSecretKey(keys.encryptionKey);
  const nonces = new NoncePool();
  const identifierAad: Record<IdentifierKind, Buffer> = {
    bsn: Buffer.from('pupil-identifier:bsn'),
    onderwijsnummer: Buffer.from('pupil-identifier:onderwijsnummer'),
  };

  const seal = (plain: string, aad: Buffer): Buffer => {
    const iv = nonces.take();
    const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
    cipher.setAAD(aad);
    const body = cipher.update(plain, 'utf8');
    const rest = cipher.final(); // empty for GCM, a stream mode
    const sealed = Buffer.allocUnsafe(IV_BYTES + body.length + rest.length + TAG_BYTES);
    iv.copy(sealed, 0);
    body.copy(sealed, IV_BYTES);
    rest.copy(sealed, IV_BYTES + body.length);
    cipher.getAuthTag().copy(sealed, IV_BYTES + body.length + rest.length);
    return sealed;
  };
  const open = (sealed: Buffer, aad: Buffer): string => {
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  };
  return {
    // The kind is not part of the digest: a number is the same person whichever column it came from.
    hmac: (value) => createHmac('sha256', hmacKey).update(value).digest(),
    // The kind is bound as associated data, so a ciphertext cannot be replayed as the other kind.
    encrypt: (id) => seal(id.value, identifierAad[id.kind]),
    decrypt: (cipher, kind) => open(cipher, identifierAad[kind]),
    seal: (plain, purpose) => seal(plain, Buffer.from(`secret:${purpose}`)),
    open: (cipher, purpose) => open(cipher, Buffer.from(`secret:${purpose}`)),
  };
}
