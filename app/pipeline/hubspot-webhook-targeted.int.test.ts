import { describe, expect, it } from 'vitest';
import { INCREMENTAL_EVENTS_STREAM, INCREMENTAL_STREAM } from './jobs/index.ts';
import { peopleChanged } from './people-changed.ts';
import { useDriver } from './testdata/crm-driver.ts';
import { startHubSpotDriver } from './testdata/hubspot-driver.ts';

/**
 * A HubSpot webhook batch through the app's real webhook route, the job queue and the real connector
 * on the emulator (testdata/hubspot-driver.ts): the incremental job it queues reads exactly the
 * contacts the webhook named (one batch read), not the changed-since search, and leaves the sweep's
 * cursors where they were.
 */

describe('HubSpot webhook → targeted incremental → rescore', () => {
  const hs = useDriver(() => startHubSpotDriver({ contacts: 300 }));

  it('reads the 10 contacts a webhook batch names in one batch read, no search, and leaves the sweep cursors', async () => {
    const d = hs();
    const { f, store, tenant } = d;
    /** The emulator's requests from index `from` on, as `METHOD path`. */
    const callsSince = (from: number): string[] =>
      f.emulator.requests.slice(from).map((r) => `${r.method} ${r.path}`);
    await d.enqueue('backfill');
    await d.drain();
    await d.listenForWebhooks(['jobtitle']);
    const changed = d.people().slice(0, 10);
    const peopleCursor = await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM);
    const eventsCursor = await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM);
    expect(peopleCursor).toBeDefined();
    const companyOf = async (id: string): Promise<unknown> =>
      (await store.getRecordAsOf(tenant.id, 'contact', id, d.now()))?.properties.companyId;
    const companies = await Promise.all(changed.map(companyOf));
    expect(companies.filter((c) => typeof c === 'string').length, 'some with a company').toBeGreaterThan(0);

    await d.portalTimeTo(60_000);
    const t = d.now();
    for (const id of changed) {
      const contact = f.portal.get('contacts', id);
      if (contact === undefined) throw new Error('seeded contact missing');
      f.portal.update(contact, new Map([['jobtitle', 'Chief Executive Officer']]), {
        at: f.clock.now(),
        sourceType: 'CRM_UI',
      });
    }
    await d.deliverWebhooks();
    expect((await store.countJobs(tenant.id)).queued, 'one webhook batch, one incremental job').toBe(1);
    const before = f.emulator.requests.length;
    await d.drain();

    // The incremental job: one batch read of the 10 named contacts and one read of their companies;
    // no contacts (or engagement) search, no Events API. Then the write-back of changed scores.
    const calls = callsSince(before);
    expect(calls.filter((c) => c === 'POST /crm/v3/objects/contacts/batch/read')).toHaveLength(1);
    expect(calls.filter((c) => c.endsWith('/search'))).toEqual([]);
    expect(calls.filter((c) => c.startsWith('GET /events/'))).toEqual([]);
    expect(
      calls.filter((c) => c !== 'POST /crm/v3/objects/contacts/batch/update'),
      'reads of the webhook job',
    ).toEqual([
      'POST /crm/v3/objects/contacts/batch/read',
      'POST /crm/v4/associations/contacts/companies/batch/read',
    ]);

    // Ingested with their company links kept, and rescored: each of the 10, and only they.
    for (const [i, id] of changed.entries()) {
      const record = await store.getRecordAsOf(tenant.id, 'contact', id, d.now());
      expect((record?.properties.properties as Record<string, unknown>).jobtitle, id).toBe(
        'Chief Executive Officer',
      );
      expect(record?.properties.companyId, id).toBe(companies[i]);
      expect((await store.getLatestScore(tenant.id, id))?.scoredAt, id).toBeGreaterThanOrEqual(t);
    }
    const other = d.people()[10] ?? '';
    expect((await store.getLatestScore(tenant.id, other))?.scoredAt).toBeLessThan(t);

    // The sweep's cursors are untouched: a read of named records says nothing of what else changed.
    expect(await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM)).toEqual(peopleCursor);
    expect(await store.getSyncCursor(tenant.id, INCREMENTAL_EVENTS_STREAM)).toEqual(eventsCursor);

    // The timed sweep still runs from there: it searches, and moves the people cursor past the change.
    const sweepFrom = f.emulator.requests.length;
    await d.enqueue('incremental', peopleChanged({ source: 'sweep' }));
    await d.drain();
    expect(callsSince(sweepFrom)).toContain('POST /crm/v3/objects/contacts/search');
    expect(Number((await store.getSyncCursor(tenant.id, INCREMENTAL_STREAM))?.cursor)).toBeGreaterThanOrEqual(
      t,
    );
  });
});
