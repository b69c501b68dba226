import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** How long BEGIN IMMEDIATE keeps trying for the write lock before giving up with SQLITE_BUSY. */
export const SQLITE_LOCK_WAIT_MS = 10_000;
/** busy_timeout for single statements outside transactions (those wait synchronously). */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

function isBusy(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * BEGIN IMMEDIATE, waiting for the write lock asynchronously. better-sqlite3 is synchronous: with its
 * busy timeout, waiting for another process's lock would freeze this whole process (HTTP requests
 * included) — and, with two handles in one process, deadlock outright, since the holder's pending
 * awaits can never run. So the wait is a non-blocking retry loop with a short, jittered sleep.
 */
export async function beginImmediate(conn: Kysely<Database>, clock: () => number = Date.now): Promise<void> {
  const deadline = clock() + SQLITE_LOCK_WAIT_MS;
  await sql`pragma busy_timeout = 0`.execute(conn);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql`begin immediate`.execute(conn);
        return;
      } catch (err) {
        if (!isBusy(err) || clock() >= deadline) throw err;
        await sleep(Math.min(50, 1 + attempt * 2) * (0.5 + Math.random()));
      }
    }
  } finally {
    await sql.raw(`pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).execute(conn);
  }
}
