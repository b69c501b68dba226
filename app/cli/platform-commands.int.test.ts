import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../kit/audit/index.ts';
import { cleanEnv, spawnChild } from '../runtime/testdata/child.ts';
import type { Exit } from '../runtime/testdata/child.ts';
import { openStore } from '../kit/store/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-cli-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function leadgate(args: readonly string[]): ReturnType<typeof spawnChild> {
  return spawnChild(['bin/leadgate.js', ...args], {
    cwd: ROOT,
    env: cleanEnv({ LEADGATE_DATA_DIR: dir, LEADGATE_LOG_LEVEL: 'warn' }),
  });
}

function run(args: readonly string[]): Promise<Exit> {
  return leadgate(args).exited;
}

/** A migrated SQLite store in `dir` with three audit entries on tenant t1; returns their row ids. */
async function seedAudit(): Promise<string[]> {
  const store = openStore({ kind: 'sqlite', path: join(dir, 'leadgate.sqlite3') });
  await store.migrate();
  const ids: string[] = [];
  for (const [i, action] of ['policy.update', 'model.promote', 'policy.update'].entries()) {
    const row = await appendAudit(
      store,
      { tenantId: 't1', actor: 'apikey:k1', action, subject: `thing:${i}`, details: { i } },
      1_000 + i,
    );
    ids.push(row.id);
  }
  await store.close();
  return ids;
}

describe('leadgate migrate', () => {
  it('lists the migrations it applied on a fresh data dir, and nothing on the second run', async () => {
    const first = await run(['migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /applied 5 migration\(s\)\n {2}0001_initial_schema\n {2}0002_oauth_states\n {2}0003_oauth_state_verifier\n {2}0004_api_key_grants\n {2}0005_write_back_claims\n/,
    );
    const second = await run(['migrate']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/nothing to apply, schema at version 5/);
  });

  it('fails in one line with every configuration problem when the environment is invalid', async () => {
    const exit = await spawnChild(['bin/leadgate.js', 'migrate'], {
      cwd: ROOT,
      env: cleanEnv({ LEADGATE_DATA_DIR: dir, PORT: 'x', LEADGATE_MAX_BODY: 'huge' }),
    }).exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^leadgate: invalid configuration: PORT: .*; LEADGATE_MAX_BODY: .*\n$/);
  });
});

describe('leadgate audit verify', () => {
  it('prints ok with the entry count when the chain is intact', async () => {
    await seedAudit();
    const exit = await run(['audit', 'verify']);
    expect(exit).toMatchObject({ code: 0, stdout: 'ok: 3 entries\n' });
    expect((await run(['audit', 'verify', '--tenant', 't1'])).stdout).toBe('ok: 3 entries\n');
  });

  it('exits 1 naming the first broken row when an entry was edited in the database', async () => {
    const ids = await seedAudit();
    const raw = new BetterSqlite3(join(dir, 'leadgate.sqlite3'));
    raw.prepare(`update audit_log set details = ? where tenant_id = ? and seq = ?`).run('{"i":99}', 't1', 2);
    raw.close();
    const exit = await run(['audit', 'verify', '--tenant', 't1']);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toBe(
      `leadgate: audit chain of tenant t1 broken at entry 2 (row id ${ids[1]}): entry 2 does not match its hash: it was edited\n`,
    );
  });

  it('exits 1 without creating a database when there is none', async () => {
    const exit = await run(['audit', 'verify']);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^leadgate: no database at .*leadgate\.sqlite3/);
  });
});

describe('leadgate worker', () => {
  it('runs workers without an HTTP server and exits 0 on SIGTERM', async () => {
    const child = leadgate(['worker']);
    await child.waitForLine(/^leadgate worker .* running on SQLite/);
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).not.toMatch(/listening|healthz/);
  });
});
