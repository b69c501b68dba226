import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { securePrivateDir, securePrivateFile } from '../private-files.ts';
import type { OnPermissionsTightened } from '../private-files.ts';
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
  /**
   * SQLite: the folder, database, -wal or -shm was wider than 0700/0600 and has been narrowed. The
   * runtime logs it (someone could have read the file until now); the default says nothing.
   */
  onPermissionsTightened?: OnPermissionsTightened;
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
      return openSqlite(config.path, options.onPermissionsTightened);
    case 'postgres':
      return openPostgres(config.url, config.schema ?? 'public', config.maxConnections ?? 10, options);
    default:
      throw new StoreError(
        'invalid_input',
        `unknown store kind ${String((config as { kind: unknown }).kind)}`,
      );
  }
}

/** The files SQLite keeps for one database in WAL mode (https://sqlite.org/tempfiles.html). */
function sqliteFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

function openSqlite(path: string, onTightened?: OnPermissionsTightened): Store {
  if (typeof path !== 'string' || path.length === 0) {
    throw new StoreError('invalid_input', 'sqlite path must be a file path or :memory:');
  }
  const onDisk = path !== ':memory:';
  if (onDisk) {
    securePrivateDir(dirname(path), onTightened);
    // Created 0600 before SQLite opens it: SQLite would create it 0644 less the umask, and its unix VFS
    // gives the -wal and -shm files it creates later the database file's mode (os_unix.c,
    // findCreateFileMode and unixOpenSharedMemory; the permissions test checks the outcome).
    securePrivateFile(path, { create: true, onTightened });
    for (const file of sqliteFiles(path).slice(1)) securePrivateFile(file, { onTightened });
  }
  const database = new BetterSqlite3(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  // WAL: readers never block the writer and vice versa, which the worker + server processes rely on.
  // synchronous stays FULL (the default) so a committed job checkpoint survives power loss too.
  database.pragma('journal_mode = WAL');
  // The -wal and -shm files exist now; made exact in case a process of an older leadgate created them.
  if (onDisk) for (const file of sqliteFiles(path).slice(1)) securePrivateFile(file, { onTightened });
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
