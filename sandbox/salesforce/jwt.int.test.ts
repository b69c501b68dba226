import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesforceEmulator, type OrgHandle, type SalesforceEmulator } from './index.ts';

// @salesforce/core writes logs and auth state under the home directory: keep it in a temp dir.
const home = mkdtempSync(join(tmpdir(), 'sf-jwt-'));
process.env['HOME'] = home;
process.env['SF_DISABLE_LOG_FILE'] = 'true';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyFile = join(home, 'server.key');
writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));

let emulator: SalesforceEmulator;
let org: OrgHandle;

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    connectedApps: [
      {
        clientId: 'leadgate-jwt',
        clientSecret: 'unused',
        redirectUris: [],
        certificate: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    ],
  });
  org = emulator.createOrg({ username: 'integration@leadgate.example' });
  org.insert('Lead', [{ LastName: 'Jwt', Company: 'J' }]);
});

afterAll(async () => {
  await emulator.close();
  rmSync(home, { recursive: true, force: true });
});

describe('JWT bearer flow through @salesforce/core', () => {
  it('authenticates with AuthInfo.create and queries through Connection.create', async () => {
    const { AuthInfo, Connection } = await import('@salesforce/core');
    const authInfo = await AuthInfo.create({
      username: org.username,
      oauth2Options: { clientId: 'leadgate-jwt', loginUrl: emulator.url, privateKeyFile: keyFile },
    });
    expect(authInfo.getFields().orgId).toBe(org.id);
    expect(authInfo.getFields().instanceUrl).toBe(emulator.url);
    const conn = await Connection.create({ authInfo, connectionOptions: { version: '64.0' } });
    const result = await conn.query<{ LastName: string }>('SELECT Id, LastName FROM Lead');
    expect(result.records.map((r) => r.LastName)).toEqual(['Jwt']);
  });

  it('refuses an assertion signed by another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const otherFile = join(home, 'other.key');
    writeFileSync(otherFile, other.export({ type: 'pkcs8', format: 'pem' }));
    const { AuthInfo } = await import('@salesforce/core');
    await expect(
      AuthInfo.create({
        // A fresh username: @salesforce/core refuses to re-create auth for one it already saved.
        username: 'intruder@leadgate.example',
        oauth2Options: { clientId: 'leadgate-jwt', loginUrl: emulator.url, privateKeyFile: otherFile },
      }),
    ).rejects.toThrow(/invalid assertion/);
  });
});
