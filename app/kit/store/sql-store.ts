import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Ctx } from './context.ts';
import { MIGRATIONS } from './migrations.ts';
import { applyMigrations, migrationStatus } from './migrator.ts';
import * as audit from './repo-audit.ts';
import * as features from './repo-features.ts';
import * as jobs from './repo-jobs.ts';
import * as oauthStates from './repo-oauth-states.ts';
import * as registry from './repo-registry.ts';
import * as tenants from './repo-tenants.ts';
import type { Database } from './schema.ts';
import { beginImmediate } from './sqlite-begin.ts';
import type {
  ApiKeyGrant,
  ApiKeyRecord,
  AppendEventsResult,
  AuditHead,
  AuditRow,
  ClaimedJob,
  ClaimOptions,
  ConsentRecord,
  CredentialRow,
  Crm,
  DeadLetter,
  EngagementEvent,
  EpochMs,
  JobCounts,
  JobLease,
  JobRecord,
  JsonObject,
  JsonValue,
  MigrationStatus,
  ModelRecord,
  ModelState,
  NewEngagementEvent,
  NewJob,
  NewModel,
  NewOutcome,
  NewScore,
  NewTenant,
  Outcome,
  OutcomeQuery,
  PersonSnapshot,
  PolicyRecord,
  RecordVersion,
  ScoreRecord,
  Store,
  StoreKind,
  SyncCursor,
  Tenant,
  TenantStatus,
  UpsertRecordResult,
  WriteBackClaim,
  WriteBackClaimOptions,
  WriteBackState,
  WriteBackTransition,
} from './types.ts';
import { StoreError } from './types.ts';

export interface SqlStoreRoot {
  db: Kysely<Database>;
  kind: StoreKind;
  /** Name for the migration lock (PG advisory lock key); includes the schema so test schemas don't contend. */
  migrationLock: string;
  /** Runs before migrations, outside their transaction (PG: create the schema). */
  beforeMigrate?: () => Promise<void>;
}

/**
 * The Store over Kysely, for both dialects. An instance is either the root (owns the pool) or bound to
 * one transaction (created by transaction()); repository functions do the SQL, this class only routes
 * calls and wraps the multi-statement ones in a transaction.
 */
export class SqlStore implements Store {
  readonly kind: StoreKind;
  private readonly ctx: Ctx;
  private readonly root: SqlStoreRoot;

  constructor(root: SqlStoreRoot, ctx?: Ctx) {
    this.root = root;
    this.kind = root.kind;
    this.ctx = ctx ?? { db: root.db, kind: root.kind, inTx: false };
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.ctx.inTx) return fn(this);
    return this.inTx((ctx) => fn(new SqlStore(this.root, ctx)));
  }

  /** Runs fn in this store's transaction, or opens one (bound to a fresh Ctx) when there is none. */
  private inTx<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
    if (this.ctx.inTx) return fn(this.ctx);
    const { db, kind } = this.root;
    if (kind === 'postgres') {
      return db.transaction().execute((trx) => fn({ db: trx, kind, inTx: true }));
    }
    // SQLite: Kysely's transaction() issues a deferred BEGIN; a deferred transaction that reads and then
    // writes can fail with SQLITE_BUSY (no wait) when another process wrote in between. BEGIN IMMEDIATE
    // takes the write lock up front, and beginImmediate waits for it without blocking the event loop.
    return db.connection().execute(async (conn) => {
      await beginImmediate(conn);
      try {
        const result = await fn({ db: conn, kind, inTx: true });
        await sql`commit`.execute(conn);
        return result;
      } catch (err) {
        await sql`rollback`.execute(conn);
        throw err;
      }
    });
  }

  async migrate(): Promise<string[]> {
    if (!this.ctx.inTx) await this.root.beforeMigrate?.();
    // Wall-clock time here only labels the migration row; nothing reads it back for logic.
    return await this.inTx((ctx) => applyMigrations(ctx, MIGRATIONS, this.root.migrationLock, Date.now()));
  }

  migrationStatus(): Promise<MigrationStatus> {
    return migrationStatus(this.ctx, MIGRATIONS);
  }

  async ping(): Promise<void> {
    try {
      await sql`select 1`.execute(this.ctx.db);
    } catch (cause) {
      throw new StoreError('unavailable', `${this.kind} store is not reachable`, { cause });
    }
  }

  async close(): Promise<void> {
    if (this.ctx.inTx) throw new Error('close() called on a transaction-bound store');
    await this.root.db.destroy();
  }

  // tenants
  createTenant(input: NewTenant, now: EpochMs): Promise<Tenant> {
    return tenants.createTenant(this.ctx, input, now);
  }
  getTenant(id: string): Promise<Tenant | undefined> {
    return tenants.getTenant(this.ctx, id);
  }
  findTenantByExternalId(crm: Crm, externalId: string): Promise<Tenant | undefined> {
    return tenants.findTenantByExternalId(this.ctx, crm, externalId);
  }
  listTenants(): Promise<Tenant[]> {
    return tenants.listTenants(this.ctx);
  }
  setTenantStatus(id: string, status: TenantStatus): Promise<void> {
    return tenants.setTenantStatus(this.ctx, id, status);
  }

  // credentials
  putCredential(row: CredentialRow, ifCiphertext?: string): Promise<boolean> {
    return tenants.putCredential(this.ctx, row, ifCiphertext);
  }
  getCredential(tenantId: string, name: string): Promise<CredentialRow | undefined> {
    return tenants.getCredential(this.ctx, tenantId, name);
  }
  listCredentialsNotUnderKey(keyId: string): Promise<CredentialRow[]> {
    return tenants.listCredentialsNotUnderKey(this.ctx, keyId);
  }
  deleteCredential(tenantId: string, name: string): Promise<void> {
    return tenants.deleteCredential(this.ctx, tenantId, name);
  }
  saveOAuthState(
    stateHash: string,
    crm: Crm,
    expiresAt: EpochMs,
    now: EpochMs,
    verifier?: string,
  ): Promise<void> {
    return this.inTx((ctx) => oauthStates.saveOAuthState(ctx, stateHash, crm, expiresAt, now, verifier));
  }
  consumeOAuthState(stateHash: string, crm: Crm, now: EpochMs): Promise<'ok' | 'expired' | 'unknown'> {
    return this.inTx(async (ctx) => (await oauthStates.takeOAuthState(ctx, stateHash, crm, now)).outcome);
  }
  takeOAuthState(
    stateHash: string,
    crm: Crm,
    now: EpochMs,
  ): Promise<{ outcome: 'ok' | 'expired' | 'unknown'; verifier: string | null }> {
    return this.inTx((ctx) => oauthStates.takeOAuthState(ctx, stateHash, crm, now));
  }

  // feature store
  upsertRecord(
    tenantId: string,
    objectType: string,
    crmId: string,
    properties: JsonObject,
    observedAt: EpochMs,
  ): Promise<UpsertRecordResult> {
    return this.inTx((ctx) =>
      features.upsertRecord(ctx, tenantId, objectType, crmId, properties, observedAt),
    );
  }
  getRecordAsOf(
    tenantId: string,
    objectType: string,
    crmId: string,
    t: EpochMs,
  ): Promise<RecordVersion | undefined> {
    return features.getRecordAsOf(this.ctx, tenantId, objectType, crmId, t);
  }
  appendEvents(
    tenantId: string,
    events: readonly NewEngagementEvent[],
    recordedAt: EpochMs,
  ): Promise<AppendEventsResult> {
    return this.inTx((ctx) => features.appendEvents(ctx, tenantId, events, recordedAt));
  }
  getEventsAsOf(tenantId: string, personId: string, t: EpochMs): Promise<EngagementEvent[]> {
    return features.getEventsAsOf(this.ctx, tenantId, personId, t);
  }
  trainingSnapshot(tenantId: string, objectType: string, cutoff: EpochMs): Promise<PersonSnapshot[]> {
    // One transaction so versions and events come from the same snapshot of the database.
    return this.inTx((ctx) => features.trainingSnapshot(ctx, tenantId, objectType, cutoff));
  }
  recordOutcome(tenantId: string, outcome: NewOutcome, recordedAt: EpochMs): Promise<boolean> {
    return features.recordOutcome(this.ctx, tenantId, outcome, recordedAt);
  }
  getOutcomes(tenantId: string, query: OutcomeQuery, knownAt: EpochMs): Promise<Outcome[]> {
    return features.getOutcomes(this.ctx, tenantId, query, knownAt);
  }
  recordConsent(record: ConsentRecord): Promise<void> {
    return features.recordConsent(this.ctx, record);
  }
  getConsentAsOf(tenantId: string, personId: string, t: EpochMs): Promise<ConsentRecord | undefined> {
    return features.getConsentAsOf(this.ctx, tenantId, personId, t);
  }
  deletePerson(tenantId: string, personId: string): Promise<number> {
    return this.inTx((ctx) => features.deletePerson(ctx, tenantId, personId));
  }

  // models, policies
  saveModel(model: NewModel, now: EpochMs): Promise<ModelRecord> {
    return this.inTx((ctx) => registry.saveModel(ctx, model, now));
  }
  getModel(tenantId: string, version: string): Promise<ModelRecord | undefined> {
    return registry.getModel(this.ctx, tenantId, version);
  }
  listModels(tenantId: string): Promise<ModelRecord[]> {
    return registry.listModels(this.ctx, tenantId);
  }
  getChampion(tenantId: string): Promise<ModelRecord | undefined> {
    return registry.getChampion(this.ctx, tenantId);
  }
  setModelState(tenantId: string, version: string, state: ModelState, now: EpochMs): Promise<void> {
    return this.inTx((ctx) => registry.setModelState(ctx, tenantId, version, state, now));
  }
  savePolicy(tenantId: string, document: JsonObject, createdBy: string, now: EpochMs): Promise<PolicyRecord> {
    return this.inTx((ctx) => registry.savePolicy(ctx, tenantId, document, createdBy, now));
  }
  getPolicy(tenantId: string, version?: number): Promise<PolicyRecord | undefined> {
    return registry.getPolicy(this.ctx, tenantId, version);
  }
  listPolicies(tenantId: string): Promise<PolicyRecord[]> {
    return registry.listPolicies(this.ctx, tenantId);
  }

  // scores
  insertScore(score: NewScore): Promise<ScoreRecord> {
    return registry.insertScore(this.ctx, score);
  }
  async getLatestScore(tenantId: string, personId: string): Promise<ScoreRecord | undefined> {
    const [latest] = await registry.listScores(this.ctx, tenantId, personId, 1);
    return latest;
  }
  listScores(tenantId: string, personId: string, limit: number): Promise<ScoreRecord[]> {
    return registry.listScores(this.ctx, tenantId, personId, limit);
  }
  listScoresByWriteBack(tenantId: string, state: WriteBackState, limit: number): Promise<ScoreRecord[]> {
    return registry.listScoresByWriteBack(this.ctx, tenantId, state, limit);
  }
  setWriteBackState(
    tenantId: string,
    scoreId: string,
    state: WriteBackState,
    at: EpochMs,
    error?: string,
  ): Promise<void> {
    return registry.setWriteBackState(this.ctx, tenantId, scoreId, state, at, error);
  }
  transitionWriteBack(tenantId: string, scoreId: string, change: WriteBackTransition): Promise<boolean> {
    return registry.transitionWriteBack(this.ctx, tenantId, scoreId, change);
  }
  claimWriteBack(tenantId: string, options: WriteBackClaimOptions): Promise<WriteBackClaim> {
    return this.inTx((ctx) => registry.claimWriteBack(ctx, tenantId, options));
  }
  renewWriteBackClaims(
    tenantId: string,
    token: string,
    scoreIds: readonly string[],
    now: EpochMs,
    until: EpochMs,
  ): Promise<string[]> {
    return registry.renewWriteBackClaims(this.ctx, tenantId, token, scoreIds, now, until);
  }
  releaseWriteBackClaims(tenantId: string, token: string, scoreIds: readonly string[]): Promise<void> {
    return registry.releaseWriteBackClaims(this.ctx, tenantId, token, scoreIds);
  }

  // sync cursors, api keys
  getSyncCursor(tenantId: string, stream: string): Promise<SyncCursor | undefined> {
    return tenants.getSyncCursor(this.ctx, tenantId, stream);
  }
  setSyncCursor(cursor: SyncCursor): Promise<void> {
    return tenants.setSyncCursor(this.ctx, cursor);
  }
  putApiKey(key: ApiKeyRecord): Promise<void> {
    return tenants.putApiKey(this.ctx, key);
  }
  getApiKey(tenantId: string, id: string): Promise<ApiKeyRecord | undefined> {
    return tenants.getApiKey(this.ctx, tenantId, id);
  }
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return tenants.findApiKeyByHash(this.ctx, keyHash);
  }
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]> {
    return tenants.listApiKeys(this.ctx, tenantId);
  }
  revokeApiKey(tenantId: string, id: string, at: EpochMs): Promise<void> {
    return tenants.revokeApiKey(this.ctx, tenantId, id, at);
  }
  grantApiKey(grant: ApiKeyGrant): Promise<void> {
    return tenants.grantApiKey(this.ctx, grant);
  }
  listApiKeyGrants(keyTenantId: string, keyId: string): Promise<ApiKeyGrant[]> {
    return tenants.listApiKeyGrants(this.ctx, keyTenantId, keyId);
  }

  // jobs
  enqueueJob(job: NewJob, now: EpochMs): Promise<{ job: JobRecord; created: boolean }> {
    return jobs.enqueueJob(this.ctx, job, now);
  }
  getJob(tenantId: string, id: string): Promise<JobRecord | undefined> {
    return jobs.getJob(this.ctx, tenantId, id);
  }
  claimJob(workerId: string, options: ClaimOptions): Promise<ClaimedJob | undefined> {
    return this.inTx((ctx) => jobs.claimJob(ctx, workerId, options));
  }
  heartbeatJob(lease: JobLease, now: EpochMs, leaseMs: number): Promise<void> {
    return jobs.heartbeatJob(this.ctx, lease, now, leaseMs);
  }
  saveJobCheckpoint(lease: JobLease, checkpoint: JsonValue, now: EpochMs): Promise<void> {
    return jobs.saveJobCheckpoint(this.ctx, lease, checkpoint, now);
  }
  completeJob(lease: JobLease, now: EpochMs): Promise<void> {
    return jobs.completeJob(this.ctx, lease, now);
  }
  retryJob(lease: JobLease, error: string, runAt: EpochMs, now: EpochMs): Promise<void> {
    return jobs.retryJob(this.ctx, lease, error, runAt, now);
  }
  releaseJob(lease: JobLease, now: EpochMs): Promise<void> {
    return jobs.releaseJob(this.ctx, lease, now);
  }
  deadLetterJob(lease: JobLease, reason: string, now: EpochMs): Promise<DeadLetter> {
    return this.inTx((ctx) => jobs.deadLetterJob(ctx, lease, reason, now));
  }
  listDeadLetters(tenantId: string): Promise<DeadLetter[]> {
    return jobs.listDeadLetters(this.ctx, tenantId);
  }
  replayDeadLetter(tenantId: string, deadLetterId: string, now: EpochMs): Promise<JobRecord> {
    return this.inTx((ctx) => jobs.replayDeadLetter(ctx, tenantId, deadLetterId, now));
  }
  countJobs(tenantId?: string): Promise<JobCounts> {
    return jobs.countJobs(this.ctx, tenantId);
  }

  // audit
  appendAuditRow(
    tenantId: string,
    build: (head: AuditHead | undefined) => AuditRow | Promise<AuditRow>,
  ): Promise<AuditRow> {
    return this.inTx((ctx) => audit.appendAuditRow(ctx, tenantId, build));
  }
  listAuditRows(tenantId: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return audit.listAuditRows(this.ctx, tenantId, afterSeq, limit);
  }
  getAuditHead(tenantId: string): Promise<AuditHead | undefined> {
    return audit.getAuditHead(this.ctx, tenantId);
  }
  listAuditChains(): Promise<string[]> {
    return audit.listAuditChains(this.ctx);
  }
}
