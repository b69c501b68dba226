import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { count, lockKey } from './context.ts';
import { canonicalJson, parseJson } from './json.ts';
import type { DeadLettersTable, JobsTable } from './schema.ts';
import type {
  ClaimedJob,
  ClaimOptions,
  DeadLetter,
  JobCounts,
  JobLease,
  JobRecord,
  JobState,
  JsonValue,
  NewJob,
} from './types.ts';
import { LeaseLostError, StoreError } from './types.ts';
import { requireId, requirePositiveInt, requireText, requireTime, storedOneOf } from './validate.ts';

const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'dead'];
const DEFAULT_MAX_ATTEMPTS = 5;
// A claim skips a tenant that is at its concurrency limit and looks again; bounded so a claim
// over many saturated tenants returns "nothing" instead of looping.
const MAX_CLAIM_PROBES = 20;

function toJob(r: JobsTable): JobRecord {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    type: r.type,
    payload: parseJson(r.payload, 'job payload'),
    idempotencyKey: r.idempotency_key,
    state: storedOneOf('jobs.state', r.state, JOB_STATES),
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    checkpoint: r.checkpoint === null ? null : parseJson(r.checkpoint, 'job checkpoint'),
    lastError: r.last_error,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDeadLetter(r: DeadLettersTable): DeadLetter {
  return {
    tenantId: r.tenant_id,
    id: r.id,
    jobId: r.job_id,
    jobType: r.job_type,
    payload: parseJson(r.payload, 'dead letter payload'),
    reason: r.reason,
    attempts: r.attempts,
    createdAt: r.created_at,
    replayedAt: r.replayed_at,
  };
}

export async function getJob(ctx: Ctx, tenantId: string, id: string): Promise<JobRecord | undefined> {
  const r = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .where('id', '=', requireId('jobId', id))
    .executeTakeFirst();
  return r && toJob(r);
}

export async function enqueueJob(
  ctx: Ctx,
  job: NewJob,
  now: number,
): Promise<{ job: JobRecord; created: boolean }> {
  requireTime('now', now);
  const row: JobsTable = {
    tenant_id: requireId('job.tenantId', job.tenantId),
    id: randomUUID(),
    type: requireId('job.type', job.type),
    payload: canonicalJson(job.payload),
    idempotency_key:
      job.idempotencyKey === undefined ? null : requireId('job.idempotencyKey', job.idempotencyKey),
    state: 'queued',
    attempts: 0,
    max_attempts: requirePositiveInt('job.maxAttempts', job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    run_at: job.runAt === undefined ? now : requireTime('job.runAt', job.runAt),
    checkpoint: null,
    last_error: null,
    lease_owner: null,
    lease_expires_at: null,
    created_at: now,
    updated_at: now,
  };
  // ON CONFLICT DO NOTHING (not catch-and-reselect): in PG a failed INSERT would abort an enclosing transaction.
  const res = await ctx.db
    .insertInto('jobs')
    .values(row)
    .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
    .executeTakeFirst();
  if (count(res.numInsertedOrUpdatedRows) === 1) return { job: toJob(row), created: true };
  const existing = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .where('tenant_id', '=', row.tenant_id)
    .where('idempotency_key', '=', row.idempotency_key)
    .executeTakeFirstOrThrow();
  return { job: toJob(existing), created: false };
}

async function runningCount(ctx: Ctx, tenantId: string, now: number): Promise<number> {
  const r = await ctx.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'running')
    .where('lease_expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return r.n;
}

async function findCandidate(
  ctx: Ctx,
  options: ClaimOptions,
  excludedTenants: readonly string[],
): Promise<JobsTable | undefined> {
  const { now, maxRunningPerTenant } = options;
  let q = ctx.db
    .selectFrom('jobs as j')
    .selectAll('j')
    .where((eb) =>
      eb.or([
        eb.and([eb('j.state', '=', 'queued'), eb('j.run_at', '<=', now)]),
        // A running job whose lease ran out lost its worker (crash, SIGKILL, partition): take it over.
        eb.and([eb('j.state', '=', 'running'), eb('j.lease_expires_at', '<=', now)]),
      ]),
    )
    .where(
      (eb) =>
        eb
          .selectFrom('jobs as r')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('r.tenant_id', '=', 'j.tenant_id')
          .where('r.state', '=', 'running')
          .where('r.lease_expires_at', '>', now),
      '<',
      maxRunningPerTenant,
    );
  if (options.types !== undefined) {
    if (options.types.length === 0) return undefined;
    q = q.where('j.type', 'in', [...options.types]);
  }
  if (excludedTenants.length > 0) q = q.where('j.tenant_id', 'not in', [...excludedTenants]);
  q = q.orderBy('j.run_at').orderBy('j.created_at').orderBy('j.id').limit(1);
  // PG: rows another worker is claiming right now are skipped, not waited for. SQLite needs nothing:
  // the claim runs in a BEGIN IMMEDIATE transaction, so claimers are serialised by the write lock.
  return ctx.kind === 'postgres' ? q.forUpdate().skipLocked().executeTakeFirst() : q.executeTakeFirst();
}

/** Must run inside a transaction. */
export async function claimJob(
  ctx: Ctx,
  workerId: string,
  options: ClaimOptions,
): Promise<ClaimedJob | undefined> {
  requireId('workerId', workerId);
  const now = requireTime('now', options.now);
  const leaseMs = requirePositiveInt('leaseMs', options.leaseMs);
  requirePositiveInt('maxRunningPerTenant', options.maxRunningPerTenant);
  options.types?.forEach((t, i) => requireId(`types[${i}]`, t));

  const excluded: string[] = [];
  for (let probe = 0; probe < MAX_CLAIM_PROBES; probe++) {
    const c = await findCandidate(ctx, options, excluded);
    if (c === undefined) return undefined;

    if (ctx.kind === 'postgres') {
      // The count in findCandidate ran on a snapshot: two workers could each see N-1 running jobs of a
      // tenant and both claim. Claims of one tenant therefore serialise on a lock and recount.
      await lockKey(ctx, `jobs-tenant:${c.tenant_id}`);
      const running = await runningCount(ctx, c.tenant_id, now);
      if (running >= options.maxRunningPerTenant) {
        excluded.push(c.tenant_id);
        continue;
      }
    }

    if (c.state === 'running' && c.attempts >= c.max_attempts) {
      // The job keeps losing its worker (a poison job that crashes the process): stop retrying it.
      await moveToDeadLetter(
        ctx,
        c,
        `lease expired on attempt ${c.attempts} of ${c.max_attempts} (worker lost)`,
        now,
      );
      continue;
    }

    const attempt = c.attempts + 1;
    const claimed: JobsTable = {
      ...c,
      state: 'running',
      attempts: attempt,
      lease_owner: workerId,
      lease_expires_at: now + leaseMs,
      updated_at: now,
    };
    await ctx.db
      .updateTable('jobs')
      .set({
        state: claimed.state,
        attempts: claimed.attempts,
        lease_owner: claimed.lease_owner,
        lease_expires_at: claimed.lease_expires_at,
        updated_at: now,
      })
      .where('tenant_id', '=', c.tenant_id)
      .where('id', '=', c.id)
      .execute();
    return { job: toJob(claimed), lease: { tenantId: c.tenant_id, jobId: c.id, workerId, attempt } };
  }
  return undefined;
}

/** Updates a running job only while the lease is still ours; otherwise LeaseLostError. */
async function fencedUpdate(ctx: Ctx, lease: JobLease, set: Partial<JobsTable>): Promise<void> {
  const res = await ctx.db
    .updateTable('jobs')
    .set(set)
    .where('tenant_id', '=', requireId('lease.tenantId', lease.tenantId))
    .where('id', '=', requireId('lease.jobId', lease.jobId))
    .where('state', '=', 'running')
    .where('lease_owner', '=', requireId('lease.workerId', lease.workerId))
    .where('attempts', '=', requirePositiveInt('lease.attempt', lease.attempt))
    .executeTakeFirst();
  if (count(res.numUpdatedRows) !== 1) throw new LeaseLostError(lease);
}

export async function heartbeatJob(ctx: Ctx, lease: JobLease, now: number, leaseMs: number): Promise<void> {
  const at = requireTime('now', now);
  await fencedUpdate(ctx, lease, {
    lease_expires_at: at + requirePositiveInt('leaseMs', leaseMs),
    updated_at: at,
  });
}

export async function saveJobCheckpoint(
  ctx: Ctx,
  lease: JobLease,
  checkpoint: JsonValue,
  now: number,
): Promise<void> {
  await fencedUpdate(ctx, lease, {
    checkpoint: canonicalJson(checkpoint),
    updated_at: requireTime('now', now),
  });
}

export async function completeJob(ctx: Ctx, lease: JobLease, now: number): Promise<void> {
  await fencedUpdate(ctx, lease, {
    state: 'done',
    lease_owner: null,
    lease_expires_at: null,
    last_error: null,
    updated_at: requireTime('now', now),
  });
}

export async function retryJob(
  ctx: Ctx,
  lease: JobLease,
  error: string,
  runAt: number,
  now: number,
): Promise<void> {
  await fencedUpdate(ctx, lease, {
    state: 'queued',
    run_at: requireTime('runAt', runAt),
    last_error: requireText('error', error),
    lease_owner: null,
    lease_expires_at: null,
    updated_at: requireTime('now', now),
  });
}

export async function releaseJob(ctx: Ctx, lease: JobLease, now: number): Promise<void> {
  await fencedUpdate(ctx, lease, {
    state: 'queued',
    attempts: lease.attempt - 1,
    run_at: requireTime('now', now),
    lease_owner: null,
    lease_expires_at: null,
    updated_at: now,
  });
}

async function moveToDeadLetter(ctx: Ctx, job: JobsTable, reason: string, now: number): Promise<DeadLetter> {
  const letter: DeadLettersTable = {
    tenant_id: job.tenant_id,
    id: randomUUID(),
    job_id: job.id,
    job_type: job.type,
    payload: job.payload,
    reason,
    attempts: job.attempts,
    created_at: now,
    replayed_at: null,
  };
  await ctx.db
    .updateTable('jobs')
    .set({ state: 'dead', last_error: reason, lease_owner: null, lease_expires_at: null, updated_at: now })
    .where('tenant_id', '=', job.tenant_id)
    .where('id', '=', job.id)
    .execute();
  await ctx.db.insertInto('dead_letters').values(letter).execute();
  return toDeadLetter(letter);
}

/** Must run inside a transaction. */
export async function deadLetterJob(
  ctx: Ctx,
  lease: JobLease,
  reason: string,
  now: number,
): Promise<DeadLetter> {
  requireText('reason', reason);
  requireTime('now', now);
  // Fence first so a worker that lost its lease cannot dead-letter a job another worker now owns.
  await fencedUpdate(ctx, lease, { updated_at: now });
  const job = await ctx.db
    .selectFrom('jobs')
    .selectAll()
    .where('tenant_id', '=', lease.tenantId)
    .where('id', '=', lease.jobId)
    .executeTakeFirstOrThrow();
  return moveToDeadLetter(ctx, job, reason, now);
}

export async function listDeadLetters(ctx: Ctx, tenantId: string): Promise<DeadLetter[]> {
  const rows = await ctx.db
    .selectFrom('dead_letters')
    .selectAll()
    .where('tenant_id', '=', requireId('tenantId', tenantId))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toDeadLetter);
}

/** Must run inside a transaction. */
export async function replayDeadLetter(
  ctx: Ctx,
  tenantId: string,
  deadLetterId: string,
  now: number,
): Promise<JobRecord> {
  requireId('tenantId', tenantId);
  requireId('deadLetterId', deadLetterId);
  requireTime('now', now);
  const letter = await ctx.db
    .selectFrom('dead_letters')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deadLetterId)
    .executeTakeFirst();
  if (letter === undefined) throw new StoreError('not_found', `dead letter ${deadLetterId} not found`);
  if (letter.replayed_at !== null) {
    throw new StoreError('conflict', `dead letter ${deadLetterId} was already replayed`);
  }
  // The checkpoint is kept on purpose: a replayed backfill resumes where it stopped.
  const res = await ctx.db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: 0,
      run_at: now,
      last_error: null,
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', letter.job_id)
    .where('state', '=', 'dead')
    .executeTakeFirst();
  if (count(res.numUpdatedRows) !== 1) {
    throw new StoreError('conflict', `job ${letter.job_id} of dead letter ${deadLetterId} is no longer dead`);
  }
  await ctx.db
    .updateTable('dead_letters')
    .set({ replayed_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', deadLetterId)
    .execute();
  const job = await getJob(ctx, tenantId, letter.job_id);
  if (job === undefined) throw new StoreError('not_found', `job ${letter.job_id} not found`);
  return job;
}

export async function countJobs(ctx: Ctx, tenantId?: string): Promise<JobCounts> {
  let q = ctx.db
    .selectFrom('jobs')
    .select(['state', sql<number>`count(*)`.as('n')])
    .groupBy('state');
  if (tenantId !== undefined) q = q.where('tenant_id', '=', requireId('tenantId', tenantId));
  const rows = await q.execute();
  const counts: JobCounts = { queued: 0, running: 0, done: 0, dead: 0 };
  for (const r of rows) counts[storedOneOf('jobs.state', r.state, JOB_STATES)] = r.n;
  return counts;
}
