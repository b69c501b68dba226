import type { SandboxFile } from '../runtime/index.ts';
import type { DemoPortalParams } from './emulator-portal.ts';

/** Fixed so every fresh demo shows the same portal; the clock alone moves the dates. */
export const DEMO_SEED = 4101;

function isParams(value: unknown): value is DemoPortalParams {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return [v.seed, v.contacts, v.now].every((n) => typeof n === 'number' && Number.isSafeInteger(n));
}

/**
 * The saved parameters when there are some (a resumed demo must rebuild the very portal its store
 * was filled from, whatever LEADGATE_SANDBOX_CONTACTS says now), else fresh ones.
 */
export function demoParams(saved: SandboxFile, contacts: number, now: number): DemoPortalParams {
  return isParams(saved.demo) ? saved.demo : { seed: DEMO_SEED, contacts, now };
}
