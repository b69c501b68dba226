/**
 * Test-only helpers: store factories so one suite runs on SQLite and PostgreSQL, plus raw SQL access
 * for tamper and at-rest tests. Not exported from index.ts; production code never imports this.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openStore } from './open-store.ts';
import type { Store, StoreConfig, StoreKind } from './types.ts';

export const PG_TEST_URL =
  process.env.LEADGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Raw SQL straight to the database, bypassing the store. `?` placeholders in both dialects. */
export interface RawDb {
  query(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface TestDb {
  kind: StoreKind;
  /** config that opens another store (another pool / handle) on the same database */
  config: StoreConfig;
  /** a fresh, migrated store on this database */
  open(): Promise<Store>;
  raw(): RawDb;
  /** file path (SQLite) or schema (PG) */
  location: string;
  destroy(): Promise<void>;
}

export interface TestDbFactory {
  kind: StoreKind;
  create(): Promise<TestDb>;
}

async function openMigrated(config: StoreConfig): Promise<Store> {
  const store = openStore(config);
  await store.migrate();
  return store;
}

export const sqliteFactory: TestDbFactory = {
  kind: 'sqlite',
  create() {
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-store-'));
    const path = join(dir, 'leadgate.db');
    const config: StoreConfig = { kind: 'sqlite', path };
    return Promise.resolve({
      kind: 'sqlite',
      config,
      location: path,
      open: () => openMigrated(config),
      raw: () => {
        const db = new BetterSqlite3(path, { timeout: 10_000 });
        return {
          query: (text, params = []) => {
            const stmt = db.prepare(text);
            return Promise.resolve(
              stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []),
            );
          },
          close: () => {
            db.close();
            return Promise.resolve();
          },
        };
      },
      destroy: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  },
};

function toPgPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export const postgresFactory: TestDbFactory = {
  kind: 'postgres',
  create() {
    // Each run gets its own schema so parallel runs (and parallel test files) never see each other.
    const schema = `leadgate_test_${randomBytes(6).toString('hex')}`;
    const config: StoreConfig = { kind: 'postgres', url: PG_TEST_URL, schema, maxConnections: 4 };
    return Promise.resolve({
      kind: 'postgres',
      config,
      location: schema,
      open: () => openMigrated(config),
      raw: () => {
        const pool = new pg.Pool({
          connectionString: PG_TEST_URL,
          max: 1,
          options: `-c search_path=${schema}`,
        });
        return {
          query: async (text, params = []) =>
            (await pool.query(toPgPlaceholders(text), [...params])).rows as Record<string, unknown>[],
          close: () => pool.end(),
        };
      },
      destroy: async () => {
        const client = new pg.Client({ connectionString: PG_TEST_URL });
        await client.connect();
        try {
          await client.query(`drop schema if exists "${schema}" cascade`);
        } finally {
          await client.end();
        }
      },
    });
  },
};

/** CI must exercise PostgreSQL: there, an unreachable server fails the run instead of skipping. */
export function pgRequired(): boolean {
  return Boolean(process.env.CI) || process.env.LEADGATE_REQUIRE_PG === '1';
}

export async function pgReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The factories a suite should run on: SQLite always; PostgreSQL when reachable, or when required (CI),
 * in which case an unreachable server makes the tests fail rather than vanish.
 */
export async function testDbFactories(): Promise<TestDbFactory[]> {
  const problem = await pgReachable();
  if (problem === undefined || pgRequired()) return [sqliteFactory, postgresFactory];
  console.warn(
    `[store tests] skipping PostgreSQL half: ${PG_TEST_URL} unreachable (${problem}); set CI=1 to make this fail`,
  );
  return [sqliteFactory];
}
