import type { ApiKeyRecord } from '../store/index.ts';
import { hashApiKey, hashesEqual, parseApiKey } from './api-key.ts';
import type { ApiKeyRepository } from './repository.ts';
import type { Role } from './roles.ts';
import { roleAtLeast } from './roles.ts';

/** Who is calling: established by the API key, scoped to exactly one tenant. */
export interface Principal {
  readonly tenantId: string;
  readonly keyId: string;
  readonly role: Role;
}

export type AuthenticationResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'unknown' | 'revoked' };

/** Reads `Authorization: Bearer lg_…`; any other scheme or shape is "malformed". */
export function keyFromAuthorization(header: string | undefined): string | null | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export async function authenticate(
  keys: ApiKeyRepository,
  authorization: string | undefined,
): Promise<AuthenticationResult> {
  const key = keyFromAuthorization(authorization);
  if (key === undefined) return { ok: false, reason: 'missing' };
  const parsed = key === null ? null : parseApiKey(key);
  if (key === null || parsed === null) return { ok: false, reason: 'malformed' };
  const keyHash = hashApiKey(key);
  // Looked up by hash (the store's index): a timing difference in that lookup could only reveal
  // something about a sha256 of a 256-bit secret, which helps no one guess it. The compare below is
  // constant-time anyway, and the id in the key must name the same row.
  const record: ApiKeyRecord | undefined = await keys.findApiKeyByHash(keyHash);
  if (record === undefined || !hashesEqual(record.keyHash, keyHash) || record.id !== parsed.keyId) {
    return { ok: false, reason: 'unknown' };
  }
  if (record.revokedAt !== null) return { ok: false, reason: 'revoked' };
  return { ok: true, principal: { tenantId: record.tenantId, keyId: record.id, role: record.role } };
}

export type AuthorizationDecision = 'allow' | 'not_found' | 'forbidden';

/**
 * Another tenant's resource is "not_found", checked before the role, so a key never learns whether
 * another tenant's id exists; a too-low role on its own tenant is "forbidden".
 */
export function authorize(principal: Principal, tenantId: string, minimum: Role): AuthorizationDecision {
  if (principal.tenantId !== tenantId) return 'not_found';
  return roleAtLeast(principal.role, minimum) ? 'allow' : 'forbidden';
}
