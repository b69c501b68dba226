import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Versioned migrations, applied in order and recorded in schema_migrations. Never edit a released
 * migration: add a new one. The same DDL serves both dialects: 'bigint' has INTEGER affinity in SQLite
 * and 'double precision' REAL affinity, so no per-dialect branches are needed.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<Database>): Promise<void>;
}

const ms = 'bigint' as const;

async function initialSchema(db: Kysely<Database>): Promise<void> {
  const s = db.schema;

  // The tenant row is keyed by the tenant id itself; (crm, external_id) finds it from a webhook.
  await s
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('crm', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addUniqueConstraint('tenants_crm_external_id', ['crm', 'external_id'])
    .execute();

  await s
    .createTable('credentials')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('credentials_pk', ['tenant_id', 'name'])
    .execute();

  await s
    .createTable('record_versions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('crm_id', 'text', (c) => c.notNull())
    .addColumn('valid_from', ms, (c) => c.notNull())
    .addColumn('valid_to', ms)
    .addColumn('properties', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_versions_pk', ['tenant_id', 'object_type', 'crm_id', 'valid_from'])
    .execute();
  // At most one open (current) version per record, enforced by the database, not by convention.
  await s
    .createIndex('record_versions_current')
    .on('record_versions')
    .columns(['tenant_id', 'object_type', 'crm_id'])
    .unique()
    .where(sql<boolean>`valid_to is null`)
    .execute();
  await s
    .createIndex('record_versions_snapshot')
    .on('record_versions')
    .columns(['tenant_id', 'object_type', 'valid_from'])
    .execute();

  // source_id in the primary key makes ingestion idempotent per tenant.
  await s
    .createTable('events')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', ms, (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['tenant_id', 'source_id'])
    .execute();
  await s
    .createIndex('events_person_time')
    .on('events')
    .columns(['tenant_id', 'person_id', 'occurred_at'])
    .execute();

  await s
    .createTable('outcomes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', ms, (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('outcomes_pk', ['tenant_id', 'person_id', 'type', 'occurred_at'])
    .execute();
  await s.createIndex('outcomes_time').on('outcomes').columns(['tenant_id', 'occurred_at']).execute();

  await s
    .createTable('consent')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('recorded_at', ms, (c) => c.notNull())
    .addColumn('lawful_basis', 'text', (c) => c.notNull())
    .addColumn('opted_out', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_pk', ['tenant_id', 'person_id', 'recorded_at'])
    .execute();

  await s
    .createTable('models')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('artifact', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('models_pk', ['tenant_id', 'version'])
    .execute();
  // One champion per tenant, guaranteed by the database.
  await s
    .createIndex('models_one_champion')
    .on('models')
    .column('tenant_id')
    .unique()
    .where(sql<boolean>`state = 'champion'`)
    .execute();

  await s
    .createTable('policies')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('policies_pk', ['tenant_id', 'version'])
    .execute();

  await s
    .createTable('scores')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text')
    .addColumn('policy_version', 'integer')
    .addColumn('inputs_hash', 'text', (c) => c.notNull())
    .addColumn('probability', 'double precision', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('fit_score', 'double precision')
    .addColumn('engagement_score', 'double precision')
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('write_back', 'text', (c) => c.notNull())
    .addColumn('write_back_error', 'text')
    .addColumn('write_back_at', ms)
    .addColumn('scored_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('scores_pk', ['tenant_id', 'id'])
    .execute();
  await s
    .createIndex('scores_person_time')
    .on('scores')
    .columns(['tenant_id', 'person_id', 'scored_at'])
    .execute();
  await s
    .createIndex('scores_write_back')
    .on('scores')
    .columns(['tenant_id', 'write_back', 'scored_at'])
    .execute();

  await s
    .createTable('sync_cursors')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('sync_cursors_pk', ['tenant_id', 'stream'])
    .execute();

  await s
    .createTable('jobs')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', ms, (c) => c.notNull())
    .addColumn('checkpoint', 'text')
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('jobs_pk', ['tenant_id', 'id'])
    // NULL keys are distinct in both dialects, so jobs without a key never collide.
    .addUniqueConstraint('jobs_idempotency', ['tenant_id', 'idempotency_key'])
    .execute();
  await s.createIndex('jobs_state_run_at').on('jobs').columns(['tenant_id', 'state', 'run_at']).execute();

  await s
    .createTable('dead_letters')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('job_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('replayed_at', ms)
    .addPrimaryKeyConstraint('dead_letters_pk', ['tenant_id', 'id'])
    .execute();

  await s
    .createTable('api_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('revoked_at', ms)
    .addPrimaryKeyConstraint('api_keys_pk', ['tenant_id', 'id'])
    .execute();
  // The one index not led by tenant_id: authentication looks a key up before it knows the tenant.
  await s.createIndex('api_keys_hash').on('api_keys').column('key_hash').unique().execute();

  await s
    .createTable('audit_log')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', ms, (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('at', ms, (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_pk', ['tenant_id', 'seq'])
    .execute();
  // The head row is what appenders lock (SELECT … FOR UPDATE in PG) so two appends never fork a chain;
  // it also lets verification notice entries removed from the end of a chain.
  await s
    .createTable('audit_heads')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey())
    .addColumn('seq', ms, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

/**
 * OAuth install states (issue 4 item 3): single-use and expiring, shared by every process behind the
 * load balancer, so the callback may land on another process than the redirect. Keyed by the SHA-256
 * of the state, never the state itself; not tenant-owned (the tenant does not exist yet).
 */
async function oauthStates(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('oauth_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('crm', 'text', (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_states_expires').on('oauth_states').column('expires_at').execute();
}

/**
 * Salesforce PKCE (salesforce.md §1.3): the `code_verifier` must reach the token request on whichever
 * process takes the callback, so it lives beside the state, sealed by the caller. Null for HubSpot.
 */
async function oauthStateVerifier(db: Kysely<Database>): Promise<void> {
  await db.schema.alterTable('oauth_states').addColumn('verifier', 'text').execute();
}

/**
 * An API key granted read access to another tenant's status (issue 5, item 8: the demo's one status
 * call shows its HubSpot portal and its Salesforce org). Led by the granted tenant, so a tenant's
 * grants are exported or deleted with it; the second index finds a key's grants at request time.
 */
async function apiKeyGrants(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('api_key_grants')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key_tenant_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('api_key_grants_pk', ['tenant_id', 'key_tenant_id', 'key_id'])
    .execute();
  await db.schema
    .createIndex('api_key_grants_key')
    .on('api_key_grants')
    .columns(['key_tenant_id', 'key_id'])
    .execute();
}

/**
 * Write-back claims (issue 14 item 7): a write-back run marks the scores it is about to send with its
 * token and an expiry. While a claim is live no other run sends a score of that person, so two runs
 * cannot land one person's scores in the CRM out of order, and a run marks a row written only while
 * the row still carries its token. Nullable: no claim on the rows that exist.
 */
async function writeBackClaims(db: Kysely<Database>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable('scores').addColumn('write_claim', 'text').execute();
  await db.schema.alterTable('scores').addColumn('write_claim_until', ms).execute();
  // A claim reads pending rows in (scored_at, id) order a batch at a time; with id in the index the
  // database walks it and stops at the batch, instead of sorting every pending row on each claim.
  await db.schema
    .createIndex('scores_write_back_order')
    .on('scores')
    .columns(['tenant_id', 'write_back', 'scored_at', 'id'])
    .execute();
  // Its leading columns were this index: one index kept up on every score write, not two.
  await db.schema.dropIndex('scores_write_back').execute();
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '0001_initial_schema', up: initialSchema },
  { version: 2, name: '0002_oauth_states', up: oauthStates },
  { version: 3, name: '0003_oauth_state_verifier', up: oauthStateVerifier },
  { version: 4, name: '0004_api_key_grants', up: apiKeyGrants },
  { version: 5, name: '0005_write_back_claims', up: writeBackClaims },
];
