import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-begin.ts';
import { SqlStore } from './sql-store.ts';
import type { Store, StoreConfig } from './types.ts';
import { StoreError } from './types.ts';

export interface OpenStoreOptions {
  /**
   * Errors of idle pooled PG connections (server restart, network cut). Without a listener, pg's
   * pool would emit them as an unhandled 'error' event and crash the process; the next query simply
   * opens a new connection, so the default only drops them. Pass the app logger here.
   */
  onBackgroundError?: (err: Error) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

type TypeParserArgs = Parameters<typeof pg.types.getTypeParser>;
const parseInt8 = (value: string): number => Number(value);
function int8AsNumber(oid: TypeParserArgs[0], format?: TypeParserArgs[1]): unknown {
  return oid === pg.types.builtins.INT8 && format !== 'binary'
    ? parseInt8
    : pg.types.getTypeParser(oid, format);
}

export function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Store {
  switch (config.kind) {
    case 'sqlite':
      return openSqlite(config.path);
    case 'postgres':
      return openPostgres(config.url, config.schema ?? 'public', config.maxConnections ?? 10, options);
    default:
      throw new StoreError(
        'invalid_input',
        `unknown store kind ${String((config as { kind: unknown }).kind)}`,
      );
  }
}

function openSqlite(path: string): Store {
  if (typeof path !== 'string' || path.length === 0) {
    throw new StoreError('invalid_input', 'sqlite path must be a file path or :memory:');
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  // WAL: readers never block the writer and vice versa, which the worker + server processes rely on.
  // synchronous stays FULL (the default) so a committed job checkpoint survives power loss too.
  database.pragma('journal_mode = WAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return new SqlStore({ db, kind: 'sqlite', migrationLock: 'leadgate:migrate' });
}

/** Prepared statements kept per SQL text (least recently used dropped past this many). */
export const SQLITE_STATEMENT_CACHE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; compiling the SQL cost more than running it in a
 * backfill (18,101 prepares for 553 pages, 1.3 s of the page work). A statement is reusable once its
 * previous run has finished, and Kysely runs one query at a time per connection, so the same SQL
 * text can take the same statement. SQLite recompiles a cached statement itself after a schema change.
 */
function withStatementCache(database: BetterSqlite3.Database, max = SQLITE_STATEMENT_CACHE): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql) => {
      let statement = cache.get(sql);
      if (statement !== undefined) {
        cache.delete(sql); // re-inserted below: most recently used last
      } else {
        statement = database.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

function openPostgres(url: string, schema: string, max: number, options: OpenStoreOptions): Store {
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new StoreError('invalid_input', 'postgres url must start with postgres:// or postgresql://');
  }
  if (!SCHEMA_NAME.test(schema)) {
    throw new StoreError('invalid_input', `postgres schema '${schema}' must match ${SCHEMA_NAME.source}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Every connection resolves unqualified names in our schema: one database can hold many isolated
    // stores (per test run, per environment). The name is validated above, so it is safe to splice.
    options: `-c search_path=${schema}`,
    // Epoch-ms columns are BIGINT; pg returns int8 as a string by default. Every int8 we store (times,
    // counts, sequence numbers) is far below 2^53, so a number is exact. Scoped to this pool only.
    types: { getTypeParser: int8AsNumber },
  });
  pool.on('error', (err) => options.onBackgroundError?.(err));
  // pg-pool drops its error listener from a client while the client is checked out, and a
  // connection that dies mid-query then emits an unhandled 'error' that kills the process.
  // Report it instead; the query itself still rejects and its caller retries.
  pool.on('connect', (client) => client.on('error', (err) => options.onBackgroundError?.(err)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new SqlStore({
    db,
    kind: 'postgres',
    migrationLock: `leadgate:migrate:${schema}`,
    // search_path alone does not create the schema; migrate() must, before its first table.
    beforeMigrate: async () => {
      try {
        await pool.query(`create schema if not exists "${schema}"`);
      } catch (err) {
        // Two processes creating the same schema at once: one wins, the other sees a duplicate error.
        const code = (err as { code?: unknown }).code;
        if (code !== '23505' && code !== '42P06') throw err;
      }
    },
  });
}
