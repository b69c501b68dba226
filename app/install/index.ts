// The install folder's only door: the HubSpot OAuth install routes and their state handling.
export {
  installRoutes,
  completeInstall,
  authorizeUrl,
  INSTALL_PATH,
  CALLBACK_PATH,
  BACKFILL_KEY,
} from './routes.ts';
export type { InstallRouteDeps, InstallResult, InstallStore } from './routes.ts';
export { issueState, consumeState, STATE_TTL_MS } from './state.ts';
export {
  salesforceInstallRoutes,
  completeSalesforceConnect,
  SALESFORCE_INSTALL_PATH,
  SALESFORCE_CALLBACK_PATH,
} from './salesforce-routes.ts';
export type {
  SalesforceInstallDeps,
  SalesforceInstallResult,
  SalesforceInstallStore,
} from './salesforce-routes.ts';
export { issuePkceState, takePkceState } from './salesforce-state.ts';
