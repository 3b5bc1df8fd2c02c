import type { KeyObject } from 'node:crypto';
import type { IdentifierKind } from '../domain/identifiers.js';

export declare const IV_BYTES: 12;
export declare const TAG_BYTES: 16;
export declare const identifierAad: Readonly<Record<IdentifierKind, Buffer>>;

export interface SealCore {
  encryptionKey: KeyObject;
  hmac(value: string): Buffer;
  hmacHex(value: string): string;
  seal(plain: string, aad: Buffer): Buffer;
  sealHex(plain: string, aad: Buffer): string;
}

export declare function createSealCore(keys: { hmacKey: Uint8Array; encryptionKey: Uint8Array }): SealCore;
