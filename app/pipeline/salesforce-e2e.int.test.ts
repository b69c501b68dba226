import { beforeEach, describe, expect, it } from 'vitest';
import { loadSalesforceSession, CDC_CURSOR_STREAM } from '../integrations/salesforce/index.ts';
import { CRM_FIELDS } from './feature-spec.ts';
import { INCREMENTAL_EVENTS_STREAM, INCREMENTAL_STREAM } from './jobs/index.ts';
import { DEFAULT_OUTCOMES } from './outcome.ts';
import { buildTrainingSet } from './train.ts';
import { tenantStatus } from './status.ts';
import { since, useDriver } from './testdata/crm-driver.ts';
import { CLIENT_ID, startSalesforceDriver } from './testdata/salesforce-driver.ts';

/**
 * End to end through the app's Salesforce connector factory (stored session, token provider, per-org
 * budget), the real jsforce and the emulator: a seeded org is backfilled, scored and written back by
 * the job handlers on a real queue (testdata/salesforce-driver.ts). What Salesforce alone has lives
 * here: converted Leads, the daily API allocation, the change-event subscription's sessions and
 * replay ids, the SystemModstamp sweep, Tasks and Events. The scenarios every CRM shares (backfill
 * and write, faults, no write when nothing changed, a change told by change event, consent withdrawn)
 * run in scenarios-e2e.int.test.ts over this org and a HubSpot portal.
 */

const DAY = 86_400_000;

const sf = useDriver(startSalesforceDriver);

const EMPTY = { score: null, tier: null, route: null, reasons: null, scoredAt: null };

describe('Salesforce end to end', () => {
  it('never scores or writes a converted Lead, counts its conversion, and scores the Contact it became', async () => {
    const d = sf();
    // The seeded org: enough open Leads, opted in, for the counts below to mean something.
    expect(
      d.f.org.query('SELECT Id FROM Lead WHERE IsConverted = false AND HasOptedOutOfEmail = false').length,
    ).toBeGreaterThan(400);
    // Open, not opted out: Leads a real org converts three weeks after they came in.
    d.f.clock.now += 20 * DAY;
    const convertedOpen = d.seeded.leadIds.filter((_, i) => i % 20 === 5);
    const contacts = convertedOpen.map(
      (id) => d.f.org.convertLead(id, { createOpportunity: true }).contactId,
    );
    const converted = [...d.seeded.convertedLeadIds, ...convertedOpen];
    const collections = since(() => d.writeRequests());
    await d.enqueue('backfill');
    await d.drain();

    const is15 = (ids: readonly string[]) => new Set(ids.map((id) => id.slice(0, 15)));
    const convertedSet = is15(converted);
    // Every scorable record written: open Leads not opted out, Contacts (the converted Leads' too).
    expect(
      d.f.org.query(
        'SELECT Id FROM Lead WHERE IsConverted = false AND Leadgate_Score__c = null AND HasOptedOutOfEmail = false',
      ),
    ).toEqual([]);
    expect(d.unscored('Contact')).toBe(0);
    for (const id of contacts) expect(d.f.org.get(id)?.['Leadgate_Score__c']).toEqual(expect.any(Number));
    // Converted Leads: no write attempted, no score stored, nothing written, no dead letter.
    expect(d.writeAttempts.length).toBeGreaterThan(400);
    expect(d.writeAttempts.filter((id) => convertedSet.has(id.slice(0, 15)))).toEqual([]);
    expect(
      d.f.org.query('SELECT Id FROM Lead WHERE IsConverted = true AND Leadgate_Score__c != null'),
    ).toEqual([]);
    for (const id of converted) expect(await d.store.getLatestScore(d.tenant.id, id)).toBeUndefined();
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'failed', 10)).toEqual([]);
    expect(await d.store.listDeadLetters(d.tenant.id)).toEqual([]);
    expect(collections()).toBeLessThanOrEqual(Math.ceil(d.writeAttempts.length / 200) + 1);

    // Their conversions are outcomes, and positives once their window has closed.
    const outcomes = await d.store.getOutcomes(d.tenant.id, {}, d.f.clock.now);
    const convertedOutcomes = outcomes.filter((o) => o.type === 'lead_converted').map((o) => o.personId);
    expect(is15(convertedOutcomes)).toEqual(convertedSet);
    const later = d.f.clock.now + 100 * DAY;
    const set = await buildTrainingSet(
      d.store,
      d.tenant.id,
      later,
      DEFAULT_OUTCOMES.salesforce,
      CRM_FIELDS.salesforce,
    );
    const positives = set.rows.filter((r) => r.label === 1).map((r) => r.personId.slice(0, 15));
    expect(new Set(positives)).toEqual(is15(convertedOpen));

    // A Lead converted after its score was written: the next sync closes it, nothing is written to it.
    const lateLead = d.seeded.leadIds[7] ?? '';
    expect(d.f.org.get(lateLead)?.['Leadgate_Score__c']).toEqual(expect.any(Number));
    d.f.clock.now += DAY;
    const { contactId: lateContact } = d.f.org.convertLead(lateLead, { createOpportunity: false });
    d.writeAttempts.splice(0);
    await d.enqueue('incremental');
    await d.drain();
    expect(d.writeAttempts.map((id) => id.slice(0, 15))).toEqual([lateContact.slice(0, 15)]);
    expect(d.f.org.get(lateContact)?.['Leadgate_Score__c']).toEqual(expect.any(Number));
    expect(await d.store.listDeadLetters(d.tenant.id)).toEqual([]);
    expect((await tenantStatus(d.store, d.tenant)).phase).toBe('live');
  });

  it('stops cleanly when the allocation is spent mid-write and finishes after the daily reset', async () => {
    const d = sf();
    await d.enqueue('backfill');
    const collections = since(() => d.writeRequests());
    // Run until scores wait to be written, then leave the org room for two Collections calls.
    for (let i = 0; i < 100; i++) {
      const pending = await d.store.listScoresByWriteBack(d.tenant.id, 'pending', 1);
      if (pending.length > 0 && collections() === 0) break;
      if (!(await d.pipeline.worker.runOnce())) d.f.clock.now += 60_000;
    }
    d.exhaustQuota(2);
    const day = Math.floor(d.f.clock.now / DAY) * DAY;
    // Drain within the day: the write-back stops on the spent allocation and waits, nothing is lost.
    for (let i = 0; i < 20 && (await d.pipeline.worker.runOnce()); i++);
    const stuck = await d.store.listScoresByWriteBack(d.tenant.id, 'pending', 10_000);
    expect(stuck.length).toBeGreaterThan(0);
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'failed', 10)).toEqual([]);
    expect(await d.store.listDeadLetters(d.tenant.id)).toEqual([]);
    expect((await tenantStatus(d.store, d.tenant)).writeStopped).toEqual({
      reason: 'quota_exhausted',
      resumeAt: day + DAY,
    });
    // The next UTC day the org's allocation is fresh again.
    d.f.org.setDailyApiLimit(1_000_000);
    d.f.clock.now = day + DAY + 60_000;
    await d.drain(60 * 60_000);
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'pending', 10)).toEqual([]);
    expect((await tenantStatus(d.store, d.tenant)).writeStopped).toBeNull();
    expect(d.unscored('Contact')).toBe(0);
  });
});

describe('Salesforce change events', () => {
  beforeEach(async () => {
    const d = sf();
    await d.enqueue('backfill');
    await d.drain();
  });

  it('fetches exactly the changed records, 200 ids a query, and leaves the sweep cursor alone', async () => {
    const d = sf();
    const first = d.subscribe();
    await first.ready;
    d.f.org.update('Lead', d.seeded.leadIds[1] ?? '', { Title: 'VP Sales' });
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    await d.drain();
    first.stop();
    const sweepCursor = await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_STREAM);
    // 450 open, scorable Leads changed by someone else while nobody listened.
    const changed = d.seeded.leadIds.filter((_, i) => i % 10 !== 0);
    expect(changed).toHaveLength(450);
    d.f.clock.now += 60_000;
    const changedAt = d.f.clock.now;
    for (const id of changed)
      d.f.org.update('Lead', id, { Title: 'Chief Executive Officer', NumberOfEmployees: 50_000 });
    const queries = since(() => d.peopleReads());
    const second = d.subscribe();
    await second.ready;
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    await second.idle();
    const jobs = d.changeJobs.slice(1);
    expect(jobs.map((j) => j.type)).toEqual(['incremental']);
    expect((jobs[0]?.payload as { recordIds: string[] }).recordIds.sort()).toEqual([...changed].sort());
    d.f.clock.now += 1_000;
    await d.drain();
    // ceil(450 / 200) = 3 `WHERE Id IN (...)` queries, and no SystemModstamp sweep of Leads and Contacts.
    expect(queries()).toBe(Math.ceil(changed.length / 200));
    for (const id of changed) {
      expect((await d.store.getLatestScore(d.tenant.id, id))?.scoredAt).toBeGreaterThanOrEqual(changedAt);
    }
    expect(await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_STREAM)).toEqual(sweepCursor);
    // The safety net still finds them: a sweep reads from its unchanged cursor.
    const before = queries();
    await d.enqueue('incremental');
    await d.drain();
    expect(queries() - before).toBeGreaterThanOrEqual(2);
    expect(
      Number((await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_STREAM))?.cursor),
    ).toBeGreaterThanOrEqual(changedAt);
  });

  it('renews an expired session and re-handshakes from the saved replay id without losing events', async () => {
    const d = sf();
    const sub = d.subscribe();
    await sub.ready;
    const [a, b, c, none] = [
      d.seeded.leadIds[1] ?? '',
      d.seeded.leadIds[2] ?? '',
      d.seeded.leadIds[3] ?? '',
      '',
    ];
    d.f.org.update('Lead', a, { Title: 'VP Sales' });
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    const expired = (await loadSalesforceSession(d.store, d.ring, d.tenant.id))?.accessToken;
    d.f.org.expireSessions();
    // Changed while the subscription's session is dead: the first change meets the 401, the second
    // has no client at all. Both must come back by replay after the re-handshake.
    d.f.org.update('Lead', b, { Title: 'CFO' });
    d.f.org.update('Contact', d.seeded.contactIds[0] ?? none, { Title: 'CTO' });
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    const renewed = (await loadSalesforceSession(d.store, d.ring, d.tenant.id))?.accessToken;
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(expired);
    // Still live on the new session.
    d.f.org.update('Lead', c, { Title: 'COO' });
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    await sub.idle();
    const named = d.changeJobs.flatMap((j) => (j.payload as { recordIds?: string[] }).recordIds ?? []);
    expect(new Set(named)).toEqual(new Set([a, b, d.seeded.contactIds[0], c]));
  });

  it('starts on a stored session that expired meanwhile by renewing it first', async () => {
    const d = sf();
    // Three idle hours: past the 2-hour session timeout; the refresh token still works.
    d.f.clock.now += 3 * 3_600_000;
    const expired = (await loadSalesforceSession(d.store, d.ring, d.tenant.id))?.accessToken;
    const sub = d.subscribe();
    await sub.ready;
    expect((await loadSalesforceSession(d.store, d.ring, d.tenant.id))?.accessToken).not.toBe(expired);
    d.f.org.update('Lead', d.seeded.leadIds[7] ?? '', { Title: 'Head of Growth' });
    await d.until(async () => (await d.queued()) === 1);
  });

  it('ignores the change events of our own write-backs', async () => {
    const d = sf();
    const sub = d.subscribe();
    await sub.ready;
    const leadId = d.seeded.leadIds[2] ?? '';
    // A write through our own client id, as the write-back sends it.
    d.f.org.update(
      'Lead',
      leadId,
      { Leadgate_Reasons__c: 'x' },
      { changeOrigin: `com/salesforce/api/rest/64.0;client=${CLIENT_ID}` },
    );
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    expect(await d.queued()).toBe(0);
  });

  it('resumes from the saved replay id after a restart', async () => {
    const d = sf();
    const first = d.subscribe();
    await first.ready;
    d.f.org.update('Lead', d.seeded.leadIds[3] ?? '', { Title: 'VP' });
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    first.stop();
    // Changed while no subscriber was listening.
    d.f.org.update('Contact', d.seeded.contactIds[0] ?? '', { Title: 'CTO' });
    const missed = d.lastReplayId();
    const second = d.subscribe();
    await second.ready;
    await d.until(async () => (await d.savedReplayId()) === missed);
    expect(await d.queued()).toBe(2);
  });

  it('sweeps by SystemModstamp and resubscribes from the tip when the replay id is past retention', async () => {
    const d = sf();
    d.f.org.update('Lead', d.seeded.leadIds[4] ?? '', { Title: 'Old news' });
    await d.store.setSyncCursor({
      tenantId: d.tenant.id,
      stream: CDC_CURSOR_STREAM,
      cursor: '1',
      updatedAt: d.f.clock.now,
    });
    d.f.clock.now += 73 * 3_600_000;
    // Sessions end after 2 idle hours: connect again, as a refresh would, to test the replay window alone.
    await d.connect();
    d.f.org.update('Lead', d.seeded.leadIds[5] ?? '', { Title: 'Recent' });
    const sub = d.subscribe();
    await sub.ready;
    expect(await d.queued()).toBe(1);
    d.f.org.update('Lead', d.seeded.leadIds[6] ?? '', { Title: 'Live' });
    await d.until(async () => (await d.queued()) === 2);
  });
});

describe('Salesforce consent withdrawn after install', () => {
  beforeEach(async () => {
    const d = sf();
    await d.enqueue('backfill');
    await d.drain();
    d.writeAttempts.splice(0);
  });

  it('a Contact that opts out is cleared by the SystemModstamp sweep too', async () => {
    const d = sf();
    const contactId = d.seeded.contactIds.find((id) => d.f.org.get(id)?.['Leadgate_Score__c'] != null) ?? '';
    expect(contactId).not.toBe('');
    d.f.clock.now += 60_000;
    d.f.org.update('Contact', contactId, { HasOptedOutOfEmail: true, Title: 'Chief Executive Officer' });
    await d.enqueue('incremental');
    await d.drain();
    expect(d.writeAttempts).toEqual([]);
    expect(d.clearAttempts).toEqual([contactId]);
    expect(await d.readFields(contactId)).toEqual(EMPTY);
    const cleared = (await d.store.listScores(d.tenant.id, contactId, 10)).filter(
      (s) => s.writeBackError !== null,
    );
    expect(cleared.map((s) => s.writeBackError)).toEqual([
      expect.stringMatching(/^cleared from the CRM: no lawful basis for profiling/),
    ]);
    expect(await d.store.listDeadLetters(d.tenant.id)).toEqual([]);

    // A full rescore a minute on leaves the Contact, and every other record of this org, alone.
    await d.enqueue('rescore');
    await d.drain();
    expect(d.writeAttempts).toEqual([]);
    expect(d.clearAttempts).toEqual([contactId]);

    d.f.clock.now += 60_000;
    d.f.org.update('Contact', contactId, { HasOptedOutOfEmail: false });
    await d.enqueue('incremental');
    await d.drain();
    expect(d.writeAttempts).toEqual([contactId]);
    expect((await d.readFields(contactId)).score).toEqual(expect.any(Number));
  });
});

describe('Salesforce outcomes after install', () => {
  beforeEach(async () => {
    const d = sf();
    await d.enqueue('backfill');
    await d.drain();
  });

  const FAR = Date.UTC(9999, 0, 1);
  /** ConvertedDate is a date: the conversion's time is midnight UTC of the day it happened. */
  const dayOf = (ms: number): number => Math.floor(ms / DAY) * DAY;

  it('records a Lead converted after the backfill: change event (targeted fetch) and SystemModstamp sweep', async () => {
    const d = sf();
    const [byEvent, bySweep] = d.seeded.leadIds.filter(
      (id) => d.f.org.get(id)?.['Leadgate_Score__c'] != null,
    );
    if (byEvent === undefined || bySweep === undefined) throw new Error('no two scored open Leads');
    for (const id of [byEvent, bySweep])
      expect(await d.store.getOutcomes(d.tenant.id, { personId: id }, FAR)).toEqual([]);

    const sub = d.subscribe();
    await sub.ready;
    d.f.clock.now += 60_000;
    const eventDay = dayOf(d.f.clock.now);
    d.f.org.convertLead(byEvent, { createOpportunity: false });
    await d.until(async () => (await d.savedReplayId()) === d.lastReplayId());
    await sub.idle();
    const payloads = d.changeJobs.map((j) => (j.payload as { recordIds?: string[] }).recordIds ?? []);
    expect(payloads.flat()).toContain(byEvent);
    await d.drain();
    const converted = await d.store.getOutcomes(d.tenant.id, { personId: byEvent }, FAR);
    expect(converted.map((o) => [o.personId, o.type, o.occurredAt])).toEqual([
      [byEvent, 'lead_converted', eventDay],
    ]);
    // Known from the sync on (live), never before the conversion.
    expect(converted[0]?.recordedAt).toBeGreaterThanOrEqual(eventDay);
    sub.stop();

    // No change event this time (nobody listening): the next sweep reads the Lead's new SystemModstamp.
    d.f.clock.now += DAY;
    const sweepDay = dayOf(d.f.clock.now);
    d.f.org.convertLead(bySweep, { createOpportunity: false });
    await d.enqueue('incremental');
    await d.drain();
    const swept = await d.store.getOutcomes(d.tenant.id, { personId: bySweep }, FAR);
    expect(swept.map((o) => [o.type, o.occurredAt])).toEqual([['lead_converted', sweepDay]]);
    expect(swept[0]?.recordedAt).toBeGreaterThanOrEqual(sweepDay);

    // Sweeping again re-reads nothing new and records nothing twice.
    await d.enqueue('incremental');
    await d.drain();
    expect(await d.store.getOutcomes(d.tenant.id, { personId: bySweep }, FAR)).toEqual(swept);
  });
});

describe('Salesforce engagement after install', () => {
  beforeEach(async () => {
    const d = sf();
    await d.enqueue('backfill');
    await d.drain();
  });

  it('reads Tasks and Events logged after the backfill (SystemModstamp sweep), rescoring the Lead higher, each once', async () => {
    const d = sf();
    const FAR = Date.UTC(9999, 0, 1);
    let leadId: string | undefined;
    let before: number | null = null;
    for (const id of d.seeded.leadIds) {
      const s = await d.store.getLatestScore(d.tenant.id, id);
      // Without a model yet (500 Leads) the rules score: a reply in 30 days and a meeting in 90 raise it.
      if (s === undefined || JSON.stringify(s.reasons).includes('meeting')) continue;
      if (before === null || s.score < before) {
        leadId = id;
        before = s.score;
      }
    }
    if (leadId === undefined || before === null) throw new Error('no scored Lead without a meeting');
    const cursorBefore = Number(
      (await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor,
    );
    const eventsBefore = (await d.store.getEventsAsOf(d.tenant.id, leadId, FAR)).length;

    d.f.clock.now += 60_000;
    const t = d.f.clock.now;
    const today = new Date(t).toISOString().slice(0, 10);
    const tasks = d.f.org.insert('Task', [
      { WhoId: leadId, Subject: 'Call', Type: 'Call', Status: 'Completed', ActivityDate: today },
      { WhoId: leadId, Subject: 'Re: pricing', Type: 'Email', Status: 'Completed', ActivityDate: today },
      // A to-do of the rep is not the Lead's engagement: read, not an event.
      { WhoId: leadId, Subject: 'Send brochure', Status: 'Not Started' },
    ]);
    const meetings = d.f.org.insert('Event', [
      {
        WhoId: leadId,
        Subject: 'Demo',
        Type: 'Meeting',
        ActivityDateTime: new Date(t).toISOString(),
        StartDateTime: new Date(t).toISOString(),
        EndDateTime: new Date(t + 45 * 60_000).toISOString(),
        DurationInMinutes: 45,
      },
    ]);
    await d.enqueue('incremental');
    await d.drain();

    const events = await d.store.getEventsAsOf(d.tenant.id, leadId, FAR);
    expect(events.length).toBe(eventsBefore + 3);
    const bySource = new Map(events.map((e) => [e.sourceId, e.type]));
    expect([tasks[0], tasks[1], meetings[0]].map((id) => bySource.get(id ?? ''))).toEqual([
      'call',
      'email_reply',
      'meeting',
    ]);
    expect(bySource.has(tasks[2] ?? '')).toBe(false);
    const after = await d.store.getLatestScore(d.tenant.id, leadId);
    expect(after?.scoredAt).toBeGreaterThanOrEqual(t);
    expect(after?.score).toBeGreaterThan(before);
    expect(JSON.stringify(after?.reasons)).toContain('meeting');
    const cursor = Number((await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor);
    expect(cursor).toBeGreaterThan(cursorBefore);
    expect(cursor).toBeGreaterThanOrEqual(t);

    // The next sweep re-reads the cursor's millisecond: nothing ingested twice, the cursor stays.
    await d.enqueue('incremental');
    await d.drain();
    expect((await d.store.getEventsAsOf(d.tenant.id, leadId, FAR)).length).toBe(eventsBefore + 3);
    expect(Number((await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_EVENTS_STREAM))?.cursor)).toBe(
      cursor,
    );
  });
});
