import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptError, envelopeKeyId, open, seal } from './envelope.ts';
import { createKeyRing, keyIdOf } from './key-ring.ts';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('envelope', () => {
  it('round-trips a secret and never contains the plaintext', () => {
    const ring = createKeyRing(k1);
    const env = seal(ring, 'refresh-token-123', 'ctx');
    expect(env).not.toContain('refresh-token-123');
    expect(open(ring, env, 'ctx')).toBe('refresh-token-123');
  });

  it('gives two different ciphertexts for the same secret (random nonce)', () => {
    const ring = createKeyRing(k1);
    expect(seal(ring, 'x')).not.toBe(seal(ring, 'x'));
  });

  it('refuses to open a tampered envelope', () => {
    const ring = createKeyRing(k1);
    const parts = seal(ring, 'secret').split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => open(ring, parts.join('.'))).toThrow(DecryptError);
  });

  it('refuses to open under another context (a blob copied to another row)', () => {
    const ring = createKeyRing(k1);
    expect(() => open(ring, seal(ring, 'secret', 'tenant-a'), 'tenant-b')).toThrow(/authentication/);
  });

  it('opens data sealed under an old key after rotation, and seals new data under the new key', () => {
    const before = createKeyRing(k1);
    const old = seal(before, 'old-secret');
    const after = createKeyRing(k2, [k1]);
    expect(open(after, old)).toBe('old-secret');
    expect(envelopeKeyId(seal(after, 'new'))).toBe(keyIdOf(k2));
    expect(envelopeKeyId(old)).toBe(keyIdOf(k1));
  });

  it('names the missing key when the ring lacks it', () => {
    const env = seal(createKeyRing(k1), 's');
    expect(() => open(createKeyRing(k2), env)).toThrow(new RegExp(keyIdOf(k1)));
  });

  it('refuses a string that is not an envelope', () => {
    expect(() => open(createKeyRing(k1), 'plain text')).toThrow(/not a leadgate encryption envelope/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createKeyRing(randomBytes(16))).toThrow(/32 bytes/);
  });
});
