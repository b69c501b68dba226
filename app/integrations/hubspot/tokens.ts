import { ConnectorError } from '../../../connectors/index.ts';
import { loadCredential, saveCredential } from '../../kit/secrets/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { AuditAppend } from '../../kit/audit/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { CredentialRow, EpochMs, JsonObject, Store, Tenant } from '../../kit/store/index.ts';
import { markTokensRevoked, type TokenStore } from '../token-store.ts';
import { InvalidGrantError, type HubSpotOAuthClient, type TokenGrant } from './oauth-client.ts';

export { markTokensRevoked, type TokenStore } from '../token-store.ts';

/** Name of the encrypted credential row holding a HubSpot tenant's token set. */
export const HUBSPOT_CREDENTIAL = 'hubspot:oauth';

/**
 * Refresh this long before expiry. HubSpot: refresh on `expires_in`, not on a 401 ("401 requests are
 * not a valid indicator that a new access token must be retrieved", hubspot.md §1.2).
 */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: EpochMs;
}

export function tokenSetOf(grant: TokenGrant, now: EpochMs): TokenSet {
  return {
    accessToken: grant.accessToken,
    refreshToken: grant.refreshToken,
    expiresAt: now + grant.expiresIn * 1000,
  };
}

function parseTokenSet(value: JsonObject | undefined): TokenSet | undefined {
  if (value === undefined) return undefined;
  const { accessToken, refreshToken, expiresAt } = value;
  if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof expiresAt !== 'number') {
    throw new Error('stored HubSpot credential is not a token set');
  }
  return { accessToken, refreshToken, expiresAt };
}

export async function saveTokens(
  store: Pick<Store, 'putCredential'>,
  ring: KeyRing,
  tenantId: string,
  tokens: TokenSet,
  now: EpochMs,
): Promise<void> {
  await saveCredential(store, ring, tenantId, HUBSPOT_CREDENTIAL, { ...tokens }, now);
}

export async function loadTokens(
  store: Pick<Store, 'getCredential'>,
  ring: KeyRing,
  tenantId: string,
): Promise<TokenSet | undefined> {
  return parseTokenSet(await loadCredential(store, ring, tenantId, HUBSPOT_CREDENTIAL));
}

/**
 * The connector's `accessToken()`: the stored token while it has more than five minutes left, else a
 * refreshed one saved with compare-and-set (a concurrent refresh by another process wins and is used:
 * HubSpot keeps the refresh token the same, so both answers are valid). `invalid_grant` on refresh
 * marks the tenant revoked and fails as `unauthorized`.
 */
export function hubspotTokenProvider(
  store: TokenStore,
  ring: KeyRing,
  tenant: Tenant,
  oauth: HubSpotOAuthClient,
  clock: Clock,
  audit: AuditAppend,
): () => Promise<string> {
  let inflight: Promise<TokenSet> | undefined;
  const fresh = (t: TokenSet): boolean => t.expiresAt - clock.now() > REFRESH_MARGIN_MS;

  const refresh = async (): Promise<TokenSet> => {
    const row = await store.getCredential(tenant.id, HUBSPOT_CREDENTIAL);
    const current = await loadTokens(store, ring, tenant.id);
    if (row === undefined || current === undefined) {
      throw new ConnectorError('unauthorized', `tenant ${tenant.id} has no HubSpot tokens`);
    }
    if (fresh(current)) return current;
    let grant: TokenGrant;
    try {
      grant = await oauth.refresh(current.refreshToken);
    } catch (error) {
      if (error instanceof InvalidGrantError) {
        await markTokensRevoked(store, audit, tenant, error.hubspotStatus, clock.now());
        throw new ConnectorError(
          'unauthorized',
          `HubSpot refused the refresh token (${error.hubspotStatus})`,
          {
            vendorCode: error.hubspotStatus,
          },
        );
      }
      throw error;
    }
    const next = tokenSetOf(grant, clock.now());
    // Compare-and-set on the ciphertext we read: never overwrite a token another process saved.
    // saveCredential seals; we capture its row and write it conditionally ourselves.
    const sealed: CredentialRow[] = [];
    const capture = {
      putCredential: (r: CredentialRow): Promise<boolean> => {
        sealed.push(r);
        return Promise.resolve(true);
      },
    };
    await saveTokens(capture, ring, tenant.id, next, clock.now());
    const [newRow] = sealed;
    if (newRow === undefined) throw new Error('credential was not sealed');
    const wrote = await store.putCredential(newRow, row.ciphertext);
    if (wrote) return next;
    const theirs = await loadTokens(store, ring, tenant.id);
    return theirs ?? next;
  };

  return async () => {
    // Read per request, not cached: a re-install replaces the tokens under a running connector.
    const stored = await loadTokens(store, ring, tenant.id);
    if (stored !== undefined && fresh(stored)) return stored.accessToken;
    // One refresh at a time per provider: a burst of requests shares it.
    inflight ??= refresh().finally(() => {
      inflight = undefined;
    });
    return (await inflight).accessToken;
  };
}
