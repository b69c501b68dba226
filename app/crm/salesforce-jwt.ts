import jsforce from 'jsforce';
import { SALESFORCE_API_VERSION, type SalesforceGrant } from './salesforce-oauth.ts';

export interface SalesforceJwtSettings {
  readonly clientId: string;
  /** Path of the PEM private key whose certificate is on the connected app: @salesforce/core reads a file. */
  readonly privateKeyFile: string;
  readonly loginUrl: string;
}

/**
 * The JWT bearer flow for server-to-server set-ups, through @salesforce/core's `AuthInfo.create` with
 * JWT options (salesforce.md §1.5, §1.8). No refresh token comes back: renewing means asserting again.
 * We never call `save()`: @salesforce/core would write the session under HOME in clear; our copy is the
 * encrypted credential row. Loaded lazily: the package is large and only JWT set-ups need it.
 */
export async function jwtGrant(settings: SalesforceJwtSettings, username: string): Promise<SalesforceGrant> {
  const { AuthInfo } = await import('@salesforce/core');
  const authInfo = await AuthInfo.create({
    username,
    oauth2Options: {
      clientId: settings.clientId,
      loginUrl: settings.loginUrl,
      privateKeyFile: settings.privateKeyFile,
    },
  });
  const f = authInfo.getFields(true);
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
