import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type OrgHandle,
  type SalesforceEmulator,
} from '../../../sandbox/salesforce/index.ts';
import {
  createSalesforceConnectorFactory,
  createSalesforceOAuthClient,
  loadSalesforceSession,
  SALESFORCE_JWT_CREDENTIAL,
} from './index.ts';
import { createKeyRing, type KeyRing } from '../../kit/secrets/index.ts';
import type { AuditEntry } from '../../kit/audit/index.ts';
import { HttpError } from '../../kit/http/index.ts';
import type { Store } from '../../kit/store/index.ts';
import { sqliteFactory, type TestDb } from '../../kit/store/test-support.ts';
import { connectSalesforceJwt } from './jwt-connect.ts';

// @salesforce/core writes logs and state under HOME: keep it in a temp dir.
const home = mkdtempSync(join(tmpdir(), 'sf-jwt-connect-'));
process.env['HOME'] = home;
process.env['SF_DISABLE_LOG_FILE'] = 'true';

const CLIENT_ID = 'leadgate-jwt';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let emulator: SalesforceEmulator;
let org: OrgHandle;
let db: TestDb;
let store: Store;
let ring: KeyRing;
let audits: AuditEntry[];
const clock = { now: () => Date.UTC(2026, 0, 15, 12) };

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    connectedApps: [
      {
        clientId: CLIENT_ID,
        clientSecret: 'unused',
        redirectUris: [],
        certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    ],
  });
  org = emulator.createOrg({ username: 'integration@jwt-connect.example' });
  org.insert('Lead', [{ LastName: 'Jwt', Company: 'J' }]);
});

afterAll(async () => {
  await emulator.close();
  rmSync(home, { recursive: true, force: true });
});

beforeEach(async () => {
  db = await sqliteFactory.create();
  store = await db.open();
  ring = createKeyRing(randomBytes(32));
  audits = [];
});

afterEach(async () => {
  await store.close();
  await db.destroy();
});

function deps() {
  const oauth = createSalesforceOAuthClient({
    clientId: CLIENT_ID,
    clientSecret: '',
    loginUrl: emulator.url,
  });
  const audit = (entry: AuditEntry): Promise<void> => {
    audits.push(entry);
    return Promise.resolve();
  };
  const connectorFor = createSalesforceConnectorFactory({
    store,
    ring,
    oauth,
    clock,
    audit,
    sleep: () => Promise.resolve(),
    budgetShare: 1,
    verifyWaitsMs: [0],
  });
  return { store, ring, clock, audit, connectorFor };
}

const input = (over: Record<string, unknown> = {}) => ({
  loginUrl: emulator.url,
  clientId: CLIENT_ID,
  username: org.username,
  privateKeyPem: PEM,
  ...over,
});

describe('connecting a Salesforce org through the JWT bearer flow', () => {
  it('runs the connect steps, keeps the key encrypted and renews an expired session with a new assertion', async () => {
    const tokenCalls = (() => {
      emulator.faults.add({ kind: 'latency', latencyMs: 0, method: 'POST', path: '/services/oauth2/token' });
      const i = emulator.faults.firedCounts().length - 1;
      return () => emulator.faults.firedCounts()[i] ?? 0;
    })();
    const d = deps();
    const result = await connectSalesforceJwt(d, input(), 'cli:operator');
    expect(result.created).toBe(true);
    expect(result.backfillQueued).toBe(true);
    expect(result.tenant.externalId).toBe(org.id);
    const session = await loadSalesforceSession(store, ring, result.tenant.id);
    expect(session).toMatchObject({ flow: 'jwt', refreshToken: null, username: org.username, orgId: org.id });
    // The fields exist and the integration user can read them (ensureSchema verified it).
    expect(org.query('SELECT Id, Leadgate_Score__c FROM Lead')).toHaveLength(1);
    // Encrypted at rest: the row holds no part of the PEM.
    const row = await store.getCredential(result.tenant.id, SALESFORCE_JWT_CREDENTIAL);
    expect(row?.ciphertext).toBeDefined();
    expect(row?.ciphertext).not.toContain('PRIVATE KEY');
    expect(row?.ciphertext).not.toContain(PEM.split('\n')[1] ?? 'x');
    expect(audits.map((a) => `${a.actor} ${a.action}`)).toEqual([
      'system:install install',
      'cli:operator salesforce.jwt_connect',
    ]);
    expect(JSON.stringify(audits)).not.toContain('PRIVATE KEY');
    // @salesforce/core's own copy of the session under HOME is gone again.
    expect(existsSync(join(home, '.sfdx', `${org.username}.json`))).toBe(false);
    expect(tokenCalls()).toBeGreaterThanOrEqual(1);

    // The session dies; the next call answers INVALID_SESSION_ID and a new assertion is exchanged.
    org.expireSessions();
    const before = tokenCalls();
    const connector = await d.connectorFor(result.tenant);
    const people = await connector.listPeople();
    expect(people.items.map((p) => p.properties['LastName'] ?? p.crmId)).toHaveLength(1);
    expect(tokenCalls()).toBe(before + 1);
    const renewed = await loadSalesforceSession(store, ring, result.tenant.id);
    expect(renewed?.flow).toBe('jwt');
    expect(renewed?.accessToken).not.toBe(session?.accessToken);

    // Connecting again finds the same tenant and queues no second backfill.
    const again = await connectSalesforceJwt(d, input(), 'cli:operator');
    expect(again).toMatchObject({ created: false, backfillQueued: false });
    expect(again.tenant.id).toBe(result.tenant.id);
  });

  it('refuses malformed input naming the field, and a key the connected app does not know', async () => {
    await expect(
      connectSalesforceJwt(deps(), input({ privateKeyPem: 'not a key' }), 'cli:x'),
    ).rejects.toThrow(/privateKeyPem/);
    await expect(connectSalesforceJwt(deps(), input({ extra: 1 }), 'cli:x')).rejects.toBeInstanceOf(
      HttpError,
    );
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await expect(
      connectSalesforceJwt(
        deps(),
        input({ privateKeyPem: other, username: 'other@jwt-connect.example' }),
        'cli:x',
      ),
    ).rejects.toThrow(/refused the JWT bearer login/);
    expect(await store.findTenantByExternalId('salesforce', org.id)).toBeUndefined();
  });
});
