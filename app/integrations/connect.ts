import type { Request, Response } from 'express';
import type { Connector } from '../../connectors/index.ts';
import type { AuditAppend } from '../kit/audit/index.ts';
import type { Clock } from '../kit/clock.ts';
import { StoreError, type Crm, type Store, type Tenant } from '../kit/store/index.ts';
import { installPage } from './install-page.ts';

/** What both CRMs' connect flows share once the CRM has said yes: tenant, schema, backfill, audit. */

/** One backfill per tenant, however often it is re-installed: the incremental sweep covers the rest. */
export const BACKFILL_KEY = 'install:backfill';

type TenantStore = Pick<Store, 'findTenantByExternalId' | 'createTenant' | 'setTenantStatus'>;

/** The tenant of a portal or org: reused (and made active again after a revocation), or created. */
export async function tenantFor(
  store: TenantStore,
  crm: Crm,
  externalId: string,
  name: string,
  now: number,
): Promise<{ tenant: Tenant; created: boolean }> {
  const existing = await store.findTenantByExternalId(crm, externalId);
  if (existing !== undefined) {
    // A re-install after an uninstall or revoked tokens makes the tenant live again.
    if (existing.status !== 'active') await store.setTenantStatus(existing.id, 'active');
    return { tenant: { ...existing, status: 'active' }, created: false };
  }
  try {
    return { tenant: await store.createTenant({ crm, externalId, name }, now), created: true };
  } catch (err) {
    // Two callbacks for the same portal or org at once: the other one created it.
    if (!(err instanceof StoreError && err.code === 'conflict')) throw err;
    const raced = await store.findTenantByExternalId(crm, externalId);
    if (raced === undefined) throw err;
    return { tenant: raced, created: false };
  }
}

/**
 * Creates the CRM-side schema (idempotent in each connector), enqueues the one backfill and audits
 * the install. Returns whether this call queued the backfill.
 */
export async function finishConnect(
  deps: { store: Pick<Store, 'enqueueJob'>; audit: AuditAppend; clock: Clock },
  tenant: Tenant,
  connector: Connector,
  details: Record<string, string | number | boolean | null>,
): Promise<boolean> {
  await connector.ensureSchema();
  const { created: backfillQueued } = await deps.store.enqueueJob(
    { tenantId: tenant.id, type: 'backfill', payload: {}, idempotencyKey: BACKFILL_KEY },
    deps.clock.now(),
  );
  await deps.audit({
    tenantId: tenant.id,
    actor: 'system:install',
    action: 'install',
    subject: `tenant:${tenant.id}`,
    details: { ...details, backfillQueued },
    at: deps.clock.now(),
  });
  return backfillQueued;
}

export function oneQuery(req: Request, name: string): string | undefined {
  const v: unknown = req.query[name];
  return typeof v === 'string' && v !== '' && v.length <= 2048 ? v : undefined;
}

export function sendPage(res: Response, status: number, title: string, lines: readonly string[]): void {
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).type('html').send(installPage(title, lines));
}
