/**
 * The durable store contract. Two implementations (SQLite, PostgreSQL) pass the same test suite.
 *
 * Conventions, identical in both dialects:
 * - Every time is **epoch milliseconds** (a JS `number`), stored as INTEGER (SQLite) / BIGINT (PG):
 *   comparisons are numeric, there is no time-zone or string-format ambiguity between dialects.
 * - Every JSON value is stored as TEXT and parsed on read.
 * - Every tenant-owned table's primary key and indexes lead with `tenant_id`.
 * - The store never reads a clock: every write that needs a time takes it as an argument.
 */

/** Milliseconds since the Unix epoch (UTC). */
export type EpochMs = number;

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type StoreKind = 'sqlite' | 'postgres';

export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema?: string; maxConnections?: number };

/* ------------------------------------------------------------------ tenants */

export type Crm = 'hubspot' | 'salesforce';
export type TenantStatus = 'active' | 'suspended' | 'uninstalled';

export interface Tenant {
  id: string;
  crm: Crm;
  /** HubSpot portal id or Salesforce org id. Unique per CRM. */
  externalId: string;
  name: string;
  status: TenantStatus;
  createdAt: EpochMs;
}

export interface NewTenant {
  /** Optional: generated (UUID) when absent. Must not start with `_` (reserved, e.g. the system audit chain). */
  id?: string;
  crm: Crm;
  externalId: string;
  name: string;
  status?: TenantStatus;
}

/* -------------------------------------------------------------- credentials */

/** An encrypted credential as stored. Encryption lives in app/kit/secrets; the store only sees ciphertext. */
export interface CredentialRow {
  tenantId: string;
  /** e.g. 'oauth' */
  name: string;
  /** Id of the key that sealed `ciphertext` (also embedded in the envelope); lets rotation find old rows. */
  keyId: string;
  /** Self-describing envelope string produced by app/kit/secrets. */
  ciphertext: string;
  updatedAt: EpochMs;
}

/* ---------------------------------------------------- point-in-time records */

export interface RecordVersion {
  tenantId: string;
  objectType: string;
  crmId: string;
  properties: JsonObject;
  /** When this version became known (inclusive). */
  validFrom: EpochMs;
  /** When it was superseded (exclusive); null = current. */
  validTo: EpochMs | null;
}

export type UpsertRecordStatus =
  /** first version of this record */
  | 'created'
  /** properties differ: previous version closed at observedAt, new one opened */
  | 'changed'
  /** same properties: nothing written */
  | 'unchanged'
  /** observedAt is before the current version's validFrom: history is never rewritten, nothing written */
  | 'stale';

export interface UpsertRecordResult {
  status: UpsertRecordStatus;
  current: RecordVersion;
}

export type EventType =
  | 'page_view'
  | 'form_submission'
  | 'email_open'
  | 'email_click'
  | 'email_reply'
  | 'meeting'
  | 'call'
  | 'content_download';

export const EVENT_TYPES: readonly EventType[] = [
  'page_view',
  'form_submission',
  'email_open',
  'email_click',
  'email_reply',
  'meeting',
  'call',
  'content_download',
];

export interface NewEngagementEvent {
  /** CRM id of the person record (HubSpot contact id, Salesforce lead/contact id). */
  personId: string;
  type: EventType;
  occurredAt: EpochMs;
  attributes: JsonObject;
  /** Unique per tenant: ingesting the same sourceId twice is a no-op. */
  sourceId: string;
  /**
   * When the fact became knowable. Defaults to the `recordedAt` passed to appendEvents (ingestion time).
   * A backfill may pass the CRM's own creation time of the engagement: the CRM is the system of record,
   * so the fact was knowable then. Must be ≥ occurredAt.
   */
  recordedAt?: EpochMs;
}

export interface EngagementEvent extends Required<NewEngagementEvent> {
  tenantId: string;
}

export interface AppendEventsResult {
  inserted: number;
  /** sourceIds already present (idempotent re-delivery). */
  duplicates: number;
}

export interface NewOutcome {
  personId: string;
  /** e.g. 'sql', 'opportunity', 'converted' */
  type: string;
  occurredAt: EpochMs;
  /** Defaults to the recordedAt argument of recordOutcome. */
  recordedAt?: EpochMs;
}

export interface Outcome extends Required<NewOutcome> {
  tenantId: string;
}

export interface OutcomeQuery {
  personId?: string;
  /** inclusive */
  occurredFrom?: EpochMs;
  /** exclusive */
  occurredTo?: EpochMs;
}

export type LawfulBasis =
  | 'consent'
  | 'legitimate_interest'
  | 'contract'
  | 'legal_obligation'
  | 'vital_interest'
  | 'public_task'
  | 'none';

export interface ConsentRecord {
  tenantId: string;
  personId: string;
  lawfulBasis: LawfulBasis;
  optedOut: boolean;
  recordedAt: EpochMs;
  /** where the state came from, e.g. 'hubspot:hs_legal_basis' */
  source: string;
}

/** One person as known at a cutoff: the record version valid then, and events known then. */
export interface PersonSnapshot {
  crmId: string;
  properties: JsonObject;
  /** validFrom of the version used */
  asOfVersion: EpochMs;
  events: EngagementEvent[];
}

/* ------------------------------------------------------- models, policies */

export type ModelState = 'candidate' | 'shadow' | 'champion' | 'retired';

export interface ModelRecord {
  tenantId: string;
  version: string;
  state: ModelState;
  artifact: JsonObject;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export interface NewModel {
  tenantId: string;
  version: string;
  artifact: JsonObject;
  /** default 'candidate' */
  state?: ModelState;
}

export interface PolicyRecord {
  tenantId: string;
  /** 1, 2, 3… assigned by the store per tenant */
  version: number;
  document: JsonObject;
  createdBy: string;
  createdAt: EpochMs;
}

/* ------------------------------------------------------------------ scores */

export type Tier = 'A' | 'B' | 'C' | 'D';
export type Route = 'ae' | 'sdr' | 'nurture' | 'review';
export type Confidence = 'high' | 'medium' | 'low';
export type WriteBackState = 'pending' | 'written' | 'skipped' | 'failed' | 'shadow';

export interface NewScore {
  tenantId: string;
  personId: string;
  objectType: string;
  /** null when rules (no model) produced the score */
  modelVersion: string | null;
  policyVersion: number | null;
  inputsHash: string;
  /** calibrated probability 0..1 */
  probability: number;
  /** 0..100 */
  score: number;
  fitScore: number | null;
  engagementScore: number | null;
  tier: Tier;
  route: Route;
  confidence: Confidence;
  reasons: JsonValue;
  decision: JsonObject;
  writeBack: WriteBackState;
  scoredAt: EpochMs;
}

export interface ScoreRecord extends NewScore {
  id: string;
  writeBackError: string | null;
  writeBackAt: EpochMs | null;
}

/**
 * A compare-and-set on a score's write-back state (issue 14 item 7): it moves only from a state the
 * caller read, so a concurrent writer's result is never overwritten (a superseded score never flips to
 * written, a written one never back to skipped).
 */
export interface WriteBackTransition {
  /** the states the caller read; the update does nothing from any other */
  from: readonly WriteBackState[];
  to: WriteBackState;
  at: EpochMs;
  /** the reason kept with the state; cleared when absent */
  error?: string;
  /** only while the row still carries this write-back claim token, which the update then clears */
  claim?: string;
}

/** What a write-back run asks for when it claims the next scores to send. */
export interface WriteBackClaimOptions {
  /** the run's token (one per run, shared by its batches) */
  token: string;
  now: EpochMs;
  /** when the claim lapses unless renewed; a claim is live while this is later than now */
  until: EpochMs;
  /** at most this many scores */
  limit: number;
}

export interface WriteBackClaim {
  /**
   * Claimed for the token, oldest first: each a pending score that is its person's newest score, of a
   * person no other live claim holds (no write of theirs in flight).
   */
  claimed: ScoreRecord[];
  /** pending scores set aside as 'skipped' because their person has a newer score */
  superseded: number;
  /** pending scores left pending because a live claim (a write in flight) holds their person */
  held: number;
}

/* ------------------------------------------------------------ sync cursors */

export interface SyncCursor {
  tenantId: string;
  /** e.g. 'hubspot:contacts:incremental' */
  stream: string;
  cursor: string;
  updatedAt: EpochMs;
}

/* ---------------------------------------------------------------- api keys */

export type Role = 'admin' | 'analyst' | 'viewer';

export interface ApiKeyRecord {
  tenantId: string;
  id: string;
  /** hash of the secret (e.g. sha256 hex); the plaintext is shown once and never stored */
  keyHash: string;
  role: Role;
  label: string;
  createdAt: EpochMs;
  revokedAt: EpochMs | null;
}

/** An API key of `keyTenantId` granted `role` on `tenantId` (read by GET /api/v1/status only). */
export interface ApiKeyGrant {
  tenantId: string;
  keyTenantId: string;
  keyId: string;
  role: Role;
  createdAt: EpochMs;
}

/* -------------------------------------------------------------------- jobs */

export type JobState = 'queued' | 'running' | 'done' | 'dead';

export interface NewJob {
  tenantId: string;
  type: string;
  payload: JsonValue;
  /** Same key (per tenant) → the existing job is returned, no second one is created. */
  idempotencyKey?: string;
  /** default: now */
  runAt?: EpochMs;
  /** default 5 */
  maxAttempts?: number;
}

export interface JobRecord {
  tenantId: string;
  id: string;
  type: string;
  payload: JsonValue;
  idempotencyKey: string | null;
  state: JobState;
  /** number of claims so far (the running attempt included) */
  attempts: number;
  maxAttempts: number;
  runAt: EpochMs;
  checkpoint: JsonValue | null;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: EpochMs | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

/**
 * Proof of a claim. Every write on a running job is fenced by (id, leaseOwner, attempt): a worker that
 * lost its lease (expired, reclaimed by another) gets a LeaseLostError instead of overwriting newer state.
 */
export interface JobLease {
  tenantId: string;
  jobId: string;
  workerId: string;
  attempt: number;
}

export interface ClaimOptions {
  /** only these job types (default: any) */
  types?: readonly string[];
  now: EpochMs;
  leaseMs: number;
  /** at most this many unexpired running jobs per tenant */
  maxRunningPerTenant: number;
}

export interface ClaimedJob {
  job: JobRecord;
  lease: JobLease;
}

export interface DeadLetter {
  tenantId: string;
  id: string;
  jobId: string;
  jobType: string;
  payload: JsonValue;
  reason: string;
  attempts: number;
  createdAt: EpochMs;
  replayedAt: EpochMs | null;
}

export interface JobCounts {
  queued: number;
  running: number;
  done: number;
  dead: number;
}

/* ------------------------------------------------------------------- audit */

/** The per-tenant chain head the appender sees while holding the chain lock. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export interface AuditRow {
  tenantId: string;
  id: string;
  /** 1, 2, 3… per tenant chain */
  seq: number;
  actor: string;
  action: string;
  subject: string;
  details: JsonValue;
  at: EpochMs;
  prevHash: string;
  hash: string;
}

/* ------------------------------------------------------------ migrations */

export interface MigrationStatus {
  /** highest applied version (0 = none) */
  current: number;
  latest: number;
  pending: string[];
}

/* ------------------------------------------------------------------ store */

export interface Store {
  readonly kind: StoreKind;

  /** Applies pending migrations in order (serialised across processes). Returns names applied. */
  migrate(): Promise<string[]>;
  migrationStatus(): Promise<MigrationStatus>;
  /** Resolves when the database answers a trivial query; rejects with StoreError('unavailable') otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs fn inside one transaction; the Store passed to fn is bound to it (nested calls reuse it).
   * SQLite transactions are BEGIN IMMEDIATE (write lock up front, so two processes never deadlock on upgrade).
   * Inside fn use only `tx`: on SQLite the root store waits for the connection fn holds (a deadlock).
   * Open one SQLite store per process and share it (server and worker alike).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  // tenants
  createTenant(input: NewTenant, now: EpochMs): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | undefined>;
  findTenantByExternalId(crm: Crm, externalId: string): Promise<Tenant | undefined>;
  listTenants(): Promise<Tenant[]>;
  setTenantStatus(id: string, status: TenantStatus): Promise<void>;

  // credentials (ciphertext only)
  /**
   * Upserts a credential. With `ifCiphertext`, only replaces a row whose ciphertext is still that value
   * (compare-and-set, so a re-encryption never overwrites a token refreshed meanwhile); returns whether it wrote.
   */
  putCredential(row: CredentialRow, ifCiphertext?: string): Promise<boolean>;
  getCredential(tenantId: string, name: string): Promise<CredentialRow | undefined>;
  /** rows sealed with a key other than keyId (for re-encryption after rotation) */
  listCredentialsNotUnderKey(keyId: string): Promise<CredentialRow[]>;
  deleteCredential(tenantId: string, name: string): Promise<void>;

  // OAuth install states (single-use, expiring; not tenant-owned: the tenant does not exist yet)
  /** Records an issued state by its hash; also drops states that expired before `now`. */
  saveOAuthState(
    stateHash: string,
    crm: Crm,
    expiresAt: EpochMs,
    now: EpochMs,
    verifier?: string,
  ): Promise<void>;
  /**
   * Consumes a state atomically (a delete: two concurrent callbacks cannot both win). 'ok' once;
   * 'expired' when it existed but expired; 'unknown' when never issued or already used.
   */
  consumeOAuthState(stateHash: string, crm: Crm, now: EpochMs): Promise<'ok' | 'expired' | 'unknown'>;
  /** consumeOAuthState that also hands back the verifier saved with the state (null when none). */
  takeOAuthState(
    stateHash: string,
    crm: Crm,
    now: EpochMs,
  ): Promise<{ outcome: 'ok' | 'expired' | 'unknown'; verifier: string | null }>;

  // point-in-time feature store
  upsertRecord(
    tenantId: string,
    objectType: string,
    crmId: string,
    properties: JsonObject,
    observedAt: EpochMs,
  ): Promise<UpsertRecordResult>;
  getRecordAsOf(
    tenantId: string,
    objectType: string,
    crmId: string,
    t: EpochMs,
  ): Promise<RecordVersion | undefined>;
  appendEvents(
    tenantId: string,
    events: readonly NewEngagementEvent[],
    recordedAt: EpochMs,
  ): Promise<AppendEventsResult>;
  /** Events with occurredAt ≤ t AND recordedAt ≤ t (happened by t and known by t), oldest first. */
  getEventsAsOf(tenantId: string, personId: string, t: EpochMs): Promise<EngagementEvent[]>;
  /** Every person of objectType with a version valid at cutoff, with events known at cutoff. */
  trainingSnapshot(tenantId: string, objectType: string, cutoff: EpochMs): Promise<PersonSnapshot[]>;
  /** Idempotent on (personId, type, occurredAt); returns false when already present. */
  recordOutcome(tenantId: string, outcome: NewOutcome, recordedAt: EpochMs): Promise<boolean>;
  /** Outcomes as known at knownAt (recordedAt ≤ knownAt), filtered by query. */
  getOutcomes(tenantId: string, query: OutcomeQuery, knownAt: EpochMs): Promise<Outcome[]>;
  recordConsent(record: ConsentRecord): Promise<void>;
  getConsentAsOf(tenantId: string, personId: string, t: EpochMs): Promise<ConsentRecord | undefined>;
  /** Privacy deletion: removes the person's records, events, outcomes, consent and scores. Returns rows removed. */
  deletePerson(tenantId: string, personId: string): Promise<number>;

  // model registry
  saveModel(model: NewModel, now: EpochMs): Promise<ModelRecord>;
  getModel(tenantId: string, version: string): Promise<ModelRecord | undefined>;
  listModels(tenantId: string): Promise<ModelRecord[]>;
  getChampion(tenantId: string): Promise<ModelRecord | undefined>;
  /** Setting 'champion' retires the previous champion in the same transaction (one champion per tenant). */
  setModelState(tenantId: string, version: string, state: ModelState, now: EpochMs): Promise<void>;

  // policies (versioned)
  savePolicy(tenantId: string, document: JsonObject, createdBy: string, now: EpochMs): Promise<PolicyRecord>;
  /** latest when version is omitted */
  getPolicy(tenantId: string, version?: number): Promise<PolicyRecord | undefined>;
  listPolicies(tenantId: string): Promise<PolicyRecord[]>;

  // scores
  insertScore(score: NewScore): Promise<ScoreRecord>;
  getLatestScore(tenantId: string, personId: string): Promise<ScoreRecord | undefined>;
  /** newest first */
  listScores(tenantId: string, personId: string, limit: number): Promise<ScoreRecord[]>;
  listScoresByWriteBack(tenantId: string, state: WriteBackState, limit: number): Promise<ScoreRecord[]>;
  /**
   * Unconditional (tests, fixtures): the pipeline moves write-back states with transitionWriteBack,
   * which never overwrites a concurrent writer's result.
   */
  setWriteBackState(
    tenantId: string,
    scoreId: string,
    state: WriteBackState,
    at: EpochMs,
    error?: string,
  ): Promise<void>;
  /** Compare-and-set on the write-back state; true when it moved, false when the row was not in `from`. */
  transitionWriteBack(tenantId: string, scoreId: string, change: WriteBackTransition): Promise<boolean>;
  /**
   * Claims the next pending scores to send, oldest first, under the tenant's write-back lock: a pending
   * score whose person has a newer score is set aside as superseded, one whose person a live claim holds
   * is left pending (counted as held). Runs in one transaction.
   */
  claimWriteBack(tenantId: string, options: WriteBackClaimOptions): Promise<WriteBackClaim>;
  /**
   * Extends the token's claims to `until`; returns the ids still claimed: pending, carrying the token,
   * and not yet lapsed at `now` (a lapsed claim is lost, since another run may have written the person).
   */
  renewWriteBackClaims(
    tenantId: string,
    token: string,
    scoreIds: readonly string[],
    now: EpochMs,
    until: EpochMs,
  ): Promise<string[]>;
  /** Drops the token's claims on these scores (whatever their state). */
  releaseWriteBackClaims(tenantId: string, token: string, scoreIds: readonly string[]): Promise<void>;

  // sync cursors
  getSyncCursor(tenantId: string, stream: string): Promise<SyncCursor | undefined>;
  setSyncCursor(cursor: SyncCursor): Promise<void>;

  // api keys
  putApiKey(key: ApiKeyRecord): Promise<void>;
  getApiKey(tenantId: string, id: string): Promise<ApiKeyRecord | undefined>;
  /** The one lookup that precedes knowing the tenant (authentication). */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(tenantId: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(tenantId: string, id: string, at: EpochMs): Promise<void>;
  /** Idempotent: granting the same key the same tenant again keeps the first grant. */
  grantApiKey(grant: ApiKeyGrant): Promise<void>;
  /** The tenants a key was granted, oldest grant first. */
  listApiKeyGrants(keyTenantId: string, keyId: string): Promise<ApiKeyGrant[]>;

  // jobs (low level; app/kit/jobs adds retry policy and the worker)
  enqueueJob(job: NewJob, now: EpochMs): Promise<{ job: JobRecord; created: boolean }>;
  getJob(tenantId: string, id: string): Promise<JobRecord | undefined>;
  /** Claims one runnable job (queued and due, or running with an expired lease) or returns undefined. */
  claimJob(workerId: string, options: ClaimOptions): Promise<ClaimedJob | undefined>;
  /** Extends the lease; throws LeaseLostError when the lease is no longer ours. */
  heartbeatJob(lease: JobLease, now: EpochMs, leaseMs: number): Promise<void>;
  saveJobCheckpoint(lease: JobLease, checkpoint: JsonValue, now: EpochMs): Promise<void>;
  completeJob(lease: JobLease, now: EpochMs): Promise<void>;
  /** Back to 'queued' with runAt, keeping the checkpoint. */
  retryJob(lease: JobLease, error: string, runAt: EpochMs, now: EpochMs): Promise<void>;
  /** Graceful hand-back (shutdown): back to 'queued' due now, checkpoint kept, the attempt not counted. */
  releaseJob(lease: JobLease, now: EpochMs): Promise<void>;
  /** To 'dead' plus a dead_letters row. */
  deadLetterJob(lease: JobLease, reason: string, now: EpochMs): Promise<DeadLetter>;
  listDeadLetters(tenantId: string): Promise<DeadLetter[]>;
  /** Re-queues the job (attempts reset, checkpoint kept) and marks the letter replayed. */
  replayDeadLetter(tenantId: string, deadLetterId: string, now: EpochMs): Promise<JobRecord>;
  countJobs(tenantId?: string): Promise<JobCounts>;

  // audit (low level; app/kit/audit computes hashes and verifies)
  /**
   * Appends one entry to tenantId's chain while holding that chain's lock; `build` receives the
   * current head (undefined for an empty chain) and returns the row to write (seq must be head.seq + 1).
   */
  appendAuditRow(
    tenantId: string,
    build: (head: AuditHead | undefined) => AuditRow | Promise<AuditRow>,
  ): Promise<AuditRow>;
  /** Rows in seq order with seq > afterSeq. */
  listAuditRows(tenantId: string, afterSeq: number, limit: number): Promise<AuditRow[]>;
  getAuditHead(tenantId: string): Promise<AuditHead | undefined>;
  /** Tenant ids that have an audit chain (the system chain included). */
  listAuditChains(): Promise<string[]>;
}

/** Tenant id of the chain for tenant-less (system, install) audit entries. */
export const SYSTEM_TENANT = '_system';

export type StoreErrorCode = 'not_found' | 'conflict' | 'invalid_input' | 'lease_lost' | 'unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

export class LeaseLostError extends StoreError {
  constructor(lease: JobLease) {
    super(
      'lease_lost',
      `job ${lease.jobId} (attempt ${lease.attempt}) is no longer leased to ${lease.workerId}`,
    );
    this.name = 'LeaseLostError';
  }
}
