import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, spawnChild } from './runtime/testdata/child.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-main-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// What `npm start` runs (`tsx app/main.ts`), as a real child process.
function startMain(env: Record<string, string>): ReturnType<typeof spawnChild> {
  return spawnChild(['--import', 'tsx', 'app/main.ts'], { cwd: ROOT, env: cleanEnv(env) });
}

describe('npm start (app/main.ts)', () => {
  it('prints its URLs, answers /healthz, and exits 0 on SIGTERM', async () => {
    const child = startMain({
      PORT: '0',
      LEADGATE_DATA_DIR: join(dir, 'data'),
      LEADGATE_SANDBOX_DEMO: 'off',
    });
    const health = /health: +(http:\/\/127\.0\.0\.1:\d+\/healthz)/.exec(
      await child.waitForLine(/health:/),
    )?.[1];
    await child.waitForLine(/sandbox admin API key/);
    expect(health).toBeDefined();
    const res = await fetch(health ?? '');
    expect(res.status).toBe(200);
    const base = (health ?? '').replace(/\/healthz$/, '');
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1']) {
      expect(exit.stdout).toContain(`${base}${path}`);
    }
    expect(statSync(join(dir, 'data', 'sandbox.json')).mode & 0o777).toBe(0o600);
  });

  it('runs the two-CRM demo in sandbox mode: prints the URLs and key, reaches live, exits 0 on SIGTERM', async () => {
    const child = startMain({
      PORT: '0',
      LEADGATE_SANDBOX_HUBSPOT_PORT: '0',
      LEADGATE_SANDBOX_CONTACTS: '200',
      LEADGATE_SANDBOX_SALESFORCE_PORT: '0',
      LEADGATE_SANDBOX_SALESFORCE_PEOPLE: '200',
      LEADGATE_DATA_DIR: join(dir, 'data'),
    });
    const contact = /contact page: +(http:\S+)/.exec(await child.waitForLine(/contact page:/))?.[1] ?? '';
    const key = /admin API key: +(\S+)/.exec(await child.waitForLine(/admin API key:/))?.[1] ?? '';
    const base = new URL(contact).origin;
    const status = await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${key}` } });
    expect(await status.json()).toMatchObject({
      tenants: [
        { crm: 'hubspot', phase: 'live', synced: 200 },
        { crm: 'salesforce', phase: 'live' },
      ],
    });
    expect((await fetch(contact)).status).toBe(200);
    const lead = /lead page: +(http:\S+)/.exec(await child.waitForLine(/lead page:/))?.[1] ?? '';
    expect((await fetch(lead)).status).toBe(200);
    child.proc.kill('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/private-app token: +pat-/);
    expect(exit.stderr).toMatch(/^hubspot +live +synced \[#+\] 200\/200/m);
    expect(exit.stderr).toMatch(/^salesforce +live +synced \[#+\]/m);
  });

  it('lists every configuration problem on stderr and exits 1 when the environment is invalid', async () => {
    const child = startMain({ PORT: 'eighty', LEADGATE_LOG_LEVEL: 'loud', LEADGATE_DATA_DIR: dir });
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/PORT: must be integer/);
    expect(exit.stderr).toMatch(/LEADGATE_LOG_LEVEL: must be one of/);
    expect(exit.stdout).not.toContain('listening');
  });

  it('says it could not start, in one line, and exits 1 when PostgreSQL is unreachable', async () => {
    const child = startMain({
      PORT: '0',
      LEADGATE_DATA_DIR: dir,
      LEADGATE_DATABASE_URL: 'postgres://nobody:secret-pw@127.0.0.1:1/none',
    });
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^leadgate: could not start: /)]);
    expect(exit.stderr).not.toContain('secret-pw');
  });
});
