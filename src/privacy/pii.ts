import { createDecipheriv } from 'node:crypto';
import type { IdentifierKind, PupilIdentifier } from '../domain/identifiers.js';
import { IV_BYTES, TAG_BYTES, createSealCore, identifierAad } from './seal-core.mjs';

/**
 * How BSN and onderwijsnummer are kept: a keyed HMAC to find a pupil by number (the same number
 * always gives the same digest, but without the key nobody can test guesses), and an
 * AES-256-GCM ciphertext for the rare authorised caller who must see the number again.
 * The plain number lives only in memory for the length of one request or one import batch.
 * The sealing itself is in seal-core.mjs, shared with the import's sealing thread.
 */
export interface Pii {
  hmac(value: string): Buffer;
  encrypt(id: PupilIdentifier): Buffer;
  /**
   * The same digest and ciphertext as lowercase hex, for COPY text (bytea is written as hex
   * there): an import seals every row, and a Buffer per value, turned into hex at once, was a
   * good part of its garbage.
   */
  hmacHex(value: string): string;
  encryptHex(id: PupilIdentifier): string;
  decrypt(cipher: Buffer, kind: IdentifierKind): string;
  /** For secrets that are not identifiers (webhook signing secrets). */
  seal(plain: string, purpose: string): Buffer;
  open(cipher: Buffer, purpose: string): string;
}

export function createPii(keys: { hmacKey: Buffer; encryptionKey: Buffer }): Pii {
  const core = createSealCore(keys);
  const open = (sealed: Buffer, aad: Buffer): string => {
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', core.encryptionKey, iv);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  };
  return {
    // The kind is not part of the digest: a number is the same person whichever column it came from.
    hmac: core.hmac,
    hmacHex: core.hmacHex,
    // The kind is bound as associated data, so a ciphertext cannot be replayed as the other kind.
    encrypt: (id) => core.seal(id.value, identifierAad[id.kind]),
    encryptHex: (id) => core.sealHex(id.value, identifierAad[id.kind]),
    decrypt: (cipher, kind) => open(cipher, identifierAad[kind]),
    seal: (plain, purpose) => core.seal(plain, Buffer.from(`secret:${purpose}`)),
    open: (cipher, purpose) => open(cipher, Buffer.from(`secret:${purpose}`)),
  };
}
