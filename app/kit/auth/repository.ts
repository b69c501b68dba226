import type { Store } from '../store/index.ts';

/**
 * The narrow slices of the durable store that authentication and the admin routes need. They are
 * `Pick`s of the Store contract, so the real store satisfies them by construction and tests can pass
 * the small in-memory implementation in memory-repository.ts.
 */
export type ApiKeyRepository = Pick<Store, 'findApiKeyByHash' | 'putApiKey'>;
export type TenantRepository = Pick<Store, 'getTenant'>;
export type PolicyRepository = Pick<Store, 'getPolicy' | 'savePolicy'>;
