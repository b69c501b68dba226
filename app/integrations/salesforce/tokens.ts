import { ConnectorError } from '../../../connectors/index.ts';
import { loadCredential, saveCredential } from '../../kit/secrets/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { AuditAppend } from '../../kit/audit/index.ts';
import type { Clock } from '../../kit/clock.ts';
import type { CredentialRow, EpochMs, JsonObject, Tenant } from '../../kit/store/index.ts';
import {
  SalesforceInvalidGrantError,
  type SalesforceGrant,
  type SalesforceOAuthClient,
} from './oauth-client.ts';
import { jwtGrantWithKey, loadJwtKey } from './jwt.ts';
import { markTokensRevoked, type TokenStore } from '../token-store.ts';

/** Name of the encrypted credential row holding a Salesforce tenant's session. */
export const SALESFORCE_CREDENTIAL = 'salesforce:oauth';

/** How the org was connected: the web-server flow (refresh token) or JWT bearer (re-assert, no refresh token). */
export type SalesforceFlow = 'web' | 'jwt';

export interface SalesforceSession {
  readonly flow: SalesforceFlow;
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly instanceUrl: string;
  readonly orgId: string;
  /** The integration user (JWT `sub` is its username, kept for re-assertion). */
  readonly userId: string;
  readonly username: string | null;
  readonly savedAt: EpochMs;
}

export function sessionOf(
  grant: SalesforceGrant,
  flow: SalesforceFlow,
  username: string | null,
  now: EpochMs,
): SalesforceSession {
  return { flow, ...grant, username, savedAt: now };
}

function parseSession(v: JsonObject | undefined): SalesforceSession | undefined {
  if (v === undefined) return undefined;
  const { flow, accessToken, refreshToken, instanceUrl, orgId, userId, username, savedAt } = v;
  if (
    (flow !== 'web' && flow !== 'jwt') ||
    typeof accessToken !== 'string' ||
    (refreshToken !== null && typeof refreshToken !== 'string') ||
    typeof instanceUrl !== 'string' ||
    typeof orgId !== 'string' ||
    typeof userId !== 'string' ||
    (username !== null && typeof username !== 'string') ||
    typeof savedAt !== 'number'
  ) {
    throw new Error('stored Salesforce credential is not a session');
  }
  return { flow, accessToken, refreshToken, instanceUrl, orgId, userId, username, savedAt };
}

export async function saveSalesforceSession(
  store: Pick<TokenStore, 'putCredential'>,
  ring: KeyRing,
  tenantId: string,
  session: SalesforceSession,
  now: EpochMs,
): Promise<void> {
  await saveCredential(store, ring, tenantId, SALESFORCE_CREDENTIAL, { ...session }, now);
}

export async function loadSalesforceSession(
  store: Pick<TokenStore, 'getCredential'>,
  ring: KeyRing,
  tenantId: string,
): Promise<SalesforceSession | undefined> {
  return parseSession(await loadCredential(store, ring, tenantId, SALESFORCE_CREDENTIAL));
}

export interface SalesforceTokenDeps {
  readonly store: TokenStore;
  readonly ring: KeyRing;
  readonly oauth: SalesforceOAuthClient;
  readonly clock: Clock;
  readonly audit: AuditAppend;
  /** Re-asserts a JWT-connected org's integration user; without it such a tenant cannot renew. */
  readonly jwt?: (username: string) => Promise<SalesforceGrant>;
}

/**
 * The connector's `accessToken()`. Salesforce answers no `expires_in` (sessions end after inactivity,
 * salesforce.md §1.2), so we refresh on rejection, not on time: the connector asks again only after a
 * 401 `INVALID_SESSION_ID`, so being asked again for the token we last handed out means it was refused.
 * The new session is saved with compare-and-set on the ciphertext we read; `invalid_grant` (revoked
 * refresh token, uninstalled app) marks the tenant uninstalled with an audit entry.
 */
export function salesforceTokenProvider(deps: SalesforceTokenDeps, tenant: Tenant): () => Promise<string> {
  let handedOut: string | undefined;
  let inflight: Promise<SalesforceSession> | undefined;

  const renew = async (rejected: string): Promise<SalesforceSession> => {
    const row = await deps.store.getCredential(tenant.id, SALESFORCE_CREDENTIAL);
    const current = await loadSalesforceSession(deps.store, deps.ring, tenant.id);
    if (row === undefined || current === undefined) {
      throw new ConnectorError('unauthorized', `tenant ${tenant.id} has no Salesforce session`);
    }
    // Another process renewed it meanwhile: use theirs.
    if (current.accessToken !== rejected) return current;
    let grant: SalesforceGrant;
    try {
      if (current.flow === 'jwt') {
        // No refresh token in the JWT bearer flow (salesforce.md §1.5): sign a new assertion with the
        // tenant's stored key (or the configured signer) and exchange it.
        const key = await loadJwtKey(deps.store, deps.ring, tenant.id);
        if (key !== undefined) grant = await jwtGrantWithKey(key);
        else if (deps.jwt !== undefined && current.username !== null)
          grant = await deps.jwt(current.username);
        else throw new ConnectorError('unauthorized', 'JWT-connected org without a stored key or signer');
        if (grant.orgId !== current.orgId) {
          throw new ConnectorError('unauthorized', 'the JWT assertion logged in to another org');
        }
      } else {
        if (current.refreshToken === null) throw new ConnectorError('unauthorized', 'no refresh token');
        grant = await deps.oauth.refresh(current.refreshToken);
      }
    } catch (error) {
      if (error instanceof SalesforceInvalidGrantError) {
        await markTokensRevoked(deps.store, deps.audit, tenant, 'invalid_grant', deps.clock.now());
        throw new ConnectorError('unauthorized', 'Salesforce refused the refresh token (invalid_grant)', {
          vendorCode: 'invalid_grant',
        });
      }
      throw error;
    }
    const next = sessionOf(
      { ...grant, refreshToken: grant.refreshToken ?? current.refreshToken },
      current.flow,
      current.username,
      deps.clock.now(),
    );
    const sealed: CredentialRow[] = [];
    const capture = {
      putCredential: (r: CredentialRow): Promise<boolean> => {
        sealed.push(r);
        return Promise.resolve(true);
      },
    };
    await saveSalesforceSession(capture, deps.ring, tenant.id, next, deps.clock.now());
    const [newRow] = sealed;
    if (newRow === undefined) throw new Error('credential was not sealed');
    // Compare-and-set: never overwrite a session another process saved after our read.
    if (await deps.store.putCredential(newRow, row.ciphertext)) return next;
    return (await loadSalesforceSession(deps.store, deps.ring, tenant.id)) ?? next;
  };

  return async () => {
    const stored = await loadSalesforceSession(deps.store, deps.ring, tenant.id);
    if (stored === undefined) {
      throw new ConnectorError('unauthorized', `tenant ${tenant.id} has no Salesforce session`);
    }
    if (handedOut === undefined || stored.accessToken !== handedOut) {
      handedOut = stored.accessToken;
      return stored.accessToken;
    }
    const rejected = handedOut;
    inflight ??= renew(rejected).finally(() => {
      inflight = undefined;
    });
    handedOut = (await inflight).accessToken;
    return handedOut;
  };
}
