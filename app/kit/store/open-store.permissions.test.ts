import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from './index.ts';
import type { PermissionChange } from './index.ts';

/** The permission bits of a path, as `ls -l` would count them (0o700, 0o600...). */
function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'leadgate-perm-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

// Tests run with the usual umask 022, under which a default mkdir is 0755 and a file 0644: the
// modes asserted below are the store's doing, not the environment's.
describe('SQLite file permissions (issue 14 item 11)', () => {
  it('creates the data folder 0700 and the database, -wal and -shm 0600', async () => {
    const dir = join(root, 'data', 'nested');
    const path = join(dir, 'leadgate.sqlite3');
    const store = openStore({ kind: 'sqlite', path });
    try {
      await store.migrate();
      await store.createTenant({ crm: 'hubspot', externalId: 'p1', name: 'Acme' }, 1);
      expect(modeOf(dir)).toBe(0o700);
      expect(modeOf(path)).toBe(0o600);
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(existsSync(`${path}-shm`)).toBe(true);
      expect(modeOf(`${path}-wal`)).toBe(0o600);
      expect(modeOf(`${path}-shm`)).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('tightens a wider folder and database files at open, and reports each change', async () => {
    const dir = join(root, 'data');
    const path = join(dir, 'leadgate.sqlite3');
    const first = openStore({ kind: 'sqlite', path });
    await first.migrate();
    await first.close();
    chmodSync(dir, 0o755);
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o666);

    const changes: PermissionChange[] = [];
    const store = openStore({ kind: 'sqlite', path }, { onPermissionsTightened: (c) => changes.push(c) });
    try {
      await store.migrate();
      expect(modeOf(dir)).toBe(0o700);
      expect(modeOf(path)).toBe(0o600);
      expect(modeOf(`${path}-wal`)).toBe(0o600);
      expect(changes).toEqual([
        { path: dir, from: 0o755, to: 0o700 },
        { path, from: 0o644, to: 0o600 },
        { path: `${path}-wal`, from: 0o666, to: 0o600 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('reports nothing when the modes are already tight', async () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, 'leadgate.sqlite3');
    const changes: PermissionChange[] = [];
    const store = openStore({ kind: 'sqlite', path }, { onPermissionsTightened: (c) => changes.push(c) });
    await store.migrate();
    await store.close();
    expect(changes).toEqual([]);
  });
});
