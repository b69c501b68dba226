import type { Ctx } from './context.ts';
import { canonicalJson, parseJson } from './json.ts';
import type { AuditLogTable } from './schema.ts';
import type { AuditHead, AuditRow } from './types.ts';
import { StoreError } from './types.ts';
import { requireId, requirePositiveInt, requireText, requireTime } from './validate.ts';

function toRow(r: AuditLogTable): AuditRow {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    seq: r.seq,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: parseJson(r.details, 'audit details'),
    at: r.at,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * Must run inside a transaction. The chain head row is locked for the rest of the transaction
 * (PG: SELECT … FOR UPDATE after making sure it exists; SQLite: BEGIN IMMEDIATE already holds the
 * database write lock), so two concurrent appends see different heads and never fork the chain.
 */
export async function appendAuditRow(
  ctx: Ctx,
  tenantId: string,
  build: (head: AuditHead | undefined) => AuditRow | Promise<AuditRow>,
): Promise<AuditRow> {
  requireId('tenantId', tenantId);
  if (!ctx.inTx) throw new Error('appendAuditRow must run inside a transaction');
  // seq 0 marks an empty chain; the row exists so that there is always something to lock.
  await ctx.db
    .insertInto('audit_heads')
    .values({ tenant_id: tenantId, seq: 0, hash: '' })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  let q = ctx.db.selectFrom('audit_heads').select(['seq', 'hash']).where('tenant_id', '=', tenantId);
  if (ctx.kind === 'postgres') q = q.forUpdate();
  const locked = await q.executeTakeFirstOrThrow();
  const head = locked.seq === 0 ? undefined : { seq: locked.seq, hash: locked.hash };

  const row = await build(head);
  const expectedSeq = (head?.seq ?? 0) + 1;
  if (
    row.tenantId !== tenantId ||
    row.seq !== expectedSeq ||
    (head !== undefined && row.prevHash !== head.hash)
  ) {
    throw new StoreError(
      'conflict',
      `audit row must extend ${tenantId}'s chain at seq ${expectedSeq} from its head hash (got seq ${row.seq})`,
    );
  }
  const stored: AuditLogTable = {
    tenant_id: tenantId,
    seq: row.seq,
    id: requireId('audit.id', row.id),
    actor: requireText('audit.actor', row.actor),
    action: requireText('audit.action', row.action),
    subject: requireText('audit.subject', row.subject),
    details: canonicalJson(row.details),
    at: requireTime('audit.at', row.at),
    prev_hash: requireText('audit.prevHash', row.prevHash),
    hash: requireId('audit.hash', row.hash),
  };
  await ctx.db.insertInto('audit_log').values(stored).execute();
  await ctx.db
    .updateTable('audit_heads')
    .set({ seq: stored.seq, hash: stored.hash })
    .where('tenant_id', '=', tenantId)
    .execute();
  return toRow(stored);
}

export async function listAuditRows(
  ctx: Ctx,
  tenantId: string,
  afterSeq: number,
  limit: number,
): Promise<AuditRow[]> {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
    throw new StoreError('invalid_input', 'afterSeq must be a non-negative integer');
  }
  const rows = await ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(requirePositiveInt('limit', limit))
    .execute();
  return rows.map(toRow);
}

export async function getAuditHead(ctx: Ctx, tenantId: string): Promise<AuditHead | undefined> {
  const r = await ctx.db
    .selectFrom('audit_heads')
    .select(['seq', 'hash'])
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .executeTakeFirst();
  return r === undefined || r.seq === 0 ? undefined : { seq: r.seq, hash: r.hash };
}

export async function listAuditChains(ctx: Ctx): Promise<string[]> {
  const rows = await ctx.db.selectFrom('audit_heads').select('tenant_id').orderBy('tenant_id').execute();
  return rows.map((r) => r.tenant_id);
}
