// The sandbox demo's only door: what `npm start` runs when no CRM credentials are configured.
export { startDemo } from './start.ts';
export { runSandboxDemo, demoSubscriptions } from './run-sandbox-demo.ts';
export type { SalesforceDemo, SandboxDemo, SandboxDemoOptions } from './run-sandbox-demo.ts';
export type { DemoOrg } from './salesforce-org.ts';
export type { DemoParams } from './params.ts';
export type { DemoPortal, DemoPortalParams } from './emulator-portal.ts';
export type { ProgressSink } from './progress.ts';
export { DEMO_SEED } from './params.ts';
