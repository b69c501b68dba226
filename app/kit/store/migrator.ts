import { sql } from 'kysely';
import type { Ctx } from './context.ts';
import { lockKey } from './context.ts';
import type { Migration } from './migrations.ts';
import type { MigrationStatus } from './types.ts';

async function ensureMigrationsTable(ctx: Ctx): Promise<void> {
  await ctx.db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute();
}

async function appliedVersions(ctx: Ctx): Promise<Set<number>> {
  const rows = await ctx.db.selectFrom('schema_migrations').select('version').execute();
  return new Set(rows.map((r) => r.version));
}

/**
 * Applies pending migrations inside the caller's transaction, under a lock, so several processes
 * starting together apply each migration exactly once (the losers wait, then find nothing to do).
 * DDL is transactional in both SQLite and PostgreSQL, so a failing migration leaves no half schema.
 */
export async function applyMigrations(
  ctx: Ctx,
  migrations: readonly Migration[],
  lockName: string,
  now: number,
): Promise<string[]> {
  await lockKey(ctx, lockName);
  await ensureMigrationsTable(ctx);
  const done = await appliedVersions(ctx);
  const applied: string[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await m.up(ctx.db);
    await ctx.db
      .insertInto('schema_migrations')
      .values({ version: m.version, name: m.name, applied_at: now })
      .execute();
    applied.push(m.name);
  }
  return applied;
}

async function migrationsTableExists(ctx: Ctx): Promise<boolean> {
  if (ctx.kind === 'postgres') {
    // to_regclass resolves through search_path, i.e. the store's own schema.
    const r = await sql<{ t: string | null }>`select to_regclass('schema_migrations')::text as t`.execute(
      ctx.db,
    );
    return r.rows[0]?.t != null;
  }
  const r = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name = 'schema_migrations'`.execute(ctx.db);
  return r.rows.length > 0;
}

export async function migrationStatus(ctx: Ctx, migrations: readonly Migration[]): Promise<MigrationStatus> {
  const done = (await migrationsTableExists(ctx)) ? await appliedVersions(ctx) : new Set<number>();
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  return {
    current: [...done].reduce((max, v) => Math.max(max, v), 0),
    latest,
    pending: migrations.filter((m) => !done.has(m.version)).map((m) => m.name),
  };
}
