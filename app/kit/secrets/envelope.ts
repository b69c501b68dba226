import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './key-ring.ts';

// Envelope: lg1.<keyId>.<iv>.<tag>.<ciphertext>, base64url parts. Text, so it fits a TEXT column in both
// dialects; self-describing, so any process with the ring can open it and rotation can find old rows.
const VERSION = 'lg1';
const IV_BYTES = 12; // the GCM standard nonce size; random per message (2^32 messages per key stay safe)
const TAG_BYTES = 16;

export class DecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptError';
  }
}

/**
 * AES-256-GCM. `context` is authenticated but not stored (associated data): pass what the secret belongs
 * to (e.g. tenant and credential name) so a ciphertext copied onto another tenant's row fails to open.
 */
export function seal(ring: KeyRing, plaintext: string, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    ring.current.id,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ct.toString('base64url'),
  ].join('.');
}

/** The id of the key that sealed an envelope (without opening it). */
export function envelopeKeyId(envelope: string): string {
  const parts = envelope.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION || parts[1] === undefined || parts[1] === '') {
    throw new DecryptError('not a leadgate encryption envelope');
  }
  return parts[1];
}

export function open(ring: KeyRing, envelope: string, context = ''): string {
  const keyId = envelopeKeyId(envelope);
  const [, , ivText = '', tagText = '', ctText = ''] = envelope.split('.');
  const key = ring.byId.get(keyId);
  if (key === undefined) {
    throw new DecryptError(
      `sealed with key ${keyId}, which is not in the key ring (add it to the previous keys)`,
    );
  }
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new DecryptError('malformed encryption envelope');
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    // GCM says only "unable to authenticate": the data, tag or context was altered, or it belongs elsewhere.
    throw new DecryptError(`envelope failed authentication under key ${keyId} (tampered, or wrong context)`);
  }
}
