import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../kit/audit/index.ts';
import { INCREMENTAL_SKEW_MARGIN_MS, INCREMENTAL_STREAM } from './jobs/index.ts';
import { tenantStatus } from './status.ts';
import { recordIdsOf, since, useDriver, type CrmDriver, type HeldFields } from './testdata/crm-driver.ts';
import { startHubSpotDriver } from './testdata/hubspot-driver.ts';
import { startSalesforceDriver } from './testdata/salesforce-driver.ts';
import { WRITE_BATCH_SIZE } from './write-back.ts';

/**
 * The end-to-end scenarios that mean the same in every CRM, one body over each emulator: a seeded
 * HubSpot portal (1,000 generated contacts) and a seeded Salesforce org (500 Leads, 100 Contacts),
 * the real connector, the app's own change route (HubSpot webhooks, Salesforce change events) and the
 * job handlers on a real queue (testdata/*-driver.ts). What only one CRM has stays in its own file:
 * hubspot-e2e.int.test.ts, salesforce-e2e.int.test.ts.
 */

const DRIVERS: [string, () => Promise<CrmDriver>][] = [
  ['HubSpot', () => startHubSpotDriver({ contacts: 1_000 })],
  ['Salesforce', () => startSalesforceDriver()],
];

const EMPTY: HeldFields = { score: null, tier: null, route: null, reasons: null, scoredAt: null };

const sorted = (ids: readonly string[]): string[] => [...ids].sort();

async function backfill(d: CrmDriver): Promise<void> {
  await d.enqueue('backfill');
  await d.drain();
}

const queued = async (d: CrmDriver): Promise<number> => (await d.store.countJobs(d.tenant.id)).queued;

/** The audit rows that name this person: its score decisions and clears, oldest first. */
async function consentAudit(d: CrmDriver, personId: string): Promise<string[]> {
  const rows = await d.store.listAuditRows(d.tenant.id, 0, 10_000);
  return rows
    .filter(
      (a) =>
        (a.action === 'score.decide' || a.action === 'score.clear') &&
        JSON.stringify(a.details).includes(personId),
    )
    .map((a) => `${a.action} ${JSON.stringify(a.details)}`);
}

describe.each(DRIVERS)('%s end to end', (_name, start) => {
  const crm = useDriver(start);

  it('backfills, scores and writes every scorable person in the fewest batch calls, and starts incremental sync where the backfill began', async () => {
    const d = crm();
    const writes = since(() => d.writeRequests());
    const startedAt = d.now();
    await backfill(d);

    const scorable = d.scorablePeople();
    expect(scorable.length).toBeGreaterThan(400);
    // Score and tier on exactly the scorable: none missed, none written to an opted-out or closed record.
    const written = d.people().filter((id) => {
      const held = d.heldFields(id);
      return held.score !== null && held.tier !== null;
    });
    expect(sorted(written)).toEqual(sorted(scorable));
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'pending', 10)).toEqual([]);
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'failed', 10)).toEqual([]);
    // The largest batch the CRM takes: HubSpot's batch update 100 inputs, Salesforce's Collections 200.
    expect(writes()).toBe(Math.ceil(scorable.length / WRITE_BATCH_SIZE[d.crm]));

    expect(await tenantStatus(d.store, d.tenant)).toMatchObject({
      phase: 'live',
      synced: d.people().length,
      scored: scorable.length,
      written: scorable.length,
      deadLetters: 0,
    });
    expect((await verifyAuditChain(d.store, d.tenant.id)).ok).toBe(true);
    // Incremental sync starts where the backfill began (less the skew margin), not at the beginning of time.
    const cursor = await d.store.getSyncCursor(d.tenant.id, INCREMENTAL_STREAM);
    expect(Number(cursor?.cursor)).toBe(startedAt - INCREMENTAL_SKEW_MARGIN_MS);
  });

  it('ends with every score written and none lost with faults on', async () => {
    const d = crm();
    const faults = d.injectFaults();
    // Counted behind the faults: the write calls that got through to the CRM.
    const writes = since(() => d.writeRequests());
    await backfill(d);

    // The faults really fired, every rule of them, and the write-back retried past them.
    expect(faults.fired().length).toBeGreaterThan(0);
    expect(faults.fired().every((n) => n > 0)).toBe(true);
    expect(writes()).toBeGreaterThan(Math.ceil(d.people().length / WRITE_BATCH_SIZE[d.crm]));

    // Every scorable person carries a score, except those a rule refuses for good; nobody else does.
    const scorable = d.scorablePeople();
    const hasScore = (id: string): boolean => {
      const held = d.heldFields(id);
      return held.score !== null && held.tier !== null;
    };
    expect(sorted(scorable.filter((id) => !hasScore(id)))).toEqual(sorted(faults.rejected));
    expect(sorted(d.people().filter(hasScore))).toEqual(
      sorted(scorable.filter((id) => !faults.rejected.includes(id))),
    );
    // None lost: nothing still pending; the dead letters are exactly the refused, with why.
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'pending', 10)).toEqual([]);
    const failed = await d.store.listScoresByWriteBack(d.tenant.id, 'failed', 100);
    expect(sorted(failed.map((s) => s.personId))).toEqual(sorted(faults.rejected));
    for (const s of failed) expect(s.writeBackError).toMatch(faults.rejectedBecause);
    // Each stored score that was written is what the CRM holds.
    const written = await d.store.listScoresByWriteBack(d.tenant.id, 'written', 10_000);
    expect(written.length).toBe(scorable.length - faults.rejected.length);
    for (const s of written.slice(0, 50)) expect(d.heldFields(s.personId).score).toBe(Math.round(s.score));
    expect((await tenantStatus(d.store, d.tenant)).phase).toBe('live');
  });

  it('makes no write call on a rescore where nothing changed', async () => {
    const d = crm();
    await backfill(d);
    const calls = since(() => d.writeCalls());
    const requests = since(() => d.writeRequests());
    await d.enqueue('rescore');
    await d.drain();
    expect(calls()).toBe(0);
    expect(requests()).toBe(0);
  });

  it('rescores and writes a person someone changed in the CRM, told by the CRM (webhook, change event)', async () => {
    const d = crm();
    await backfill(d);
    await d.listenForChanges();
    const id = d.people().find((p) => d.heldFields(p).score !== null);
    if (id === undefined) throw new Error('no written person');
    const before = d.heldFields(id);
    d.writeAttempts.splice(0);
    const reads = since(() => d.peopleReads());

    const changedAt = await d.changePerson(id, { title: 'Chief Executive Officer' });
    await d.deliverChanges();
    expect(await queued(d), 'the notification queued an incremental sync').toBe(1);
    await d.drain();

    // The job read the one person it was told of, by id: no changed-since sweep.
    expect(d.changeJobs.map(recordIdsOf)).toEqual([[id]]);
    expect(reads()).toBe(d.readsPerChange);
    expect(d.writeAttempts).toEqual([id]);
    const after = d.heldFields(id);
    expect(after.scoredAt).not.toBe(before.scoredAt);
    expect(after.scoredAt).toBeGreaterThanOrEqual(changedAt);
    const latest = await d.store.getLatestScore(d.tenant.id, id);
    expect(latest?.writeBack).toBe('written');
    expect(latest?.scoredAt).toBe(after.scoredAt);
  });

  it('clears the fields of a person who withdraws consent, does not rescore them, and scores them again on opting back in', async () => {
    const d = crm();
    await backfill(d);
    await d.listenForChanges();
    const [optOut, neighbour] = d.people().filter((p) => d.heldFields(p).score !== null);
    if (optOut === undefined || neighbour === undefined) throw new Error('no two written people');
    expect((await d.readFields(optOut)).score).toEqual(expect.any(Number));
    d.writeAttempts.splice(0);
    const reads = since(() => d.peopleReads());

    // Unsubscribed, and a field that moves the score changed too: without the consent gate, a rescore
    // and a write.
    await d.changePerson(optOut, { optedOut: true, title: 'Chief Executive Officer' });
    await d.deliverChanges();
    expect(await queued(d), 'the notification queued an incremental sync').toBe(1);
    await d.drain();
    expect(d.changeJobs.map(recordIdsOf)).toEqual([[optOut]]);
    // The targeted read carried the consent: no sweep, no separate consent read.
    expect(reads()).toBe(d.readsPerChange);

    // Not rescored, not written; leadgate's fields emptied in the CRM; the neighbour untouched.
    expect(d.writeAttempts).toEqual([]);
    expect(d.clearAttempts).toEqual([optOut]);
    expect(await d.readFields(optOut)).toEqual(EMPTY);
    expect((await d.readFields(neighbour)).score).toEqual(expect.any(Number));
    expect(await d.store.getConsentAsOf(d.tenant.id, optOut, d.now())).toMatchObject({
      optedOut: true,
      lawfulBasis: 'none',
    });
    expect(await d.store.listScoresByWriteBack(d.tenant.id, 'pending', 10)).toEqual([]);
    const scores = await d.store.listScores(d.tenant.id, optOut, 10);
    expect(scores.filter((s) => s.writeBack === 'written')).toEqual([]);
    // The audit says why: the score decision (no lawful basis), then the clear.
    const audit = await consentAudit(d, optOut);
    expect(audit.at(-2)).toMatch(
      /^score.decide .*no lawful basis for profiling; written score \S+ to be cleared in the CRM/,
    );
    expect(audit.at(-1)).toMatch(/^score.clear .*"cleared"/);
    const clears = (await d.store.listAuditRows(d.tenant.id, 0, 10_000)).filter(
      (a) => a.action === 'score.clear',
    );
    expect(clears).toHaveLength(1);
    expect(clears[0]?.details).toMatchObject({
      reason: 'no lawful basis for profiling',
      clears: [[optOut, 'cleared', expect.any(String)]],
    });
    expect((await verifyAuditChain(d.store, d.tenant.id)).ok).toBe(true);

    // A rescore of everyone later still leaves the person alone: it writes exactly the people whose
    // written fields it moved (HubSpot's "last engaged 2.7 days ago" moves with the clock), never the
    // withdrawn. Our own clear reaches us as a change of our own app or client: ignored, nothing queued.
    const heldBefore = new Map(d.people().map((p) => [p, d.heldFields(p)]));
    await d.enqueue('rescore');
    await d.drain();
    const moved = d.people().filter((p) => {
      const [was, is] = [heldBefore.get(p), d.heldFields(p)];
      return (['score', 'tier', 'route', 'reasons'] as const).some((k) => was?.[k] !== is[k]);
    });
    expect(sorted(d.writeAttempts)).toEqual(sorted(moved));
    expect(d.writeAttempts).not.toContain(optOut);
    expect(await d.readFields(optOut)).toEqual(EMPTY);
    expect(d.clearAttempts).toEqual([optOut]);
    expect(d.changeJobs).toHaveLength(1);

    // Opted back in (resubscribed): the next sync scores and writes the person again.
    d.writeAttempts.splice(0);
    await d.changePerson(optOut, { optedOut: false });
    await d.deliverChanges();
    expect(await queued(d), 'the notification queued an incremental sync').toBe(1);
    await d.drain();
    expect(d.writeAttempts).toEqual([optOut]);
    expect((await d.readFields(optOut)).score).toEqual(expect.any(Number));
    expect(await d.store.getConsentAsOf(d.tenant.id, optOut, d.now())).toMatchObject({ optedOut: false });
    expect((await d.store.getLatestScore(d.tenant.id, optOut))?.writeBack).toBe('written');
  });
});
