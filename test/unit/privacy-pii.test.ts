import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPii } from '../../src/privacy/pii.js';
import { bsn } from '../fixtures/imports.js';

const keys = { hmacKey: randomBytes(32), encryptionKey: randomBytes(32) };
const pii = createPii(keys);

describe('createPii', () => {
  it('digests a number with the HMAC key, the same whichever kind it is', () => {
    const number = bsn(1);
    expect(pii.hmac(number)).toEqual(createHmac('sha256', keys.hmacKey).update(number).digest());
    expect(createPii({ ...keys, hmacKey: randomBytes(32) }).hmac(number)).not.toEqual(pii.hmac(number));
  });

  it('encrypts an identifier for its own kind only', () => {
    const number = bsn(2);
    const sealed = pii.encrypt({ kind: 'bsn', value: number });
    expect(sealed.includes(Buffer.from(number))).toBe(false);
    expect(pii.decrypt(sealed, 'bsn')).toBe(number);
    expect(() => pii.decrypt(sealed, 'onderwijsnummer')).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[14]! ^= 1;
    expect(() => pii.decrypt(tampered, 'bsn')).toThrow();
  });

  it('never uses a nonce twice, across more sealings than one pool of nonces holds', () => {
    const number = bsn(3);
    const nonces = new Set<string>();
    const sealings = 5000;
    for (let i = 0; i < sealings; i++) {
      const sealed = i % 2 ? pii.encrypt({ kind: 'onderwijsnummer', value: number }) : Buffer.from(pii.encryptHex({ kind: 'onderwijsnummer', value: number }), 'hex');
      nonces.add(sealed.subarray(0, 12).toString('hex'));
      if (i % 997 === 0) expect(pii.decrypt(sealed, 'onderwijsnummer')).toBe(number);
    }
    expect(nonces.size).toBe(sealings);
  });

  it('gives the same digest and a ciphertext of the same form in hex', () => {
    const number = bsn(4);
    expect(pii.hmacHex(number)).toBe(pii.hmac(number).toString('hex'));
    const sealed = Buffer.from(pii.encryptHex({ kind: 'bsn', value: number }), 'hex');
    expect(sealed.length).toBe(pii.encrypt({ kind: 'bsn', value: number }).length);
    expect(pii.decrypt(sealed, 'bsn')).toBe(number);
  });

  it('seals secrets for one purpose', () => {
    const sealed = pii.seal('webhook-secret', 'webhook');
    expect(pii.open(sealed, 'webhook')).toBe('webhook-secret');
    expect(() => pii.open(sealed, 'other')).toThrow();
  });
});
