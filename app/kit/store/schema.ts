/**
 * Row shapes as Kysely sees them. Times are epoch ms (BIGINT in PG, INTEGER affinity in SQLite);
 * JSON is TEXT; booleans are 0/1 integers so both dialects read the same thing.
 */
export interface TenantsTable {
  id: string;
  crm: string;
  external_id: string;
  name: string;
  status: string;
  created_at: number;
}

export interface CredentialsTable {
  tenant_id: string;
  name: string;
  key_id: string;
  ciphertext: string;
  updated_at: number;
}

export interface RecordVersionsTable {
  tenant_id: string;
  object_type: string;
  crm_id: string;
  valid_from: number;
  valid_to: number | null;
  properties: string;
}

export interface EventsTable {
  tenant_id: string;
  source_id: string;
  person_id: string;
  type: string;
  occurred_at: number;
  recorded_at: number;
  attributes: string;
}

export interface OutcomesTable {
  tenant_id: string;
  person_id: string;
  type: string;
  occurred_at: number;
  recorded_at: number;
}

export interface ConsentTable {
  tenant_id: string;
  person_id: string;
  recorded_at: number;
  lawful_basis: string;
  opted_out: number;
  source: string;
}

export interface ModelsTable {
  tenant_id: string;
  version: string;
  state: string;
  artifact: string;
  created_at: number;
  updated_at: number;
}

export interface PoliciesTable {
  tenant_id: string;
  version: number;
  document: string;
  created_by: string;
  created_at: number;
}

export interface ScoresTable {
  tenant_id: string;
  id: string;
  person_id: string;
  object_type: string;
  model_version: string | null;
  policy_version: number | null;
  inputs_hash: string;
  probability: number;
  score: number;
  fit_score: number | null;
  engagement_score: number | null;
  tier: string;
  route: string;
  confidence: string;
  reasons: string;
  decision: string;
  write_back: string;
  write_back_error: string | null;
  write_back_at: number | null;
  scored_at: number;
  /** token of the write-back run sending this score (migration 5), null when none */
  write_claim: string | null;
  /** when that claim lapses (epoch ms); live while later than now */
  write_claim_until: number | null;
}

export interface SyncCursorsTable {
  tenant_id: string;
  stream: string;
  cursor: string;
  updated_at: number;
}

export interface JobsTable {
  tenant_id: string;
  id: string;
  type: string;
  payload: string;
  idempotency_key: string | null;
  state: string;
  attempts: number;
  max_attempts: number;
  run_at: number;
  checkpoint: string | null;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface DeadLettersTable {
  tenant_id: string;
  id: string;
  job_id: string;
  job_type: string;
  payload: string;
  reason: string;
  attempts: number;
  created_at: number;
  replayed_at: number | null;
}

export interface ApiKeysTable {
  tenant_id: string;
  id: string;
  key_hash: string;
  role: string;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ApiKeyGrantsTable {
  tenant_id: string;
  key_tenant_id: string;
  key_id: string;
  role: string;
  created_at: number;
}

export interface AuditLogTable {
  tenant_id: string;
  seq: number;
  id: string;
  actor: string;
  action: string;
  subject: string;
  details: string;
  at: number;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadsTable {
  tenant_id: string;
  seq: number;
  hash: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface OAuthStatesTable {
  state_hash: string;
  crm: string;
  expires_at: number;
  created_at: number;
  /** Sealed PKCE verifier (Salesforce); null for HubSpot states. */
  verifier: string | null;
}

export interface Database {
  tenants: TenantsTable;
  credentials: CredentialsTable;
  record_versions: RecordVersionsTable;
  events: EventsTable;
  outcomes: OutcomesTable;
  consent: ConsentTable;
  models: ModelsTable;
  policies: PoliciesTable;
  scores: ScoresTable;
  sync_cursors: SyncCursorsTable;
  jobs: JobsTable;
  dead_letters: DeadLettersTable;
  api_keys: ApiKeysTable;
  api_key_grants: ApiKeyGrantsTable;
  audit_log: AuditLogTable;
  audit_heads: AuditHeadsTable;
  schema_migrations: SchemaMigrationsTable;
  oauth_states: OAuthStatesTable;
}
