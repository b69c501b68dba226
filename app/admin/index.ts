// The admin API's only door: tenant, key and policy routes; the pipeline's status and dead letters.
export { adminRoutes } from './admin-routes.ts';
export type { AdminRouteDeps, AdminStore } from './admin-routes.ts';
export { statusRoutes } from './status-route.ts';
export type { StatusRouteDeps } from './status-route.ts';
export { attemptsOf, deadLetterRoutes } from './dead-letter-routes.ts';
export type { DeadLetterRouteDeps } from './dead-letter-routes.ts';
