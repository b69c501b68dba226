import type { SandboxFile } from '../app/runtime/index.ts';
import type { DemoPortalParams } from './emulator-portal.ts';

/** Fixed so every fresh demo shows the same portal and org; the clock alone moves the dates. */
export const DEMO_SEED = 4101;

/** The HubSpot portal's parameters plus the Salesforce org's size (same seed, same date). */
export interface DemoParams extends DemoPortalParams {
  readonly salesforcePeople: number;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

function isParams(value: unknown): value is DemoPortalParams & { salesforcePeople?: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return [v.seed, v.contacts, v.now].every(isCount);
}

/**
 * The saved parameters when there are some (a resumed demo must rebuild the very portal and org its
 * store was filled from, whatever LEADGATE_SANDBOX_CONTACTS says now), else fresh ones. A data folder
 * from a HubSpot-only demo gets the configured org size, saved from then on.
 */
export function demoParams(
  saved: SandboxFile,
  sizes: { contacts: number; salesforcePeople: number },
  now: number,
): DemoParams {
  if (!isParams(saved.demo)) {
    return { seed: DEMO_SEED, contacts: sizes.contacts, now, salesforcePeople: sizes.salesforcePeople };
  }
  const { seed, contacts, now: savedNow, salesforcePeople } = saved.demo;
  return {
    seed,
    contacts,
    now: savedNow,
    salesforcePeople: isCount(salesforcePeople) ? salesforcePeople : sizes.salesforcePeople,
  };
}
