import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
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

export function createPii(keys: { hmacKey: Buffer; encryptionKey: Buffer }): Pii {
  const seal = (plain: string, aad: string): Buffer => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, iv);
    cipher.setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  };
  const open = (sealed: Buffer, aad: string): string => {
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', keys.encryptionKey, iv);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  };
  return {
    // The kind is not part of the digest: a number is the same person whichever column it came from.
    hmac: (value) => createHmac('sha256', keys.hmacKey).update(value).digest(),
    // The kind is bound as associated data, so a ciphertext cannot be replayed as the other kind.
    encrypt: (id) => seal(id.value, `pupil-identifier:${id.kind}`),
    decrypt: (cipher, kind) => open(cipher, `pupil-identifier:${kind}`),
    seal: (plain, purpose) => seal(plain, `secret:${purpose}`),
    open: (cipher, purpose) => open(cipher, `secret:${purpose}`),
  };
}
