import path from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { CONFIG_VARIABLES, LOG_LEVELS } from './variables.ts';
import type { ConfigVariable, ConfigVariableName } from './variables.ts';

export type LogLevel = (typeof LOG_LEVELS)[number];

export type DatabaseConfig =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

export interface OAuthClientConfig {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The HubSpot app: its OAuth client and its app id (webhook events of another app are refused). */
export interface HubSpotAppConfig extends OAuthClientConfig {
  readonly appId: number;
}

/** The validated, typed configuration. Built only by `loadConfig`. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** LEADGATE_METRICS_TOKEN: what a non-loopback client of /metrics must present; null when unset. */
  readonly metricsToken: string | null;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  /** 32 raw bytes, or null in sandbox mode when unset (the secrets module then generates one). */
  readonly encryptionKey: Buffer | null;
  /** Previous keys, newest first as listed, for decrypting during a rotation. */
  readonly encryptionKeysOld: readonly Buffer[];
  readonly logLevel: LogLevel;
  readonly maxBodyBytes: number;
  readonly jobConcurrencyPerTenant: number;
  readonly workerSlots: number;
  readonly shutdownTimeoutMs: number;
  /** Interval of the incremental sweep (app/pipeline/sweep.ts). */
  readonly syncIntervalMs: number;
  readonly publicUrl: string;
  readonly hubspot: HubSpotAppConfig | null;
  readonly salesforce: OAuthClientConfig | null;
  /** No CRM credentials at all: run against the local emulators. */
  readonly sandbox: boolean;
  /** What `npm start` runs in sandbox mode (demo/); ignored outside it. */
  readonly sandboxDemo: SandboxDemoConfig;
}

export interface SandboxDemoConfig {
  readonly enabled: boolean;
  readonly hubspotPort: number;
  readonly contacts: number;
  readonly salesforcePort: number;
  /** Leads and Contacts in the demo org. */
  readonly salesforcePeople: number;
}

/** Thrown by `loadConfig` with every problem found, so one start-up attempt reveals them all. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem(s)):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** At most 50 MB: a bigger body is a mistake or an attack, never a lead payload. */
const MAX_BODY_CEILING = 50 * 1024 * 1024;

const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses `512kb`-style sizes (already checked against the variable's pattern). */
export function parseSize(text: string): number {
  const match = /^([0-9]+)\s*(b|kb|mb)$/i.exec(text.trim());
  const unit = match?.[2]?.toLowerCase();
  const factor = unit === undefined ? undefined : UNITS[unit];
  if (match?.[1] === undefined || factor === undefined) throw new Error(`not a size: ${text}`);
  return Number(match[1]) * factor;
}

const schema = {
  type: 'object',
  properties: Object.fromEntries(CONFIG_VARIABLES.map((v) => [v.name, v.schema])),
};

// allErrors: report every bad variable at once; coerceTypes: env values are strings, "3000" → 3000.
const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: true });
const validate = ajv.compile<Record<string, string | number | undefined>>(schema);

const byName = new Map<string, ConfigVariable>(CONFIG_VARIABLES.map((v) => [v.name, v]));

/** Wording of one ajv error; never includes the value, which may be a secret. */
function describeProblem(error: ErrorObject): string {
  const name = error.instancePath.replace(/^\//, '');
  const variable = byName.get(name);
  if (variable?.expected !== undefined && (error.keyword === 'pattern' || error.keyword === 'type')) {
    return `${name}: must be ${variable.expected}`;
  }
  if (error.keyword === 'enum' && variable?.schema.enum !== undefined) {
    return `${name}: must be one of ${variable.schema.enum.join(', ')}`;
  }
  return `${name}: ${error.message ?? 'is invalid'}`;
}

type RawEnv = Readonly<Record<string, string | undefined>>;

/** Reads declared variables; an empty string counts as unset (docker-compose writes `X=` for "no value"). */
function readRaw(env: RawEnv): Record<string, string | number | undefined> {
  const raw: Record<string, string | number | undefined> = {};
  for (const variable of CONFIG_VARIABLES) {
    const value = env[variable.name];
    const given = value === undefined || value.trim() === '' ? undefined : value.trim();
    const chosen = given ?? variable.default;
    if (chosen !== undefined) raw[variable.name] = chosen;
  }
  return raw;
}

function pair(
  raw: Record<string, string | number | undefined>,
  idName: ConfigVariableName,
  secretName: ConfigVariableName,
  problems: string[],
): OAuthClientConfig | null {
  const clientId = raw[idName];
  const clientSecret = raw[secretName];
  if (clientId === undefined && clientSecret === undefined) return null;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string') {
    problems.push(`${idName} and ${secretName}: set both or neither`);
    return null;
  }
  return { clientId, clientSecret };
}

/** The HubSpot client plus HUBSPOT_APP_ID: the id goes with the client, never alone or missing. */
function hubspotApp(
  raw: Record<string, string | number | undefined>,
  client: OAuthClientConfig | null,
  problems: string[],
): HubSpotAppConfig | null {
  const appId = raw.HUBSPOT_APP_ID;
  const clientGiven = raw.HUBSPOT_CLIENT_ID !== undefined || raw.HUBSPOT_CLIENT_SECRET !== undefined;
  if (appId !== undefined && !clientGiven) {
    problems.push('HUBSPOT_APP_ID: set only with HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET');
    return null;
  }
  if (client === null) return null;
  if (typeof appId !== 'number') {
    if (appId === undefined) {
      problems.push(
        'HUBSPOT_APP_ID: required with HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET (webhook events are checked against it)',
      );
    }
    return null;
  }
  return { ...client, appId };
}

function str(raw: Record<string, string | number | undefined>, name: ConfigVariableName): string | undefined {
  const value = raw[name];
  return value === undefined ? undefined : String(value);
}

/**
 * Builds the configuration from an environment (pass `process.env` at the composition root, a plain
 * object in tests). Throws `ConfigError` listing every problem found.
 */
export function loadConfig(env: RawEnv): Config {
  const raw = readRaw(env);
  const problems: string[] = [];
  if (!validate(raw)) {
    for (const error of validate.errors ?? []) problems.push(describeProblem(error));
  }
  const bad = new Set(problems.map((p) => p.split(':')[0]));

  const hubspotClient = pair(raw, 'HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', problems);
  const hubspot = hubspotApp(raw, hubspotClient, problems);
  const salesforce = pair(raw, 'SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET', problems);
  const credentialsGiven = [
    'HUBSPOT_CLIENT_ID',
    'HUBSPOT_CLIENT_SECRET',
    'SALESFORCE_CLIENT_ID',
    'SALESFORCE_CLIENT_SECRET',
  ].some((name) => raw[name] !== undefined);
  const sandbox = !credentialsGiven;

  const keyText = str(raw, 'LEADGATE_ENCRYPTION_KEY');
  if (!sandbox && keyText === undefined) {
    problems.push('LEADGATE_ENCRYPTION_KEY: required when CRM credentials are set (outside sandbox mode)');
  }
  const publicUrlText = str(raw, 'LEADGATE_PUBLIC_URL');
  if (!sandbox && publicUrlText === undefined) {
    problems.push('LEADGATE_PUBLIC_URL: required when CRM credentials are set (OAuth redirect URIs use it)');
  }

  let maxBodyBytes = 0;
  const maxBodyText = str(raw, 'LEADGATE_MAX_BODY');
  if (maxBodyText !== undefined && !bad.has('LEADGATE_MAX_BODY')) {
    maxBodyBytes = parseSize(maxBodyText);
    if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_CEILING) {
      problems.push('LEADGATE_MAX_BODY: must be between 1b and 50mb');
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  // After validation every defaulted variable is present and has its schema's type.
  const port = Number(raw.PORT);
  const dataDir = str(raw, 'LEADGATE_DATA_DIR') ?? './data';
  const databaseUrl = str(raw, 'LEADGATE_DATABASE_URL');
  const oldKeys = str(raw, 'LEADGATE_ENCRYPTION_KEYS_OLD');
  return {
    port,
    host: str(raw, 'HOST') ?? '127.0.0.1',
    metricsToken: str(raw, 'LEADGATE_METRICS_TOKEN') ?? null,
    dataDir,
    database:
      databaseUrl === undefined
        ? { kind: 'sqlite', path: path.join(dataDir, 'leadgate.sqlite3') }
        : { kind: 'postgres', url: databaseUrl },
    encryptionKey: keyText === undefined ? null : Buffer.from(keyText, 'base64'),
    encryptionKeysOld:
      oldKeys === undefined ? [] : oldKeys.split(',').map((k) => Buffer.from(k.trim(), 'base64')),
    logLevel: LOG_LEVELS.find((l) => l === raw.LEADGATE_LOG_LEVEL) ?? 'info',
    maxBodyBytes,
    jobConcurrencyPerTenant: Number(raw.LEADGATE_JOB_CONCURRENCY_PER_TENANT),
    workerSlots: Number(raw.LEADGATE_WORKER_SLOTS),
    shutdownTimeoutMs: Number(raw.LEADGATE_SHUTDOWN_TIMEOUT_MS),
    syncIntervalMs: Number(raw.LEADGATE_SYNC_INTERVAL_MS),
    publicUrl: (publicUrlText ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    hubspot,
    salesforce,
    sandbox,
    sandboxDemo: {
      enabled: raw.LEADGATE_SANDBOX_DEMO !== 'off',
      hubspotPort: Number(raw.LEADGATE_SANDBOX_HUBSPOT_PORT),
      contacts: Number(raw.LEADGATE_SANDBOX_CONTACTS),
      salesforcePort: Number(raw.LEADGATE_SANDBOX_SALESFORCE_PORT),
      salesforcePeople: Number(raw.LEADGATE_SANDBOX_SALESFORCE_PEOPLE),
    },
  };
}
