import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type OrgHandle,
  type SalesforceEmulator,
} from '../../sandbox/salesforce/index.ts';
import { SALESFORCE_JWT_CREDENTIAL } from '../integrations/salesforce/index.ts';
import { cleanEnv, spawnChild, type Exit } from '../runtime/testdata/child.ts';
import { openStore, type Store } from '../kit/store/index.ts';
import { main } from './main.ts';

/**
 * `leadgate connect-salesforce-jwt` through the real entry (bin/leadgate.js in a child process),
 * against the emulator's JWT bearer endpoint, with @salesforce/core signing the assertion.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_ID = 'leadgate-cli-jwt';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM_BODY = PEM.split('\n')[1] ?? 'unused';

let emulator: SalesforceEmulator;
let org: OrgHandle;
let dir: string;
let home: string;
let keyFile: string;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    host: '127.0.0.1',
    connectedApps: [
      {
        clientId: CLIENT_ID,
        clientSecret: 'unused',
        redirectUris: [],
        certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    ],
  });
  org = emulator.createOrg({ username: 'integration@cli-jwt.example' });
  org.insert('Lead', [{ LastName: 'Cli', Company: 'C' }]);
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-cli-jwt-'));
  // @salesforce/core keeps logs and auth files under HOME: a private one per test.
  home = join(dir, 'home');
  mkdirSync(home);
  keyFile = join(dir, 'server.key');
  writeFileSync(keyFile, PEM, { mode: 0o600 });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const data = (): string => join(dir, 'data');

function connect(over: Record<string, string> = {}): Promise<Exit> {
  const args = {
    '--login-url': emulator.url,
    '--client-id': CLIENT_ID,
    '--username': org.username,
    '--key-file': keyFile,
    ...over,
  };
  return spawnChild(['bin/leadgate.js', 'connect-salesforce-jwt', ...Object.entries(args).flat()], {
    cwd: ROOT,
    env: cleanEnv({
      LEADGATE_DATA_DIR: data(),
      LEADGATE_LOG_LEVEL: 'warn',
      HOME: home,
      SF_DISABLE_LOG_FILE: 'true',
    }),
  }).exited;
}

async function withStore<T>(use: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore({ kind: 'sqlite', path: join(data(), 'leadgate.sqlite3') });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * stderr without the warning @salesforce/core emits for an http login URL (the emulator's; a real
 * org is https): Node prints it as two lines before anything of ours.
 */
function ours(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => !/^\(node:\d+\) Warning: Using insecure protocol: http:/.test(l))
    .filter((l) => !l.startsWith('(Use `node --trace-warnings'))
    .join('\n');
}

/** Nothing in the output that is the key, or the user's name. */
function expectNoSecrets(exit: Exit): void {
  const out = exit.stdout + exit.stderr;
  expect(out).not.toContain('PRIVATE KEY');
  expect(out).not.toContain(PEM_BODY);
  expect(out).not.toContain(org.username);
}

describe('leadgate connect-salesforce-jwt', () => {
  it('connects the org: prints the tenant id and what was done, stores the key encrypted, audits it', async () => {
    const exit = await connect();
    expect(ours(exit.stderr)).toBe('');
    expect(exit.code).toBe(0);
    const tenantId = /^tenant (\S+)\n/.exec(exit.stdout)?.[1];
    expect(tenantId).toBeDefined();
    expect(exit.stdout).toContain(`Salesforce org ${org.id} connected: new tenant`);
    expect(exit.stdout).toMatch(/stored encrypted; .*; backfill queued/);
    expectNoSecrets(exit);
    await withStore(async (store) => {
      const tenant = await store.findTenantByExternalId('salesforce', org.id);
      expect(tenant?.id).toBe(tenantId);
      const key = await store.getCredential(tenantId ?? '', SALESFORCE_JWT_CREDENTIAL);
      expect(key?.ciphertext).not.toContain(PEM_BODY);
      expect((await store.countJobs(tenantId)).queued).toBe(1);
      const audit = await store.listAuditRows(tenantId ?? '', 0, 10);
      expect(audit.map((a) => `${a.actor} ${a.action}`)).toEqual([
        'system:install install',
        'cli:operator salesforce.jwt_connect',
      ]);
    });
    // ensureSchema ran: the integration user reads the Leadgate fields.
    expect(org.query('SELECT Id, Leadgate_Score__c FROM Lead')).toHaveLength(1);
    // @salesforce/core's own auth file was not left in the operator's HOME.
    expect(existsSync(join(home, '.sfdx', `${org.username}.json`))).toBe(false);

    // Again: the same tenant, no second backfill.
    const again = await connect();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^tenant ${tenantId ?? 'x'}\\n`));
    expect(again.stdout).toContain('reconnected: existing tenant');
    expect(again.stdout).toContain('no new backfill');
    await withStore(async (store) => {
      expect((await store.listTenants()).map((t) => t.id)).toEqual([tenantId]);
    });
  });

  it('refuses a missing or unreadable key file in one line, before any store exists', async () => {
    const missing = await connect({ '--key-file': join(dir, 'nope.key') });
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `leadgate: cannot read --key-file ${join(dir, 'nope.key')}: no such file\n`,
    });
    const folder = await connect({ '--key-file': home });
    expect(folder).toMatchObject({
      code: 1,
      stderr: `leadgate: cannot read --key-file ${home}: it is a directory\n`,
    });
    // A file that is not a private key: named as the option, its content never echoed.
    const notKey = join(dir, 'cert.pem');
    writeFileSync(notKey, `-----BEGIN CERTIFICATE-----\n${PEM_BODY}\n-----END CERTIFICATE-----\n`);
    const wrong = await connect({ '--key-file': notKey });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      'leadgate: --key-file must hold a PEM private key (-----BEGIN PRIVATE KEY----- …)\n',
    );
    expect(wrong.stderr).not.toContain(PEM_BODY);
    expect(existsSync(join(data(), 'leadgate.sqlite3'))).toBe(false);
  });

  it('refuses a username Salesforce does not know: one line, exit 1, no tenant, nothing audited', async () => {
    const exit = await connect({ '--username': 'nobody@cli-jwt.example' });
    expect(exit.code).toBe(1);
    expect(exit.stdout).toBe('');
    expect(ours(exit.stderr)).toBe(
      "leadgate: Salesforce refused the JWT bearer login: user hasn't approved this consumer\n",
    );
    expectNoSecrets(exit);
    await withStore(async (store) => {
      expect(await store.listTenants()).toEqual([]);
      expect(await store.findTenantByExternalId('salesforce', org.id)).toBeUndefined();
    });
    const raw = new BetterSqlite3(join(data(), 'leadgate.sqlite3'), { readonly: true });
    const count = (table: string): unknown => raw.prepare(`select count(*) as n from ${table}`).get();
    expect([count('audit_log'), count('credentials'), count('jobs')]).toEqual([{ n: 0 }, { n: 0 }, { n: 0 }]);
    raw.close();
  });

  it('names the missing options with the usage (exit 2), without touching anything', async () => {
    const err: string[] = [];
    const code = await main(['connect-salesforce-jwt', '--login-url', 'https://login.salesforce.com'], {
      stdout: () => undefined,
      stderr: (t) => err.push(t),
      now: () => new Date(),
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(
      /^leadgate: connect-salesforce-jwt needs --client-id, --username, --key-file\. Usage: leadgate connect-salesforce-jwt --login-url URL/,
    );
  });
});
