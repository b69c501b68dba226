import { Router } from 'express';
import { principalOf, requireApiKey } from '../auth/index.ts';
import type { ApiKeyRepository } from '../auth/index.ts';
import type { Store } from '../store/index.ts';
import { tenantStatus, type StatusStore } from './status.ts';

export type StatusRouteDeps = { store: StatusStore & ApiKeyRepository & Pick<Store, 'getTenant'> };

/**
 * GET /api/v1/status: the pipeline's progress for the caller's tenant. Every role may read it (it is
 * what the install screen polls); a key only ever sees its own tenant, so the list has one entry.
 */
export function statusRoutes(deps: StatusRouteDeps): Router {
  const router = Router();
  router.get('/api/v1/status', requireApiKey(deps.store), async (req, res) => {
    const { tenantId } = principalOf(req);
    const tenant = await deps.store.getTenant(tenantId);
    res.set('Cache-Control', 'no-store');
    res.json({ tenants: tenant === undefined ? [] : [await tenantStatus(deps.store, tenant)] });
  });
  return router;
}
