/**
 * Test-only: the real HubSpot connector pointed at an emulator fixture (sandbox/hubspot/testing.ts),
 * on the fixture's manual clock: every wait moves that clock, nothing really sleeps, and the retry
 * jitter is fixed. Here rather than in sandbox/hubspot/testing.ts, which may not import connectors/.
 */
import type { EmulatorFixture } from '../../../sandbox/hubspot/testing.ts';
import { createHubSpotConnector, type HubSpotConnector, type HubSpotConnectorOptions } from '../connector.ts';
import { PortalBudget } from '../rate-budget.ts';

export function emulatorConnector(
  f: EmulatorFixture,
  extra: Partial<HubSpotConnectorOptions> = {},
): HubSpotConnector {
  return createHubSpotConnector({
    // Read at each call: a test may swap f.accessToken for a fresh one (tokens live 30 minutes).
    accessToken: () => Promise.resolve(f.accessToken),
    basePath: f.emulator.url,
    portalId: f.portal.id,
    budget: new PortalBudget(),
    clock: f.clock,
    sleep: (ms) => f.clock.advance(ms),
    rng: () => 0.5,
    ...extra,
  });
}
