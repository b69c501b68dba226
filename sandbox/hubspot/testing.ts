import { Client } from '@hubspot/api-client';
import { ManualClock } from './clock.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from './emulator.ts';
import type { Portal } from './portal.ts';
import { ALL_SCOPES } from './state.ts';

/** Test helpers: an emulator on a manual clock, one portal, and the real SDK pointed at it. */
export interface EmulatorFixture {
  emulator: HubSpotEmulator;
  clock: ManualClock;
  portal: Portal;
  accessToken: string;
  client: Client;
}

/** The real SDK with its retries and limiter off (the connector owns both; node20-stack §3a). */
export function sdkClient(basePath: string, accessToken: string): Client {
  return new Client({ accessToken, basePath, numberOfApiCallRetries: 0 });
}

export async function startFixture(scopes: readonly string[] = ALL_SCOPES): Promise<EmulatorFixture> {
  const clock = new ManualClock();
  const emulator = await startHubSpotEmulator({ clock });
  const portal = emulator.portals.create();
  const { accessToken } = emulator.oauth.issueTokens(portal.id, scopes);
  return { emulator, clock, portal, accessToken, client: sdkClient(emulator.url, accessToken) };
}

/** Adds `n` bare contacts straight into the store (fast setup for paging tests). */
export function addContacts(portal: Portal, n: number, at: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      portal.create(
        'contacts',
        new Map([
          ['email', `person${i}@example.com`],
          ['firstname', `P${i}`],
        ]),
        { at: at + i, silent: true },
      ).id,
    );
  }
  return ids;
}
