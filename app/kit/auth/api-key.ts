import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `lg_<keyId>_<secret>`: 16 hex characters of id (not secret: it names the key in
 * logs, lists and revocation) and 64 hex characters (256 bits) of secret.
 *
 * Stored as sha256(whole key), not bcrypt/scrypt: those slow hashes exist to protect low-entropy
 * passwords from offline guessing. A 256-bit random secret cannot be guessed, so a fast hash is as
 * safe, and it keeps authentication a single indexed lookup on every request.
 */
const KEY_PATTERN = /^lg_([0-9a-f]{16})_([0-9a-f]{64})$/;

export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
}

export interface GeneratedApiKey extends ParsedApiKey {
  /** The full key, to show once and never store. */
  readonly key: string;
  readonly keyHash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedApiKey {
  const keyId = random(8).toString('hex');
  const secret = random(32).toString('hex');
  const key = `lg_${keyId}_${secret}`;
  return { keyId, secret, key, keyHash: hashApiKey(key) };
}

/** null for anything that is not exactly the key format (so junk never reaches the database). */
export function parseApiKey(text: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return null;
  return { keyId: match[1], secret: match[2] };
}

/** Constant-time comparison of two hex digests; false (not an exception) on length mismatch. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
