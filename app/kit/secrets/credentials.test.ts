import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store/index.ts';
import type { TestDb } from '../store/test-support.ts';
import { testDbFactories } from '../store/test-support.ts';
import { DecryptError } from './envelope.ts';
import { createKeyRing } from './key-ring.ts';
import { loadCredential, reencryptCredentials, saveCredential } from './credentials.ts';

const factories = await testDbFactories();
const T0 = Date.UTC(2026, 0, 1);
const ACCESS = 'pat-na1-ACCESS-0123456789abcdef';
const REFRESH = 'REFRESH-fedcba9876543210-token';

describe.each(factories)('encrypted credentials on $kind', (factory) => {
  let db: TestDb;
  let store: Store;
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  beforeAll(async () => {
    db = await factory.create();
    store = await db.open();
    await store.createTenant({ id: 'ta', crm: 'hubspot', externalId: '1', name: 'A' }, T0);
    await store.createTenant({ id: 'tb', crm: 'hubspot', externalId: '2', name: 'B' }, T0);
  });
  afterAll(async () => {
    await store.close();
    await db.destroy();
  });

  it('round-trips a token set', async () => {
    const ring = createKeyRing(k1);
    await saveCredential(store, ring, 'ta', 'oauth', { accessToken: ACCESS, refreshToken: REFRESH }, T0);
    expect(await loadCredential(store, ring, 'ta', 'oauth')).toEqual({
      accessToken: ACCESS,
      refreshToken: REFRESH,
    });
    expect(await loadCredential(store, ring, 'ta', 'missing')).toBeUndefined();
  });

  it('leaves no token plaintext in the raw database', async () => {
    const raw = db.raw();
    try {
      const rows = await raw.query('select * from credentials');
      expect(rows.length).toBeGreaterThan(0);
      const dump = JSON.stringify(rows);
      expect(dump).not.toContain(ACCESS);
      expect(dump).not.toContain(REFRESH);
    } finally {
      await raw.close();
    }
    if (db.kind === 'sqlite') {
      // Every byte on disk: the main file and the WAL (recent commits live there until a checkpoint).
      for (const file of [db.location, `${db.location}-wal`]) {
        if (!existsSync(file)) continue;
        const bytes = readFileSync(file);
        expect(bytes.includes(Buffer.from(ACCESS))).toBe(false);
        expect(bytes.includes(Buffer.from(REFRESH))).toBe(false);
      }
      // Sanity check of the method: plaintext that *is* stored is found the same way.
      const all = Buffer.concat([
        readFileSync(db.location),
        existsSync(`${db.location}-wal`) ? readFileSync(`${db.location}-wal`) : Buffer.alloc(0),
      ]);
      expect(all.includes(Buffer.from('oauth'))).toBe(true);
    }
  });

  it('will not open a ciphertext copied onto another tenant', async () => {
    const ring = createKeyRing(k1);
    const row = await store.getCredential('ta', 'oauth');
    await store.putCredential({ ...row!, tenantId: 'tb' });
    await expect(loadCredential(store, ring, 'tb', 'oauth')).rejects.toBeInstanceOf(DecryptError);
    await store.deleteCredential('tb', 'oauth');
  });

  it('after rotation opens old rows, writes new ones under the new key, and re-encrypts', async () => {
    const rotated = createKeyRing(k2, [k1]);
    expect(await loadCredential(store, rotated, 'ta', 'oauth')).toMatchObject({ accessToken: ACCESS });
    await saveCredential(store, rotated, 'tb', 'oauth', { accessToken: 'new' }, T0 + 1);
    expect((await store.getCredential('tb', 'oauth'))?.keyId).toBe(rotated.current.id);

    expect(await reencryptCredentials(store, rotated, T0 + 2)).toBe(1);
    expect(await reencryptCredentials(store, rotated, T0 + 3)).toBe(0);
    // The old key can now be dropped.
    const onlyNew = createKeyRing(k2);
    expect(await loadCredential(store, onlyNew, 'ta', 'oauth')).toMatchObject({ refreshToken: REFRESH });
  });

  it('does not overwrite a credential saved between listing and re-encrypting', async () => {
    const ring = createKeyRing(k1);
    await saveCredential(store, ring, 'ta', 'race', { accessToken: 'old' }, T0);
    const listed = await store.getCredential('ta', 'race');
    await saveCredential(store, createKeyRing(k2, [k1]), 'ta', 'race', { accessToken: 'refreshed' }, T0 + 1);
    expect(await store.putCredential({ ...listed!, updatedAt: T0 + 2 }, listed!.ciphertext)).toBe(false);
    expect(await loadCredential(store, createKeyRing(k2), 'ta', 'race')).toEqual({
      accessToken: 'refreshed',
    });
  });
});
