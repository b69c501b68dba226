import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import { SYSTEM_TENANT } from '../store/index.ts';
import type { TestDb } from '../store/test-support.ts';
import { testDbFactories } from '../store/test-support.ts';
import { appendAudit } from './append.ts';
import { verifyAuditChain } from './verify.ts';

const factories = await testDbFactories();
const T0 = Date.UTC(2026, 0, 1);

describe.each(factories)('audit trail on $kind', (factory) => {
  let db: TestDb;
  let store: Store;

  beforeAll(async () => {
    db = await factory.create();
    store = await db.open();
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
  });

  async function fill(tenantId: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 1; i <= n; i++) {
      const row = await appendAudit(
        store,
        {
          tenantId,
          actor: 'apikey:k1',
          action: 'policy.update',
          subject: `policy:${i}`,
          details: { n: i, nested: { b: 1, a: [i] } },
        },
        T0 + i,
      );
      ids.push(row.id);
    }
    return ids;
  }

  it('verifies an intact chain and counts its entries', async () => {
    await fill('t-ok', 5);
    expect(await verifyAuditChain(store, 't-ok')).toEqual({ ok: true, count: 5 });
  });

  it('verifies an empty chain', async () => {
    expect(await verifyAuditChain(store, 't-none')).toEqual({ ok: true, count: 0 });
  });

  it('puts tenant-less entries on the system chain', async () => {
    const row = await appendAudit(
      store,
      { actor: 'system', action: 'install.start', subject: 'hubspot:123' },
      T0,
    );
    expect(row.tenantId).toBe(SYSTEM_TENANT);
    expect(await verifyAuditChain(store, SYSTEM_TENANT)).toEqual({ ok: true, count: 1 });
  });

  it('names the edited row when details were changed with raw SQL', async () => {
    const ids = await fill('t-edit', 5);
    const raw = db.raw();
    await raw.query(`update audit_log set details = ? where tenant_id = ? and seq = ?`, [
      '{"n":999}',
      't-edit',
      3,
    ]);
    await raw.close();
    const result = await verifyAuditChain(store, 't-edit');
    expect(result).toMatchObject({ ok: false, firstBrokenId: ids[2], seq: 3 });
    expect(result.ok ? '' : result.reason).toMatch(/edited/);
  });

  it('names the link after a deleted row', async () => {
    const ids = await fill('t-del', 5);
    const raw = db.raw();
    await raw.query(`delete from audit_log where tenant_id = ? and seq = ?`, ['t-del', 2]);
    await raw.close();
    expect(await verifyAuditChain(store, 't-del')).toMatchObject({
      ok: false,
      firstBrokenId: ids[2],
      seq: 3,
    });
  });

  it('notices entries removed from the end of a chain', async () => {
    await fill('t-tail', 4);
    const raw = db.raw();
    await raw.query(`delete from audit_log where tenant_id = ? and seq = ?`, ['t-tail', 4]);
    await raw.close();
    expect(await verifyAuditChain(store, 't-tail')).toMatchObject({ ok: false, firstBrokenId: null, seq: 4 });
  });

  it('reports the broken chain when verifying every chain', async () => {
    const result = await verifyAuditChain(store);
    expect(result.ok).toBe(false);
  });

  it('never forks a chain under concurrent appends from two store instances', async () => {
    const other = await db.open();
    try {
      const append = (s: Store, i: number) =>
        appendAudit(s, { tenantId: 't-conc', actor: 'a', action: 'x', subject: `s${i}` }, T0 + i);
      await Promise.all(Array.from({ length: 40 }, (_, i) => append(i % 2 === 0 ? store : other, i)));
      expect(await verifyAuditChain(store, 't-conc')).toEqual({ ok: true, count: 40 });
    } finally {
      await other.close();
    }
  });

  it('refuses an empty actor', async () => {
    await expect(appendAudit(store, { actor: '', action: 'x', subject: 'y' }, T0)).rejects.toThrow(/actor/);
  });
});
