import { createHash } from 'node:crypto';

export const KEY_BYTES = 32;

export interface EncryptionKey {
  /** Short public id derived from the key; written into every envelope so rotation knows which key opens it. */
  id: string;
  key: Buffer;
}

/** The newest key seals; every key in the ring opens. */
export interface KeyRing {
  current: EncryptionKey;
  byId: ReadonlyMap<string, EncryptionKey>;
}

export class KeyRingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyRingError';
  }
}

/**
 * A key id is a truncated hash of the key, not a counter: the same key always gets the same id on
 * every process, with no extra configuration to keep in sync. 48 bits of a SHA-256 of a 256-bit random
 * key reveal nothing usable about it.
 */
export function keyIdOf(key: Buffer): string {
  return 'k' + createHash('sha256').update('leadgate:key-id:').update(key).digest('hex').slice(0, 12);
}

export function toEncryptionKey(key: Buffer, label: string): EncryptionKey {
  if (key.length !== KEY_BYTES) {
    throw new KeyRingError(`${label} must be ${KEY_BYTES} bytes (got ${key.length})`);
  }
  return { id: keyIdOf(key), key: Buffer.from(key) };
}

/** current seals new data; previous keys (oldest last or first, order does not matter) only open. */
export function createKeyRing(current: Buffer, previous: readonly Buffer[] = []): KeyRing {
  const cur = toEncryptionKey(current, 'current encryption key');
  const byId = new Map<string, EncryptionKey>([[cur.id, cur]]);
  previous.forEach((k, i) => {
    const old = toEncryptionKey(k, `previous encryption key #${i + 1}`);
    if (!byId.has(old.id)) byId.set(old.id, old);
  });
  return { current: cur, byId };
}
