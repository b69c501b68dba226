import { Router } from 'express';
import { principalOf, requireApiKey, roleAtLeast } from '../kit/auth/index.ts';
import type { ApiKeyRepository } from '../kit/auth/index.ts';
import type { Store } from '../kit/store/index.ts';
import { tenantStatus, type StatusStore } from '../pipeline/status.ts';

export type StatusRouteDeps = {
  store: StatusStore & ApiKeyRepository & Pick<Store, 'getTenant' | 'listApiKeyGrants'>;
};

/**
 * GET /api/v1/status: the pipeline's progress for the caller's tenant, then for each tenant the key
 * was granted (store `api_key_grants`; the sandbox demo grants its key the Salesforce org, so one call
 * shows both CRMs). Every role may read it (it is what the install screen polls). Grants widen this
 * read-only list and nothing else: every `/tenants/:tenantId` route still checks the key's own tenant.
 */
export function statusRoutes(deps: StatusRouteDeps): Router {
  const router = Router();
  router.get('/api/v1/status', requireApiKey(deps.store), async (req, res) => {
    const { tenantId, keyId } = principalOf(req);
    const granted = (await deps.store.listApiKeyGrants(tenantId, keyId))
      .filter((g) => g.tenantId !== tenantId && roleAtLeast(g.role, 'viewer'))
      .map((g) => g.tenantId);
    const tenants = [];
    for (const id of [tenantId, ...granted]) {
      const tenant = await deps.store.getTenant(id);
      if (tenant !== undefined) tenants.push(await tenantStatus(deps.store, tenant));
    }
    res.set('Cache-Control', 'no-store');
    res.json({ tenants });
  });
  return router;
}
