import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { StoreKind } from './types.ts';
import { StoreError } from './types.ts';

/** What every repository function works on: a Kysely handle (root or transaction) and its dialect. */
export interface Ctx {
  readonly db: Kysely<Database>;
  readonly kind: StoreKind;
  readonly inTx: boolean;
}

/**
 * Serialises writers of one logical key until the transaction ends. PostgreSQL: a transaction-scoped
 * advisory lock. SQLite: nothing to do, every transaction is BEGIN IMMEDIATE and holds the one write lock.
 */
export async function lockKey(ctx: Ctx, key: string): Promise<void> {
  if (!ctx.inTx) throw new Error(`lockKey(${key}) outside a transaction would lock nothing`);
  if (ctx.kind === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(ctx.db);
  }
}

/** True for a primary-key / unique violation in either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = err.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function conflict(message: string, cause: unknown): StoreError {
  return new StoreError('conflict', message, { cause });
}

/** Kysely returns affected-row counts as bigint. */
export function count(n: bigint | undefined): number {
  return n === undefined ? 0 : Number(n);
}
