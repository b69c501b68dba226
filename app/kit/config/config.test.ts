import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, parseSize } from './index.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');
const OLD_KEY = Buffer.alloc(32, 9).toString('base64');

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives the documented defaults and sandbox mode when the environment is empty', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      database: { kind: 'sqlite', path: 'data/leadgate.sqlite3' },
      encryptionKey: null,
      encryptionKeysOld: [],
      logLevel: 'info',
      maxBodyBytes: 1024 * 1024,
      jobConcurrencyPerTenant: 2,
      syncIntervalMs: 300_000,
      publicUrl: 'http://localhost:3000',
      hubspot: null,
      salesforce: null,
      sandbox: true,
    });
  });

  it('switches to PostgreSQL when the database URL is a postgres URL', () => {
    const config = loadConfig({ LEADGATE_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/leadgate' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@127.0.0.1:5432/leadgate' });
  });

  it('decodes the encryption key and the old keys when they are base64 of 32 bytes', () => {
    const config = loadConfig({
      LEADGATE_ENCRYPTION_KEY: KEY,
      LEADGATE_ENCRYPTION_KEYS_OLD: `${OLD_KEY} , ${KEY}`,
    });
    expect(config.encryptionKey?.length).toBe(32);
    expect(config.encryptionKeysOld.map((k) => k.length)).toEqual([32, 32]);
  });

  it('leaves sandbox mode when CRM credentials are complete', () => {
    const config = loadConfig({
      HUBSPOT_CLIENT_ID: 'id',
      HUBSPOT_CLIENT_SECRET: 'shh',
      HUBSPOT_APP_ID: '54321',
      LEADGATE_ENCRYPTION_KEY: KEY,
      LEADGATE_PUBLIC_URL: 'https://leadgate.example.com/',
    });
    expect(config.sandbox).toBe(false);
    expect(config.hubspot).toEqual({ clientId: 'id', clientSecret: 'shh', appId: 54321 });
    expect(config.publicUrl).toBe('https://leadgate.example.com');
  });

  it('requires HUBSPOT_APP_ID with the HubSpot client, and only with it (issue 14 item 2)', () => {
    const production = {
      LEADGATE_ENCRYPTION_KEY: KEY,
      LEADGATE_PUBLIC_URL: 'https://leadgate.example.com',
    };
    expect(problemsOf({ ...production, HUBSPOT_CLIENT_ID: 'id', HUBSPOT_CLIENT_SECRET: 'shh' })).toEqual([
      expect.stringMatching(/^HUBSPOT_APP_ID: required with HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET/),
    ]);
    expect(problemsOf({ HUBSPOT_APP_ID: '54321' })).toEqual([
      'HUBSPOT_APP_ID: set only with HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET',
    ]);
    expect(
      problemsOf({
        ...production,
        HUBSPOT_CLIENT_ID: 'id',
        HUBSPOT_CLIENT_SECRET: 'shh',
        HUBSPOT_APP_ID: 'x',
      }),
    ).toEqual([expect.stringMatching(/^HUBSPOT_APP_ID:/)]);
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '', LEADGATE_DATABASE_URL: ' ' }).port).toBe(3000);
  });

  it('lists every problem at once when several variables are wrong', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LEADGATE_LOG_LEVEL: 'loud',
      LEADGATE_MAX_BODY: 'huge',
      LEADGATE_DATABASE_URL: 'mysql://x',
      LEADGATE_ENCRYPTION_KEY: 'c2hvcnQ=',
      LEADGATE_JOB_CONCURRENCY_PER_TENANT: '0',
      HUBSPOT_CLIENT_ID: 'id',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT:/),
        expect.stringMatching(/^LEADGATE_LOG_LEVEL: must be one of error, warn/),
        expect.stringMatching(/^LEADGATE_MAX_BODY:/),
        expect.stringMatching(/^LEADGATE_DATABASE_URL: must be a postgres/),
        expect.stringMatching(/^LEADGATE_ENCRYPTION_KEY: must be base64/),
        expect.stringMatching(/^LEADGATE_JOB_CONCURRENCY_PER_TENANT:/),
        'HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: set both or neither',
        expect.stringMatching(/^LEADGATE_PUBLIC_URL: required/),
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('never echoes a secret value in a problem', () => {
    const secret = 'not-a-key-but-secret-value';
    const problems = problemsOf({
      LEADGATE_ENCRYPTION_KEY: secret,
      LEADGATE_DATABASE_URL: `mysql://${secret}`,
    });
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('requires an encryption key outside sandbox mode', () => {
    const problems = problemsOf({
      SALESFORCE_CLIENT_ID: 'id',
      SALESFORCE_CLIENT_SECRET: 's',
      LEADGATE_PUBLIC_URL: 'https://x.example',
    });
    expect(problems).toEqual([expect.stringMatching(/^LEADGATE_ENCRYPTION_KEY: required/)]);
  });

  it('reads LEADGATE_METRICS_TOKEN, null when unset (issue 14 item 15)', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    const token = 'm'.repeat(32);
    expect(loadConfig({ LEADGATE_METRICS_TOKEN: token }).metricsToken).toBe(token);
  });

  it('refuses a metrics token too short to resist guessing, without echoing it', () => {
    const problems = problemsOf({ LEADGATE_METRICS_TOKEN: 'short-token' });
    expect(problems).toEqual([expect.stringMatching(/^LEADGATE_METRICS_TOKEN: must /)]);
    expect(problems.join('\n')).not.toContain('short-token');
  });

  it('refuses a body limit above 50mb', () => {
    expect(problemsOf({ LEADGATE_MAX_BODY: '51mb' })).toEqual([
      'LEADGATE_MAX_BODY: must be between 1b and 50mb',
    ]);
  });
});

describe('parseSize', () => {
  it.each([
    ['10b', 10],
    ['1kb', 1024],
    ['2 MB', 2 * 1024 * 1024],
  ])('reads %s as %i bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
});

describe('configuration docs', () => {
  it('declares a description and an ajv schema for every variable, each name once', () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const v of CONFIG_VARIABLES) expect(v.description.length).toBeGreaterThan(10);
  });
});
