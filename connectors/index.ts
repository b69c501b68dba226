/** Connectors: one interface, one folder per CRM. */
export * from './types.ts';
export * from './retry.ts';
