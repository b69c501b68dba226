import type { EpochMs, JsonObject, Store } from '../store/index.ts';
import { canonicalJson } from '../store/index.ts';
import { open, seal } from './envelope.ts';
import type { KeyRing } from './key-ring.ts';

// Binds a ciphertext to its row: a blob moved to another tenant or credential name will not open.
function context(tenantId: string, name: string): string {
  return `leadgate:credential:${tenantId}:${name}`;
}

/** Encrypts and stores a credential (e.g. an OAuth token set). Only ciphertext reaches the store. */
export async function saveCredential(
  store: Pick<Store, 'putCredential'>,
  ring: KeyRing,
  tenantId: string,
  name: string,
  secret: JsonObject,
  now: EpochMs,
): Promise<void> {
  const ciphertext = seal(ring, canonicalJson(secret), context(tenantId, name));
  await store.putCredential({ tenantId, name, keyId: ring.current.id, ciphertext, updatedAt: now });
}

/** Loads and decrypts a credential; undefined when none is stored. Throws DecryptError when it cannot open. */
export async function loadCredential(
  store: Pick<Store, 'getCredential'>,
  ring: KeyRing,
  tenantId: string,
  name: string,
): Promise<JsonObject | undefined> {
  const row = await store.getCredential(tenantId, name);
  if (row === undefined) return undefined;
  return JSON.parse(open(ring, row.ciphertext, context(tenantId, name))) as JsonObject;
}

/**
 * After a rotation: re-seals every credential not under the current key, so the old key can later be
 * dropped from LEADGATE_ENCRYPTION_KEYS_OLD. Idempotent and safe beside concurrent saves; returns how many rows it rewrote.
 */
export async function reencryptCredentials(
  store: Pick<Store, 'listCredentialsNotUnderKey' | 'putCredential'>,
  ring: KeyRing,
  now: EpochMs,
): Promise<number> {
  const stale = await store.listCredentialsNotUnderKey(ring.current.id);
  let rewritten = 0;
  for (const row of stale) {
    const ctx = context(row.tenantId, row.name);
    const resealed = seal(ring, open(ring, row.ciphertext, ctx), ctx);
    // Compare-and-set: if a token refresh replaced the row meanwhile, it is already under the current key.
    const wrote = await store.putCredential(
      { ...row, keyId: ring.current.id, ciphertext: resealed, updatedAt: now },
      row.ciphertext,
    );
    if (wrote) rewritten++;
  }
  return rewritten;
}
