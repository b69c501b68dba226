/**
 * Every environment variable leadgate reads, declared once as data. The loader, the validation and
 * docs/configuration.md are all derived from this list, so a variable cannot be read without being
 * documented, and the documentation cannot drift from the code.
 */

/** A JSON schema for one variable, applied after ajv coerces the raw string (see load-config.ts). */
export interface VariableSchema {
  readonly type: 'string' | 'integer';
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface ConfigVariable {
  readonly name: string;
  readonly description: string;
  /** Shown in the docs; `undefined` means "unset" (the description says what unset means). */
  readonly default: string | undefined;
  /** Secret values are never logged, echoed in error messages or shown by `config describe`. */
  readonly secret: boolean;
  readonly schema: VariableSchema;
  /** Human wording used instead of ajv's "must match pattern ..." message. */
  readonly expected?: string;
}

// Base64 of exactly 32 bytes is 43 base64 characters followed by one '=' pad.
const BASE64_32_BYTES = '[A-Za-z0-9+/]{43}=';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;

export const CONFIG_VARIABLES = [
  {
    name: 'PORT',
    description: 'TCP port the HTTP server listens on (0 picks a free port).',
    default: '3000',
    secret: false,
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
  },
  {
    name: 'HOST',
    description:
      'Interface the HTTP server binds to. Loopback by default so a laptop never exposes the admin API or sandbox to the network; set `0.0.0.0` in a container or behind a load balancer.',
    default: '127.0.0.1',
    secret: false,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.:\\-\\[\\]]+$' },
    expected: 'a host name or IP address',
  },
  {
    name: 'LEADGATE_METRICS_TOKEN',
    description:
      'Bearer token for `/metrics` from clients other than loopback (`Authorization: Bearer <token>`; e.g. `openssl rand -hex 32`). A scraper on this host is served without it, unless its request came through a proxy (`Forwarded` or `X-Forwarded-For`). Unset: other clients get 404, and with a HOST other than loopback start-up logs a warning. `/healthz` and `/readyz` stay open.',
    default: undefined,
    secret: true,
    schema: { type: 'string', minLength: 16, maxLength: 500, pattern: '^[\\x21-\\x7E]+$' },
    expected: 'at least 16 printable ASCII characters without spaces',
  },
  {
    name: 'LEADGATE_DATA_DIR',
    description:
      'Folder for the SQLite database and, in sandbox mode, the generated encryption key. Created if missing.',
    default: './data',
    secret: false,
    schema: { type: 'string', minLength: 1 },
  },
  {
    name: 'LEADGATE_DATABASE_URL',
    description:
      'Unset: embedded SQLite at `<LEADGATE_DATA_DIR>/leadgate.sqlite3`. `postgres://user:pass@host:5432/db`: PostgreSQL, shared by many app and worker processes. Secret because the URL usually carries a password.',
    default: undefined,
    secret: true,
    schema: { type: 'string', pattern: '^postgres(ql)?://.+' },
    expected: 'a postgres:// or postgresql:// URL',
  },
  {
    name: 'LEADGATE_ENCRYPTION_KEY',
    description:
      'AES-256-GCM key for OAuth tokens at rest: base64 of 32 random bytes (`openssl rand -base64 32`). Required unless in sandbox mode, where a key is generated once into the data folder.',
    default: undefined,
    secret: true,
    schema: { type: 'string', pattern: `^${BASE64_32_BYTES}$` },
    expected: 'base64 of exactly 32 bytes (44 characters ending in "=")',
  },
  {
    name: 'LEADGATE_ENCRYPTION_KEYS_OLD',
    description:
      'Comma-separated previous encryption keys (same format), still used to decrypt during a key rotation; new writes always use `LEADGATE_ENCRYPTION_KEY`.',
    default: undefined,
    secret: true,
    schema: { type: 'string', pattern: `^\\s*${BASE64_32_BYTES}(\\s*,\\s*${BASE64_32_BYTES})*\\s*$` },
    expected: 'a comma-separated list of base64 32-byte keys',
  },
  {
    name: 'LEADGATE_LOG_LEVEL',
    description: 'Lowest level written to the JSON log: error, warn, info, http, verbose, debug or silly.',
    default: 'info',
    secret: false,
    schema: { type: 'string', enum: LOG_LEVELS },
  },
  {
    name: 'LEADGATE_MAX_BODY',
    description:
      'Largest request body accepted, e.g. `100kb`, `1mb` (units b, kb, mb; at most 50mb). Larger bodies get 413 `payload_too_large`.',
    default: '1mb',
    secret: false,
    schema: { type: 'string', pattern: '^[0-9]{1,9}\\s*(b|kb|mb)$' },
    expected: 'a size such as 512kb or 1mb',
  },
  {
    name: 'LEADGATE_JOB_CONCURRENCY_PER_TENANT',
    description:
      "Most jobs of one tenant that run at the same time, so one tenant's backfill cannot starve the others or exhaust its CRM rate budget.",
    default: '2',
    secret: false,
    schema: { type: 'integer', minimum: 1, maximum: 64 },
  },
  {
    name: 'LEADGATE_WORKER_SLOTS',
    description:
      "Jobs one process runs at the same time. Jobs mostly wait on CRM APIs, so with one slot a tenant's rate-limited backfill would hold every other tenant's jobs in the queue.",
    default: '2',
    secret: false,
    schema: { type: 'integer', minimum: 1, maximum: 64 },
  },
  {
    name: 'LEADGATE_SHUTDOWN_TIMEOUT_MS',
    description:
      'On SIGTERM, how long in-flight requests may take to finish before their connections are cut.',
    default: '10000',
    secret: false,
    schema: { type: 'integer', minimum: 0, maximum: 600000 },
  },
  {
    name: 'LEADGATE_SYNC_INTERVAL_MS',
    description:
      'How often each live tenant gets an incremental sync, the safety net under webhooks (which are the fast path but can be lost). Processes sharing one database enqueue it once per interval.',
    default: '300000',
    secret: false,
    schema: { type: 'integer', minimum: 1000, maximum: 86400000 },
  },
  {
    name: 'LEADGATE_PUBLIC_URL',
    description:
      'Base URL the CRMs and browsers reach this server at (OAuth redirect URIs, webhook and card URLs). Unset: `http://localhost:<PORT>`; required when CRM credentials are set.',
    default: undefined,
    secret: false,
    schema: { type: 'string', pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' },
    expected: 'an http:// or https:// URL',
  },
  {
    name: 'LEADGATE_SANDBOX_DEMO',
    description:
      'Sandbox mode only: `on` makes `npm start` run the demo with both CRMs (HubSpot and Salesforce emulators, a seeded portal and org, OAuth installs, backfill, scoring, write-back); `off` starts the bare server with the `sandbox` tenant only.',
    default: 'on',
    secret: false,
    schema: { type: 'string', enum: ['on', 'off'] },
  },
  {
    name: 'LEADGATE_SANDBOX_HUBSPOT_PORT',
    description: 'Port of the HubSpot emulator the sandbox demo starts on 127.0.0.1 (0 picks a free port).',
    default: '4101',
    secret: false,
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
  },
  {
    name: 'LEADGATE_SANDBOX_CONTACTS',
    description:
      'Contacts in the portal the sandbox demo generates on a fresh data folder; a resumed demo keeps the size it was created with.',
    default: '5000',
    secret: false,
    schema: { type: 'integer', minimum: 1, maximum: 200000 },
  },
  {
    name: 'LEADGATE_SANDBOX_SALESFORCE_PORT',
    description:
      'Port of the Salesforce emulator the sandbox demo starts on 127.0.0.1 (0 picks a free port).',
    default: '4102',
    secret: false,
    schema: { type: 'integer', minimum: 0, maximum: 65535 },
  },
  {
    name: 'LEADGATE_SANDBOX_SALESFORCE_PEOPLE',
    description:
      'People (Leads and Contacts) in the Salesforce org the sandbox demo generates on a fresh data folder; a resumed demo keeps the size it was created with.',
    default: '2000',
    secret: false,
    schema: { type: 'integer', minimum: 1, maximum: 200000 },
  },
  {
    name: 'HUBSPOT_CLIENT_ID',
    description:
      'OAuth client id of the HubSpot app. Unset together with the Salesforce credentials: sandbox mode (local emulators, no real CRM).',
    default: undefined,
    secret: false,
    schema: { type: 'string', minLength: 1, maxLength: 200 },
  },
  {
    name: 'HUBSPOT_CLIENT_SECRET',
    description: 'OAuth client secret of the HubSpot app; also the key of its webhook v3 signatures.',
    default: undefined,
    secret: true,
    schema: { type: 'string', minLength: 1, maxLength: 500 },
  },
  {
    name: 'HUBSPOT_APP_ID',
    description:
      "Numeric id of the HubSpot app (developer account, the app's page). Required with HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: webhook events naming another app are acknowledged but never acted on, and changes our app made are not rescored.",
    default: undefined,
    secret: false,
    schema: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
  },
  {
    name: 'SALESFORCE_CLIENT_ID',
    description: 'Consumer key of the Salesforce connected app.',
    default: undefined,
    secret: false,
    schema: { type: 'string', minLength: 1, maxLength: 500 },
  },
  {
    name: 'SALESFORCE_CLIENT_SECRET',
    description: 'Consumer secret of the Salesforce connected app.',
    default: undefined,
    secret: true,
    schema: { type: 'string', minLength: 1, maxLength: 500 },
  },
] as const satisfies readonly ConfigVariable[];

export type ConfigVariableName = (typeof CONFIG_VARIABLES)[number]['name'];
