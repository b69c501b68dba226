import type { JSONSchemaType } from 'ajv';
import { jwtGrantWithKey, saveJwtKey, type SalesforceJwtKey } from './jwt.ts';
import { HttpError, bodyValidator } from '../../kit/http/index.ts';
import type { Store } from '../../kit/store/index.ts';
import {
  completeSalesforceConnect,
  type SalesforceInstallDeps,
  type SalesforceInstallResult,
} from './install-routes.ts';

/** What an operator gives to connect an org server-to-server (salesforce.md §1.5). */
export interface SalesforceJwtConnectInput {
  /** https://login.salesforce.com, https://test.salesforce.com or a My Domain URL (the emulator in the sandbox). */
  loginUrl: string;
  /** The connected app's consumer key (the assertion's `iss`). */
  clientId: string;
  /** The pre-authorised integration user (the assertion's `sub`). */
  username: string;
  /** PEM private key whose certificate is on the connected app. */
  privateKeyPem: string;
}

const PEM =
  '^-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----[\\s\\S]+-----END (RSA |ENCRYPTED )?PRIVATE KEY-----\\s*$';

/** ajv-checked at the boundary; errors name the field, never echo the key. */
export const parseJwtConnectInput = bodyValidator<SalesforceJwtConnectInput>({
  type: 'object',
  additionalProperties: false,
  required: ['loginUrl', 'clientId', 'username', 'privateKeyPem'],
  properties: {
    loginUrl: { type: 'string', minLength: 8, maxLength: 300, pattern: '^https?://[^\\s/?#]+/?$' },
    clientId: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' },
    username: { type: 'string', minLength: 3, maxLength: 255, pattern: '^[^\\s@]+@[^\\s@]+$' },
    privateKeyPem: { type: 'string', minLength: 100, maxLength: 16_384, pattern: PEM },
  },
} satisfies JSONSchemaType<SalesforceJwtConnectInput>);

/**
 * Why the login failed, in one line. @salesforce/core tries the given login URL and then its own
 * fallbacks (test. and login.salesforce.com) and reports "Error authenticating with JWT.\nErrors
 * encountered:\n<one line per try>"; Salesforce's error_description of the given URL is what the
 * operator needs, the fallbacks' answers only when nothing else came back. Never carries the key.
 */
export function jwtRefusal(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const at = lines.indexOf('Errors encountered:');
  if (at === -1) return lines[0] ?? 'no reason given';
  const tries = [...new Set(lines.slice(at + 1))];
  const fallback = /^request to https:\/\/(login|test)\.salesforce\.com\//;
  const own = tries.filter((l) => !fallback.test(l));
  return (own.length > 0 ? own : tries).join('; ') || (lines[0] ?? 'no reason given');
}

export type SalesforceJwtConnectDeps = Omit<SalesforceInstallDeps, 'oauth' | 'publicUrl' | 'logger'> & {
  readonly store: SalesforceInstallDeps['store'] & Pick<Store, 'getCredential'>;
};

/**
 * Connects an org through the JWT bearer flow: the assertion is signed and exchanged through
 * @salesforce/core, then the same steps as the web-server flow run (tenant lookup or creation, the
 * encrypted session, ensureSchema, one backfill, the install audit). The key is stored encrypted
 * beside the session, before the schema work, so a session that expires from then on is renewed by
 * signing a new assertion. `actor` names who asked; the connect is audited under it.
 */
export async function connectSalesforceJwt(
  deps: SalesforceJwtConnectDeps,
  raw: unknown,
  actor: string,
): Promise<SalesforceInstallResult> {
  const input = parseJwtConnectInput(raw);
  const key: SalesforceJwtKey = { ...input, loginUrl: input.loginUrl.replace(/\/$/, '') };
  let grant;
  try {
    grant = await jwtGrantWithKey(key);
  } catch (error) {
    throw new HttpError('bad_request', `Salesforce refused the JWT bearer login: ${jwtRefusal(error)}`);
  }
  const result = await completeSalesforceConnect(deps, grant, 'jwt', key.username, async (tenant) => {
    await saveJwtKey(deps.store, deps.ring, tenant.id, key, deps.clock.now());
  });
  await deps.audit({
    tenantId: result.tenant.id,
    actor,
    action: 'salesforce.jwt_connect',
    subject: `tenant:${result.tenant.id}`,
    details: { orgId: grant.orgId, clientId: key.clientId, loginUrl: key.loginUrl, created: result.created },
    at: deps.clock.now(),
  });
  deps.onConnected?.(result.tenant);
  return result;
}
