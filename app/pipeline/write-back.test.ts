import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectorError,
  type ConnectorErrorCode,
  type ScoreWrite,
  type WriteResult,
} from '../../connectors/index.ts';
import type { NewScore, Store } from '../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../kit/store/test-support.ts';
import { decideWriteRetry, WRITE_CONCURRENCY, writeBackPending, type WriteBackDeps } from './write-back.ts';

const T = Date.UTC(2025, 5, 1);
let db: TestDb;
let store: Store;
let tenantId: string;

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  tenantId = (await store.createTenant({ crm: 'hubspot', externalId: '1', name: 'p' }, T)).id;
});
afterEach(async () => {
  await store.close();
  await db.destroy();
});

function score(personId: string, at = T, value = 50): NewScore {
  return {
    tenantId,
    personId,
    objectType: 'contact',
    modelVersion: null,
    policyVersion: null,
    inputsHash: 'h',
    probability: value / 100,
    score: value,
    fitScore: null,
    engagementScore: null,
    tier: 'C',
    route: 'nurture',
    confidence: 'low',
    reasons: [{ direction: 'positive', text: 'Visited the pricing page 2 times in the last 7 days' }],
    decision: { modelVersion: 'rules:b2b-default-1' },
    writeBack: 'pending',
    scoredAt: at,
  };
}

/** A connector whose per-item answers come from a script: crmId → codes for successive attempts. */
function fake(script: Record<string, ConnectorErrorCode[]> = {}, callFailures: ConnectorErrorCode[] = []) {
  const calls: ScoreWrite[][] = [];
  const seen = new Map<string, number>();
  const connector: WriteBackDeps['connector'] = {
    crm: 'hubspot',
    writeScores: (writes) => {
      calls.push([...writes]);
      const whole = callFailures.shift();
      if (whole !== undefined) return Promise.reject(new ConnectorError(whole, `call failed: ${whole}`));
      return Promise.resolve(
        writes.map((w): WriteResult => {
          const n = seen.get(w.crmId) ?? 0;
          seen.set(w.crmId, n + 1);
          const code = script[w.crmId]?.[n];
          return code === undefined
            ? { crmId: w.crmId, ok: true }
            : { crmId: w.crmId, ok: false, error: new ConnectorError(code, `item failed: ${code}`) };
        }),
      );
    },
  };
  return { connector, calls };
}

function deps(connector: WriteBackDeps['connector'], extra: Partial<WriteBackDeps> = {}): WriteBackDeps {
  return {
    store,
    tenantId,
    connector,
    clock: () => T + 1,
    sleep: () => Promise.resolve(),
    batchSize: 100,
    ...extra,
  };
}

async function states(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const state of ['pending', 'written', 'failed', 'skipped'] as const)
    for (const s of await store.listScoresByWriteBack(tenantId, state, 1_000)) out[s.personId] = state;
  return out;
}

describe('decideWriteRetry', () => {
  it.each([
    ['rate_limited', 'retry'],
    ['unavailable', 'retry'],
    ['locked', 'retry'],
    ['unauthorized', 'stop'],
    ['quota_exhausted', 'stop'],
    ['forbidden', 'dead'],
    ['not_found', 'dead'],
    ['invalid_request', 'dead'],
    ['conflict', 'dead'],
    ['unknown', 'dead'],
  ] as const)('%s → %s', (code, decision) => {
    expect(decideWriteRetry(code)).toBe(decision);
  });
});

describe('writeBackPending', () => {
  it('writes 250 pending scores in 3 calls of at most 100 and marks them written', async () => {
    for (let i = 0; i < 250; i++) await store.insertScore(score(`p${i}`));
    const { connector, calls } = fake();
    const summary = await writeBackPending(deps(connector));
    expect(summary).toMatchObject({ written: 250, deadLettered: 0, calls: 3 });
    expect(calls.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(calls[0]?.[0]?.fields).toMatchObject({
      score: 50,
      tier: 'C',
      reasons: '+ Visited the pricing page 2 times in the last 7 days',
      modelVersion: 'rules:b2b-default-1',
    });
    expect(Object.values(await states()).every((s) => s === 'written')).toBe(true);
  });

  it('uses 100 calls for 10,000 changed contacts (the HubSpot minimum)', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 10_000; i++) await tx.insertScore(score(`p${i}`));
    });
    const { connector, calls } = fake();
    expect(await writeBackPending(deps(connector))).toMatchObject({ written: 10_000, calls: 100 });
    expect(calls.every((c) => c.length === 100)).toBe(true);
  });

  it('makes no call when nothing is pending', async () => {
    const { connector, calls } = fake();
    expect(await writeBackPending(deps(connector))).toMatchObject({ written: 0, calls: 0 });
    expect(calls).toHaveLength(0);
  });

  it('retries a failed item without the ones that succeeded', async () => {
    for (const id of ['a', 'b', 'c']) await store.insertScore(score(id));
    const { connector, calls } = fake({ b: ['unavailable', 'rate_limited'] });
    const summary = await writeBackPending(deps(connector));
    expect(calls.map((c) => c.map((w) => w.crmId).sort())).toEqual([['a', 'b', 'c'], ['b'], ['b']]);
    expect(summary).toMatchObject({ written: 3, deadLettered: 0 });
  });

  it('dead-letters a record that keeps failing, with the reason, and writes the rest', async () => {
    for (const id of ['a', 'b', 'c']) await store.insertScore(score(id));
    const { connector } = fake({ b: Array<ConnectorErrorCode>(5).fill('locked'), c: ['not_found'] });
    const summary = await writeBackPending(deps(connector, { maxAttempts: 5 }));
    expect(summary).toMatchObject({ written: 1, deadLettered: 2 });
    const failed = await store.listScoresByWriteBack(tenantId, 'failed', 10);
    expect(failed.map((f) => [f.personId, f.writeBackError]).sort()).toEqual([
      ['b', 'gave up after 5 attempts: locked: item failed: locked'],
      ['c', 'not_found: item failed: not_found'],
    ]);
  });

  it('stores the reason of a dead-lettered record with no email address, token or name in it (issue 14 item 11)', async () => {
    await store.insertScore(score('p1'));
    const connector: WriteBackDeps['connector'] = {
      crm: 'hubspot',
      writeScores: (writes) =>
        Promise.resolve(
          writes.map((w): WriteResult => ({
            crmId: w.crmId,
            ok: false,
            error: new ConnectorError(
              'invalid_request',
              'Property values were not valid: {"email":"jane.doe@example.com","firstname":"Jane"} Bearer CKPx9aXKMhIHAAEA.Qx-1',
            ),
          })),
        ),
    };
    expect(await writeBackPending(deps(connector))).toMatchObject({ deadLettered: 1 });
    const [failed] = await store.listScoresByWriteBack(tenantId, 'failed', 10);
    expect(failed?.writeBackError).toMatch(/^invalid_request: Property values were not valid/);
    for (const secret of ['jane.doe', 'example.com', '"Jane"', 'CKPx9aXK'])
      expect(failed?.writeBackError).not.toContain(secret);
  });

  it('retries a whole call that fails transiently, and leaves everything pending when it keeps failing', async () => {
    await store.insertScore(score('a'));
    const flaky = fake({}, ['unavailable', 'rate_limited']);
    expect(await writeBackPending(deps(flaky.connector))).toMatchObject({ written: 1, calls: 3 });

    await store.insertScore(score('b'));
    const down = fake({}, Array<ConnectorErrorCode>(5).fill('unavailable'));
    await expect(writeBackPending(deps(down.connector, { maxAttempts: 5 }))).rejects.toThrow(ConnectorError);
    expect((await states()).b).toBe('pending');
  });

  it('stops on a revoked token, keeping the unwritten scores pending', async () => {
    for (const id of ['a', 'b']) await store.insertScore(score(id));
    const { connector } = fake({ b: ['unauthorized'] });
    await expect(writeBackPending(deps(connector))).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await states()).toEqual({ a: 'written', b: 'pending' });
  });

  it('writes only the newest pending score of a person and marks the older superseded', async () => {
    await store.insertScore(score('a', T, 40));
    await store.insertScore(score('a', T + 1, 70));
    const { connector, calls } = fake();
    expect(await writeBackPending(deps(connector))).toMatchObject({ written: 1, superseded: 1 });
    expect(calls[0]?.map((w) => w.fields.score)).toEqual([70]);
  });

  it('keeps up to WRITE_CONCURRENCY batches in flight (HubSpot 4, Salesforce 1) and writes every score once', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1_000; i++) await tx.insertScore(score(`p${i}`));
    });
    for (const crm of ['hubspot', 'salesforce'] as const) {
      let inFlight = 0;
      let most = 0;
      const sent: string[] = [];
      const connector: WriteBackDeps['connector'] = {
        crm,
        writeScores: async (writes) => {
          inFlight++;
          most = Math.max(most, inFlight);
          sent.push(...writes.map((w) => w.crmId));
          await new Promise((resolve) => setTimeout(resolve, 2));
          inFlight--;
          return writes.map((w): WriteResult => ({ crmId: w.crmId, ok: true }));
        },
      };
      const summary = await writeBackPending(deps(connector));
      expect(summary).toMatchObject({ written: 1_000, calls: 10 });
      expect(most).toBe(WRITE_CONCURRENCY[crm]);
      expect(new Set(sent).size).toBe(1_000);
      expect(sent).toHaveLength(1_000);
      expect(Object.values(await states()).every((st) => st === 'written')).toBe(true);
      // Pending again for the second CRM's run.
      for (const st of await store.listScoresByWriteBack(tenantId, 'written', 1_000))
        await store.setWriteBackState(tenantId, st.id, 'pending', T + 2);
    }
  });

  it('on a stop code, lets the batches in flight finish and keep their results, starts no more, leaves the rest pending', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 1_000; i++) await tx.insertScore(score(`p${String(i).padStart(4, '0')}`));
    });
    let call = 0;
    const connector: WriteBackDeps['connector'] = {
      crm: 'hubspot',
      writeScores: async (writes) => {
        const n = call++;
        // The second call is refused at once; the first, third and fourth answer later, successfully.
        if (n === 1) throw new ConnectorError('unauthorized', 'token revoked');
        await new Promise((resolve) => setTimeout(resolve, 5));
        return writes.map((w): WriteResult => ({ crmId: w.crmId, ok: true }));
      },
    };
    await expect(writeBackPending(deps(connector, { concurrency: 4 }))).rejects.toMatchObject({
      code: 'unauthorized',
    });
    expect(call).toBe(4);
    const byState = Object.values(await states());
    expect(byState.filter((st) => st === 'written')).toHaveLength(300);
    expect(byState.filter((st) => st === 'pending')).toHaveLength(700);
  });

  it('refuses a connector that answers for the wrong records', async () => {
    await store.insertScore(score('a'));
    const connector: WriteBackDeps['connector'] = {
      crm: 'hubspot',
      writeScores: () => Promise.resolve([{ crmId: 'zzz', ok: true }]),
    };
    await expect(writeBackPending(deps(connector))).rejects.toThrow(/result 0 is for zzz/);
    expect((await states()).a).toBe('pending');
  });
});
