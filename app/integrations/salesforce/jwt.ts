import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsforce from 'jsforce';
import { loadCredential, saveCredential } from '../../kit/secrets/index.ts';
import type { KeyRing } from '../../kit/secrets/index.ts';
import type { EpochMs } from '../../kit/store/index.ts';
import type { TokenStore } from '../token-store.ts';
import { SALESFORCE_API_VERSION, type SalesforceGrant } from './oauth-client.ts';

export interface SalesforceJwtSettings {
  readonly clientId: string;
  /** Path of the PEM private key whose certificate is on the connected app: @salesforce/core reads a file. */
  readonly privateKeyFile: string;
  readonly loginUrl: string;
}

/**
 * The JWT bearer flow for server-to-server set-ups, through @salesforce/core's `AuthInfo.create` with
 * JWT options (salesforce.md §1.5, §1.8). No refresh token comes back: renewing means asserting again.
 * @salesforce/core writes the session under HOME on its own; it is removed again (see `forget`), our copy
 * is the encrypted credential row. Loaded lazily: the package is large and only JWT set-ups need it.
 */
export async function jwtGrant(settings: SalesforceJwtSettings, username: string): Promise<SalesforceGrant> {
  const { AuthInfo, StateAggregator } = await import('@salesforce/core');
  // AuthInfo.create with JWT options writes `<HOME>/.sfdx/<username>.json` itself (measured: alias.json,
  // key.json and the user's file appear), and a second create for the same username then throws
  // AuthInfoOverwriteError, which would make renewal impossible. Our copy is the encrypted credential
  // row, so the CLI-state file is removed before and after every login.
  const forget = async (): Promise<void> => {
    const orgs = (await StateAggregator.getInstance()).orgs;
    if (!(await orgs.hasFile(username))) return;
    await orgs.read(username, false, false).catch(() => undefined);
    await orgs.remove(username);
  };
  await forget();
  let f: { accessToken?: string; instanceUrl?: string; orgId?: string };
  try {
    const authInfo = await AuthInfo.create({
      username,
      oauth2Options: {
        clientId: settings.clientId,
        loginUrl: settings.loginUrl,
        privateKeyFile: settings.privateKeyFile,
      },
    });
    // Read before forgetting: the fields live in the state being removed.
    f = authInfo.getFields(true);
  } finally {
    await forget();
  }
  if (f.accessToken === undefined || f.instanceUrl === undefined || f.orgId === undefined) {
    throw new Error('Salesforce JWT login returned no session');
  }
  // The integration user's id (the permission set's assignee) is not among AuthInfo's JWT fields.
  const conn = new jsforce.Connection({
    instanceUrl: f.instanceUrl,
    accessToken: f.accessToken,
    version: SALESFORCE_API_VERSION,
  });
  const info = await conn.request<{ user_id?: unknown; organization_id?: unknown }>(
    '/services/oauth2/userinfo',
  );
  if (typeof info.user_id !== 'string' || info.organization_id !== f.orgId) {
    throw new Error('Salesforce userinfo does not match the JWT session');
  }
  return {
    accessToken: f.accessToken,
    refreshToken: null,
    instanceUrl: f.instanceUrl,
    orgId: f.orgId,
    userId: info.user_id,
  };
}

/** Name of the encrypted credential row holding a JWT-connected org's signing settings and key. */
export const SALESFORCE_JWT_CREDENTIAL = 'salesforce:jwt';

/** What a JWT-connected tenant needs to sign a new assertion: no refresh token exists in this flow. */
export interface SalesforceJwtKey {
  readonly clientId: string;
  readonly loginUrl: string;
  readonly username: string;
  /** PEM private key (PKCS#8 or PKCS#1); kept only in the encrypted credential row. */
  readonly privateKeyPem: string;
}

export async function saveJwtKey(
  store: Pick<TokenStore, 'putCredential'>,
  ring: KeyRing,
  tenantId: string,
  key: SalesforceJwtKey,
  now: EpochMs,
): Promise<void> {
  await saveCredential(store, ring, tenantId, SALESFORCE_JWT_CREDENTIAL, { ...key }, now);
}

export async function loadJwtKey(
  store: Pick<TokenStore, 'getCredential'>,
  ring: KeyRing,
  tenantId: string,
): Promise<SalesforceJwtKey | undefined> {
  const v = await loadCredential(store, ring, tenantId, SALESFORCE_JWT_CREDENTIAL);
  if (v === undefined) return undefined;
  const { clientId, loginUrl, username, privateKeyPem } = v;
  if (
    typeof clientId !== 'string' ||
    typeof loginUrl !== 'string' ||
    typeof username !== 'string' ||
    typeof privateKeyPem !== 'string'
  ) {
    throw new Error('stored Salesforce JWT credential is malformed');
  }
  return { clientId, loginUrl, username, privateKeyPem };
}

/**
 * Signs and exchanges an assertion with a key held in memory. @salesforce/core reads the key from a
 * file only, so it is written to a fresh private directory (0700, file 0600) for the one call and
 * removed straight after, whatever happens.
 */
export async function jwtGrantWithKey(key: SalesforceJwtKey): Promise<SalesforceGrant> {
  const dir = await mkdtemp(join(tmpdir(), 'leadgate-jwt-'));
  try {
    const file = join(dir, 'key.pem');
    await writeFile(file, key.privateKeyPem, { mode: 0o600 });
    return await jwtGrant(
      { clientId: key.clientId, loginUrl: key.loginUrl, privateKeyFile: file },
      key.username,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
