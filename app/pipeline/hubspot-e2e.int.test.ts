import { describe, expect, it } from 'vitest';
import { LIFECYCLE_DATE_PROPERTIES } from '../../connectors/hubspot/mapping.ts';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import { sdkClient } from '../../sandbox/hubspot/testing.ts';
import { rocAuc, sigmoid } from '../../scoring/index.ts';
import { verifyAuditChain } from '../kit/audit/index.ts';
import { defaultSettings, INCREMENTAL_EVENTS_STREAM } from './jobs/index.ts';
import { peopleChanged } from './people-changed.ts';
import { tenantStatus } from './status.ts';
import { useDriver } from './testdata/crm-driver.ts';
import { startHubSpotDriver } from './testdata/hubspot-driver.ts';

/**
 * End to end through the real HubSpot connector and the HubSpot emulator: a generated portal is
 * backfilled, trained on, scored and written back by the job handlers on a real queue
 * (testdata/hubspot-driver.ts). What HubSpot alone has lives here: the generator's true effects, the
 * lifecycle-stage dates, page views and meetings. The scenarios every CRM shares (backfill and write,
 * faults, no write when nothing changed, a change told by webhook, consent withdrawn) run in
 * scenarios-e2e.int.test.ts over this portal and a Salesforce org.
 */

const PORTAL_CONTACTS = 1_000;
/**
 * Model recovery needs more leads than the plumbing: at 1,000 contacts only ~400 have a closed 90-day
 * window (~65 conversions), where even the true logit reaches only AUC ≈ 0.68 and the cross-validated
 * estimate wanders by ±0.05. At 3,000 the comparison means something.
 */
const RECOVERY_CONTACTS = 3_000;

describe('HubSpot end to end', () => {
  // Seeding 3,000 contacts for the recovery test takes a while on a loaded machine.
  const hs = useDriver(() => startHubSpotDriver({ contacts: RECOVERY_CONTACTS }), 180_000);

  it('backfills, trains a model that recovers the true effects, scores and writes every scorable contact', async () => {
    const d = hs();
    const { store, tenant, seeded, data } = d;
    await d.enqueue('backfill');
    await d.drain();
    // The people pages carried consent: no separate consent pass over the contacts.
    const listCalls = d.f.emulator.requests.filter(
      (r) => r.method === 'GET' && r.path === '/crm/v3/objects/contacts',
    );
    expect(listCalls.length).toBe(Math.ceil(RECOVERY_CONTACTS / 100) * 2); // people, lifecycle outcomes

    const champion = await store.getChampion(tenant.id);
    expect(champion, 'a model qualifies on 1,000 contacts').toBeDefined();
    // The model's cross-validated AUC against the generator's own logit on the same leads.
    const artifact = champion?.artifact as unknown as {
      metrics: { crossValidated: { auc: number; n: number } };
    };
    const truthByHubSpotId = new Map<string, number>();
    const generatorIdOf = new Map([...seeded.contacts].map(([g, h]) => [h, g]));
    for (const t of data.truth) {
      const h = seeded.contacts.get(t.contactId);
      if (h !== undefined && t.logit !== null) truthByHubSpotId.set(h, t.logit);
    }
    const { buildTrainingSet } = await import('./train.ts');
    const settings = defaultSettings('hubspot');
    const set = await buildTrainingSet(
      store,
      tenant.id,
      d.now(),
      { ...settings.outcome, decisionDelayDays: 14 },
      settings.fields,
    );
    const trueAuc = rocAuc(
      set.rows.map((r) => r.label),
      set.rows.map((r) => sigmoid(truthByHubSpotId.get(r.personId) ?? 0)),
    );
    expect(generatorIdOf.size).toBe(RECOVERY_CONTACTS);
    expect(artifact.metrics.crossValidated.n).toBe(set.rows.length);
    console.info(
      `model AUC ${artifact.metrics.crossValidated.auc.toFixed(3)}, true logit AUC ${trueAuc.toFixed(3)}`,
    );
    expect(artifact.metrics.crossValidated.auc).toBeGreaterThan(trueAuc - 0.05);

    const scorable = data.contacts.filter(
      (c) => c.consent.lawfulBasis !== 'none' && !c.consent.emailOptOut,
    ).length;
    expect(d.contactsWithScore()).toBe(scorable);
    expect(await store.listScoresByWriteBack(tenant.id, 'pending', 10)).toEqual([]);
    expect(await store.listScoresByWriteBack(tenant.id, 'failed', 10)).toEqual([]);
    // 100 per batch update: the fewest calls HubSpot allows.
    expect(d.batchUpdates()).toBe(Math.ceil(scorable / 100));

    const status = await tenantStatus(store, tenant);
    expect(status).toMatchObject({
      phase: 'live',
      synced: RECOVERY_CONTACTS,
      scored: scorable,
      written: scorable,
      deadLetters: 0,
    });
    expect(status.championModel).toBe(champion?.version);
    expect((await verifyAuditChain(store, tenant.id)).ok).toBe(true);
    // 3,000 contacts through the emulator: ~35 s alone, over a minute on a loaded 2-core machine.
  }, 240_000);
});

describe('HubSpot outcomes after install', () => {
  const hs = useDriver(() => startHubSpotDriver({ contacts: PORTAL_CONTACTS }));

  it('records a contact reaching SQL after the backfill (webhook, incremental) at the stage date HubSpot sets', async () => {
    const d = hs();
    const { f, store, tenant, seeded } = d;
    await d.enqueue('backfill');
    await d.drain();
    await d.listenForWebhooks(['lifecyclestage']);
    // A contact the backfill saw and scored, never at SQL or later.
    const id = [...seeded.contacts.values()].find((cid) => {
      const c = f.portal.get('contacts', cid);
      return (
        c?.properties.get('leadgate_score') !== undefined &&
        LIFECYCLE_DATE_PROPERTIES.every((p) => c.properties.get(p) === undefined)
      );
    });
    if (id === undefined) throw new Error('no scored contact below SQL');
    const contact = f.portal.get('contacts', id);
    if (contact === undefined) throw new Error('contact vanished');
    const FAR = Date.UTC(9999, 0, 1);
    expect(await store.getOutcomes(tenant.id, { personId: id }, FAR)).toEqual([]);
    const outcomesBefore = (await store.getOutcomes(tenant.id, {}, FAR)).length;

    await d.portalTimeTo(60_000);
    const movedAt = f.clock.now();
    f.portal.update(contact, new Map([['lifecyclestage', 'salesqualifiedlead']]), {
      at: movedAt,
      sourceType: 'CRM_UI',
    });
    await d.deliverWebhooks();
    expect((await store.countJobs(tenant.id)).queued, 'the webhook queued an incremental sync').toBe(1);
    await d.drain();

    // HubSpot's calculated hs_lifecyclestage_salesqualifiedlead_date is the outcome's time; it is known
    // from the sync on (live), not back-dated into history training already judged.
    const stageDate = Date.parse(contact.properties.get('hs_lifecyclestage_salesqualifiedlead_date') ?? '');
    expect(stageDate).toBe(movedAt);
    const outcomes = await store.getOutcomes(tenant.id, { personId: id }, FAR);
    expect(outcomes.map((o) => [o.personId, o.type, o.occurredAt])).toEqual([
      [id, 'lifecycle_sql_or_later', movedAt],
    ]);
    expect(outcomes[0]?.recordedAt).toBeGreaterThanOrEqual(movedAt);
    expect((await store.getOutcomes(tenant.id, {}, FAR)).length).toBe(outcomesBefore + 1);

    // A later sweep re-reading the contact (now at opportunity) records nothing new: same first SQL date.
    await d.portalTimeTo(60_000);
    f.portal.update(contact, new Map([['lifecyclestage', 'opportunity']]), {
      at: f.clock.now(),
      sourceType: 'CRM_UI',
    });
    await d.enqueue('incremental');
    await d.drain();
    expect(await store.getOutcomes(tenant.id, { personId: id }, FAR)).toEqual(outcomes);
  });
});

describe('HubSpot engagement after install', () => {
  const hs = useDriver(() => startHubSpotDriver({ contacts: PORTAL_CONTACTS }));

  it('reads page views and a meeting from after the backfill (incremental events), rescoring the contact higher, each event once', async () => {
    const d = hs();
    const { f, store, tenant, seeded } = d;
    await d.enqueue('backfill');
    await d.drain();
    const FAR = Date.UTC(9999, 0, 1);
    // The written contact with the least engagement: the most room to move.
    let id: string | undefined;
    let before: number | null = null;
    for (const cid of seeded.contacts.values()) {
      const s = await store.getLatestScore(tenant.id, cid);
      if (s?.writeBack !== 'written' || s.engagementScore === null) continue;
      if (before === null || s.engagementScore < before) {
        id = cid;
        before = s.engagementScore;
      }
    }
    if (id === undefined || before === null) throw new Error('no written contact with an engagement score');
    const cursorBefore = Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor);
    const eventsBefore = (await store.getEventsAsOf(tenant.id, id, FAR)).length;

    // After install: six pricing-page views on the contact's timeline and a meeting logged through the API.
    await d.portalTimeTo(60_000);
    const t = f.clock.now();
    for (let i = 0; i < 6; i++)
      f.portal.events.push({
        id: `after-install-${i}`,
        eventType: 'e_visited_page',
        objectType: 'contact',
        objectId: id,
        occurredAt: t - i * 1_000,
        properties: { hs_url: 'https://example.com/pricing', hs_title: 'Pricing' },
      });
    /* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment --
       The SDK's documented calling style: plain object literals for its model classes (connector.ts). */
    const meeting = await sdkClient(f.emulator.url, f.accessToken).crm.objects.basicApi.create('meetings', {
      properties: {
        hs_timestamp: new Date(t).toISOString(),
        hs_meeting_title: 'Demo',
        hs_meeting_start_time: new Date(t).toISOString(),
        hs_meeting_end_time: new Date(t + 30 * 60_000).toISOString(),
        hs_meeting_outcome: 'COMPLETED',
      },
      associations: [
        {
          to: { id },
          types: [
            {
              associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined,
              associationTypeId: 200,
            },
          ],
        },
      ],
    });
    /* eslint-enable @typescript-eslint/no-unsafe-class-instance-assignment */
    // A webhook's job, as the webhook route queues it, reads the contacts it names and no events: those
    // wait for the sweep (app/pipeline/jobs/targeted.ts).
    await d.enqueue('incremental', peopleChanged({ source: 'webhook', recordIds: [id] }));
    await d.drain();
    expect((await store.getEventsAsOf(tenant.id, id, FAR)).length).toBe(eventsBefore);
    expect(Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor)).toBe(
      cursorBefore,
    );

    // The sweep runs later than the webhook's job, as it does in production. In the same millisecond
    // the two rescores tie on scored_at, and the store breaks that tie by the score's random id, so
    // "latest" would be either (seen as a flaky failure under load; see the session note).
    await d.portalTimeTo(1_000);
    await d.enqueue('incremental');
    await d.drain();

    const events = await store.getEventsAsOf(tenant.id, id, FAR);
    expect(events.length).toBe(eventsBefore + 7);
    const sources = events.map((e) => e.sourceId);
    for (let i = 0; i < 6; i++) expect(sources).toContain(`hubspot:event:e_visited_page:after-install-${i}`);
    expect(sources).toContain(`hubspot:meetings:${meeting.id}:${id}`);
    const after = await store.getLatestScore(tenant.id, id);
    // Rescored by this sync (written to the CRM only if the total moved a point: change.ts).
    expect(after?.scoredAt).toBeGreaterThanOrEqual(t);
    expect(after?.engagementScore).toBeGreaterThan(before);
    const cursor = Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor);
    expect(cursor).toBeGreaterThan(cursorBefore);
    expect(cursor).toBeGreaterThanOrEqual(t);

    // The next sweep re-reads from the cursor's millisecond: nothing ingested twice, the cursor stays.
    await d.enqueue('incremental');
    await d.drain();
    expect((await store.getEventsAsOf(tenant.id, id, FAR)).length).toBe(eventsBefore + 7);
    expect(Number((await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor)).toBe(cursor);
  });
});
