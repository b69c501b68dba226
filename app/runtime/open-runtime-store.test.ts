import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../kit/config/index.ts';
import { openRuntimeStore } from './open-runtime-store.ts';
import { mergeSandboxFile } from './sandbox-file.ts';
import { capturedLogger } from './testdata/support.ts';

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'leadgate-runtime-perm-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('data folder permissions at start (issue 14 item 11)', () => {
  it('creates the data folder 0700 and the database 0600', async () => {
    const dataDir = join(root, 'data');
    const { store } = await openRuntimeStore(
      loadConfig({ LEADGATE_DATA_DIR: dataDir }),
      capturedLogger().logger,
    );
    await store.close();
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'leadgate.sqlite3'))).toBe(0o600);
  });

  it('tightens a folder and database left wider, and logs each change once', async () => {
    const dataDir = join(root, 'data');
    const config = loadConfig({ LEADGATE_DATA_DIR: dataDir });
    const first = await openRuntimeStore(config, capturedLogger().logger);
    await first.store.close();
    chmodSync(dataDir, 0o775);
    chmodSync(join(dataDir, 'leadgate.sqlite3'), 0o664);

    const log = capturedLogger();
    const { store } = await openRuntimeStore(config, log.logger);
    await store.close();
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'leadgate.sqlite3'))).toBe(0o600);
    const tightened = log.lines().filter((l) => l.message === 'file permissions tightened');
    expect(tightened).toEqual([
      expect.objectContaining({ level: 'warn', path: dataDir, from: '775', to: '700' }),
      expect.objectContaining({
        level: 'warn',
        path: join(dataDir, 'leadgate.sqlite3'),
        from: '664',
        to: '600',
      }),
    ]);
  });

  it('tightens the data folder with PostgreSQL too, where no database file lives in it', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const log = capturedLogger();
    // The store is never reached: the folder is secured before it opens, and the URL points nowhere.
    const config = loadConfig({
      LEADGATE_DATA_DIR: dataDir,
      LEADGATE_DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x',
    });
    await openRuntimeStore(config, log.logger, { maxConnections: 1 }).catch(() => undefined);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(log.lines().filter((l) => l.message === 'file permissions tightened')).toHaveLength(1);
  });
});

describe('sandbox.json folder', () => {
  it('creates the data folder 0700 when the sandbox file is the first thing written', () => {
    const dataDir = join(root, 'fresh', 'data');
    mergeSandboxFile(dataDir, { a: 1 });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'sandbox.json'))).toBe(0o600);
  });
});
