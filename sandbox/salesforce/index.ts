export { startSalesforceEmulator } from './server.ts';
export type {
  CreateOrgOptions,
  OrgHandle,
  SalesforceEmulator,
  SalesforceEmulatorOptions,
  WriteOptions,
} from './server.ts';
export type { ConnectedApp } from './oauth/tokens.ts';
export type { FaultRule, FaultKind, RecordFaultRule } from './faults.ts';
export type { ChangeEvent, ChangeEventHeader } from './cdc/bus.ts';
export type { CustomFieldMetadata } from './schema/custom-fields.ts';
export type { Clock } from './clock.ts';
export { COLLECTION_LIMIT } from './rest/composite-routes.ts';
