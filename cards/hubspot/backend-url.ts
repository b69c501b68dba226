/**
 * Our backend's public origin. `npm run build:hubspot` replaces the placeholder with
 * LEADGATE_PUBLIC_URL: card code has no environment, and `hubspot.fetch` only reaches fully
 * qualified https origins listed in app-hsmeta.json `permittedUrls.fetch` (hubspot.md §7.3).
 */
export const BACKEND_URL = '${LEADGATE_PUBLIC_URL}';
