import { randomUUID } from 'node:crypto';
import type { Ctx } from './context.ts';
import { conflict, isUniqueViolation } from './context.ts';
import type { ApiKeyGrantsTable, ApiKeysTable, CredentialsTable, TenantsTable } from './schema.ts';
import type {
  ApiKeyGrant,
  ApiKeyRecord,
  CredentialRow,
  Crm,
  NewTenant,
  Role,
  SyncCursor,
  Tenant,
  TenantStatus,
} from './types.ts';
import { StoreError } from './types.ts';
import { requireId, requireOneOf, requireText, requireTime, storedOneOf } from './validate.ts';

const CRMS: readonly Crm[] = ['hubspot', 'salesforce'];
const TENANT_STATUSES: readonly TenantStatus[] = ['active', 'suspended', 'uninstalled'];
const ROLES: readonly Role[] = ['admin', 'analyst', 'viewer'];

function toTenant(r: TenantsTable): Tenant {
  return {
    id: r.id,
    crm: storedOneOf('tenants.crm', r.crm, CRMS),
    externalId: r.external_id,
    name: r.name,
    status: storedOneOf('tenants.status', r.status, TENANT_STATUSES),
    createdAt: r.created_at,
  };
}

export async function createTenant(ctx: Ctx, input: NewTenant, now: number): Promise<Tenant> {
  const id = input.id === undefined ? randomUUID() : requireId('tenant.id', input.id);
  // Ids starting with '_' are reserved for system chains (see SYSTEM_TENANT).
  if (id.startsWith('_')) throw new StoreError('invalid_input', `tenant.id '${id}' must not start with '_'`);
  const row: TenantsTable = {
    id,
    crm: requireOneOf('tenant.crm', input.crm, CRMS),
    external_id: requireId('tenant.externalId', input.externalId),
    name: requireText('tenant.name', input.name),
    status: requireOneOf('tenant.status', input.status ?? 'active', TENANT_STATUSES),
    created_at: requireTime('now', now),
  };
  try {
    await ctx.db.insertInto('tenants').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(`a tenant with id ${id} or ${row.crm} account ${row.external_id} already exists`, err);
    }
    throw err;
  }
  return toTenant(row);
}

export async function getTenant(ctx: Ctx, id: string): Promise<Tenant | undefined> {
  const r = await ctx.db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', requireId('tenantId', id))
    .executeTakeFirst();
  return r && toTenant(r);
}

export async function findTenantByExternalId(
  ctx: Ctx,
  crm: Crm,
  externalId: string,
): Promise<Tenant | undefined> {
  const r = await ctx.db
    .selectFrom('tenants')
    .selectAll()
    .where('crm', '=', requireOneOf('crm', crm, CRMS))
    .where('external_id', '=', requireId('externalId', externalId))
    .executeTakeFirst();
  return r && toTenant(r);
}

export async function listTenants(ctx: Ctx): Promise<Tenant[]> {
  const rows = await ctx.db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toTenant);
}

export async function setTenantStatus(ctx: Ctx, id: string, status: TenantStatus): Promise<void> {
  const res = await ctx.db
    .updateTable('tenants')
    .set({ status: requireOneOf('status', status, TENANT_STATUSES) })
    .where('id', '=', requireId('tenantId', id))
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new StoreError('not_found', `tenant ${id} not found`);
}

/* credentials */

function toCredential(r: CredentialsTable): CredentialRow {
  return {
    tenantId: r.tenant_id,
    name: r.name,
    keyId: r.key_id,
    ciphertext: r.ciphertext,
    updatedAt: r.updated_at,
  };
}

/**
 * A sealed token set is no id: a Salesforce session (two ~112-char tokens, instance URL, org and user
 * ids) seals to more than the 512 chars ids may have, so ciphertexts get their own, wider bound.
 */
const MAX_CIPHERTEXT_LENGTH = 16_384;

function requireCiphertext(value: unknown): string {
  const text = requireText('credential.ciphertext', value);
  if (text.length === 0 || text.length > MAX_CIPHERTEXT_LENGTH) {
    throw new StoreError(
      'invalid_input',
      `credential.ciphertext must be a non-empty string of at most ${MAX_CIPHERTEXT_LENGTH} chars`,
    );
  }
  return text;
}

export async function putCredential(ctx: Ctx, c: CredentialRow, ifCiphertext?: string): Promise<boolean> {
  const row: CredentialsTable = {
    tenant_id: requireId('tenantId', c.tenantId),
    name: requireId('credential.name', c.name),
    key_id: requireId('credential.keyId', c.keyId),
    ciphertext: requireCiphertext(c.ciphertext),
    updated_at: requireTime('credential.updatedAt', c.updatedAt),
  };
  const set = { key_id: row.key_id, ciphertext: row.ciphertext, updated_at: row.updated_at };
  if (ifCiphertext !== undefined) {
    const res = await ctx.db
      .updateTable('credentials')
      .set(set)
      .where('tenant_id', '=', row.tenant_id)
      .where('name', '=', row.name)
      .where('ciphertext', '=', requireCiphertext(ifCiphertext))
      .executeTakeFirst();
    return res.numUpdatedRows === 1n;
  }
  await ctx.db
    .insertInto('credentials')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doUpdateSet(set))
    .execute();
  return true;
}

export async function getCredential(
  ctx: Ctx,
  tenantId: string,
  name: string,
): Promise<CredentialRow | undefined> {
  const r = await ctx.db
    .selectFrom('credentials')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('name', '=', requireId('name', name))
    .executeTakeFirst();
  return r && toCredential(r);
}

export async function listCredentialsNotUnderKey(ctx: Ctx, keyId: string): Promise<CredentialRow[]> {
  const rows = await ctx.db
    .selectFrom('credentials')
    .selectAll()
    .where('key_id', '<>', requireId('keyId', keyId))
    .orderBy('tenant_id')
    .orderBy('name')
    .execute();
  return rows.map(toCredential);
}

export async function deleteCredential(ctx: Ctx, tenantId: string, name: string): Promise<void> {
  await ctx.db
    .deleteFrom('credentials')
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('name', '=', requireId('name', name))
    .execute();
}

/* sync cursors */

export async function getSyncCursor(
  ctx: Ctx,
  tenantId: string,
  stream: string,
): Promise<SyncCursor | undefined> {
  const r = await ctx.db
    .selectFrom('sync_cursors')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('stream', '=', requireId('stream', stream))
    .executeTakeFirst();
  return r && { tenantId: r.tenant_id, stream: r.stream, cursor: r.cursor, updatedAt: r.updated_at };
}

export async function setSyncCursor(ctx: Ctx, c: SyncCursor): Promise<void> {
  const row = {
    tenant_id: requireId('tenantId', c.tenantId),
    stream: requireId('stream', c.stream),
    cursor: requireText('cursor', c.cursor),
    updated_at: requireTime('updatedAt', c.updatedAt),
  };
  await ctx.db
    .insertInto('sync_cursors')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'stream']).doUpdateSet({ cursor: row.cursor, updated_at: row.updated_at }),
    )
    .execute();
}

/* api keys */

function toApiKey(r: ApiKeysTable): ApiKeyRecord {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    keyHash: r.key_hash,
    role: storedOneOf('api_keys.role', r.role, ROLES),
    label: r.label,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

export async function putApiKey(ctx: Ctx, k: ApiKeyRecord): Promise<void> {
  const row: ApiKeysTable = {
    tenant_id: requireId('tenantId', k.tenantId),
    id: requireId('apiKey.id', k.id),
    key_hash: requireId('apiKey.keyHash', k.keyHash),
    role: requireOneOf('apiKey.role', k.role, ROLES),
    label: requireText('apiKey.label', k.label),
    created_at: requireTime('apiKey.createdAt', k.createdAt),
    revoked_at: k.revokedAt === null ? null : requireTime('apiKey.revokedAt', k.revokedAt),
  };
  try {
    await ctx.db.insertInto('api_keys').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`api key ${row.id} (or its hash) already exists`, err);
    throw err;
  }
}

export async function getApiKey(ctx: Ctx, tenantId: string, id: string): Promise<ApiKeyRecord | undefined> {
  const r = await ctx.db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('id', '=', requireId('id', id))
    .executeTakeFirst();
  return r && toApiKey(r);
}

export async function findApiKeyByHash(ctx: Ctx, keyHash: string): Promise<ApiKeyRecord | undefined> {
  const r = await ctx.db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', requireId('keyHash', keyHash))
    .executeTakeFirst();
  return r && toApiKey(r);
}

export async function listApiKeys(ctx: Ctx, tenantId: string): Promise<ApiKeyRecord[]> {
  const rows = await ctx.db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toApiKey);
}

export async function revokeApiKey(ctx: Ctx, tenantId: string, id: string, at: number): Promise<void> {
  const res = await ctx.db
    .updateTable('api_keys')
    .set({ revoked_at: requireTime('at', at) })
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('id', '=', requireId('id', id))
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) throw new StoreError('not_found', `api key ${id} not found`);
}

export async function grantApiKey(ctx: Ctx, g: ApiKeyGrant): Promise<void> {
  const row: ApiKeyGrantsTable = {
    tenant_id: requireId('tenantId', g.tenantId),
    key_tenant_id: requireId('keyTenantId', g.keyTenantId),
    key_id: requireId('keyId', g.keyId),
    role: requireOneOf('grant.role', g.role, ROLES),
    created_at: requireTime('grant.createdAt', g.createdAt),
  };
  await ctx.db
    .insertInto('api_key_grants')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'key_tenant_id', 'key_id']).doNothing())
    .execute();
}

export async function listApiKeyGrants(ctx: Ctx, keyTenantId: string, keyId: string): Promise<ApiKeyGrant[]> {
  const rows = await ctx.db
    .selectFrom('api_key_grants')
    .selectAll()
    .where('key_tenant_id', '=', requireId('keyTenantId', keyTenantId))
    .where('key_id', '=', requireId('keyId', keyId))
    .orderBy('created_at')
    .orderBy('tenant_id')
    .execute();
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    keyTenantId: r.key_tenant_id,
    keyId: r.key_id,
    role: storedOneOf('api_key_grants.role', r.role, ROLES),
    createdAt: r.created_at,
  }));
}
