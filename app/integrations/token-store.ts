import type { AuditAppend } from '../kit/audit/index.ts';
import type { EpochMs, Store, Tenant } from '../kit/store/index.ts';

/** What every CRM's token handling needs of the store: encrypted credentials and the tenant's status. */
export type TokenStore = Pick<Store, 'putCredential' | 'getCredential' | 'setTenantStatus' | 'getTenant'>;

/**
 * The tenant's tokens are gone for good (uninstall, revoked refresh token): the tenant stops being
 * active, which stops its jobs (the pipeline refuses non-active tenants) and shows as `stopped`.
 */
export async function markTokensRevoked(
  store: Pick<Store, 'setTenantStatus'>,
  audit: AuditAppend,
  tenant: Tenant,
  reason: string,
  now: EpochMs,
): Promise<void> {
  await store.setTenantStatus(tenant.id, 'uninstalled');
  await audit({
    tenantId: tenant.id,
    actor: 'system:oauth',
    action: 'tenant.tokens_revoked',
    subject: `tenant:${tenant.id}`,
    details: { reason },
    at: now,
  });
}
