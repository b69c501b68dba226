import { toHubSpotProperties } from '../connectors/hubspot/index.ts';
import { generatePortal, type GeneratedPortal } from '../sandbox/generator/index.ts';
import { startHubSpotEmulator, type HubSpotEmulator, type Portal } from '../sandbox/hubspot/index.ts';
import { toScoreWrite } from '../app/pipeline/index.ts';
import type { Store } from '../app/kit/store/index.ts';
import { newestWrittenScores } from './written-scores.ts';

/** What regenerates the demo portal byte for byte; saved in sandbox.json under "demo". */
export interface DemoPortalParams {
  readonly seed: number;
  readonly contacts: number;
  /** The generator's "now": the wall clock of the first start, so the history ends today. */
  readonly now: number;
}

export interface DemoPortal {
  readonly emulator: HubSpotEmulator;
  readonly portal: Portal;
  readonly data: GeneratedPortal;
  /** HubSpot ids of the seeded contacts, in generator order. */
  readonly contactIds: readonly string[];
}

/**
 * Starts the emulator and seeds one portal. The emulator keeps everything in memory: a second start
 * rebuilds the same portal (same id, same record ids) from the same parameters, which is what lets the
 * saved tenant and its stored scores line up with it again.
 */
export async function startDemoPortal(params: DemoPortalParams, port: number): Promise<DemoPortal> {
  const emulator = await startHubSpotEmulator({ port, host: '127.0.0.1', seed: params.seed });
  try {
    const data = generatePortal({ seed: params.seed, contacts: params.contacts, now: params.now });
    const portal = emulator.portals.create();
    const seeded = emulator.portals.seed(portal.id, data);
    return { emulator, portal, data, contactIds: [...seeded.contacts.values()] };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}

/**
 * On a resumed demo the regenerated portal has lost what leadgate wrote last time, while our store
 * still holds it as written (write-back only sends changes, so it would never send it again). Put
 * those values back silently, as the portal held them when the last run stopped. Returns how many.
 */
export async function restoreWrittenScores(
  store: Pick<Store, 'listScoresByWriteBack'>,
  tenantId: string,
  portal: Portal,
): Promise<number> {
  const written = await newestWrittenScores(store, tenantId);
  let restored = 0;
  for (const score of written) {
    const contact = portal.get('contacts', score.personId);
    if (contact === undefined) continue;
    const values = toHubSpotProperties(toScoreWrite(score).fields);
    portal.update(contact, new Map(Object.entries(values)), {
      at: score.writeBackAt ?? score.scoredAt,
      silent: true,
    });
    restored++;
  }
  return restored;
}
