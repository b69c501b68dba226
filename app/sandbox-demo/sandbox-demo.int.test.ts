import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { capturedLogger, eventually } from '../runtime/testdata/support.ts';
import { createMetrics } from '../server/index.ts';
import { runSandboxDemo, type SandboxDemo } from './index.ts';

const CONTACTS = 300;
let dir: string;
const running: SandboxDemo[] = [];

async function demo(progress: string[] = []): Promise<SandboxDemo> {
  const config = loadConfig({
    LEADGATE_DATA_DIR: dir,
    PORT: '0',
    LEADGATE_SANDBOX_HUBSPOT_PORT: '0',
    LEADGATE_SANDBOX_CONTACTS: String(CONTACTS),
  });
  const started = await runSandboxDemo(config, {
    runtime: { logger: capturedLogger().logger, metrics: createMetrics(), workerPollIntervalMs: 20 },
    progress: { write: (text) => progress.push(text) },
    pollMs: 50,
    liveTimeoutMs: 60_000,
  });
  running.push(started);
  return started;
}

/** Contacts the generator gave a lawful basis and no opt-out: the ones leadgate may score. */
function scorableIds(d: SandboxDemo): string[] {
  return d.portal.data.contacts.flatMap((c, i) =>
    c.consent.lawfulBasis !== 'none' && !c.consent.emailOptOut ? [d.portal.contactIds[i] ?? ''] : [],
  );
}

function propertyOf(d: SandboxDemo, id: string, name: string): string | undefined {
  return d.portal.portal.get('contacts', id)?.properties.get(name);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'leadgate-demo-'));
});

afterEach(async () => {
  for (const d of running.splice(0)) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runSandboxDemo', () => {
  it('installs through OAuth and reaches live with every scorable contact written back', async () => {
    const progress: string[] = [];
    const d = await demo(progress);
    expect(d.resumed).toBe(false);
    const ids = scorableIds(d);
    expect(ids.length).toBeGreaterThan(CONTACTS / 2);
    for (const id of ids) {
      for (const name of ['leadgate_score', 'leadgate_tier', 'leadgate_reasons']) {
        expect(propertyOf(d, id, name), `${name} of contact ${id}`).toMatch(/.+/);
      }
    }
    expect(progress.at(-1)).toMatch(/^live .*written \[#{20}\]/);
  });

  it('saves sandbox.json with mode 0600 in the documented shape', async () => {
    const d = await demo();
    const file = join(dir, 'sandbox.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      hubspot: {
        baseUrl: d.portal.emulator.url,
        portalId: d.portal.portal.id,
        accessToken: d.portal.portal.privateAppToken,
      },
      apiKey: d.apiKey,
    });
    expect(d.lines.join('\n')).toContain(d.apiKey);
    expect(d.lines.join('\n')).toContain(d.portal.portal.privateAppToken);
  });

  it('serves the printed contact page with the card', async () => {
    const d = await demo();
    expect(d.lines.join('\n')).toContain(d.contactUrl);
    const res = await fetch(d.contactUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain(propertyOf(d, d.contactId, 'leadgate_score') ?? 'no score');
  });

  it('resumes on the same data dir: one tenant, the same key, scores still on the contacts', async () => {
    const first = await demo();
    await first.close();
    running.splice(0);
    const second = await demo();
    expect(second.resumed).toBe(true);
    expect(second.tenantId).toBe(first.tenantId);
    expect(second.apiKey).toBe(first.apiKey);
    const hubspot = (await second.runtime.store.listTenants()).filter((t) => t.externalId !== 'sandbox');
    expect(hubspot).toHaveLength(1);
    for (const id of scorableIds(second)) expect(propertyOf(second, id, 'leadgate_score')).toMatch(/.+/);
  });

  it('rescores and writes a contact changed in the emulator, through the webhook', async () => {
    const d = await demo();
    // The lowest scored contact: promoting it to CEO must move its score.
    const ids = scorableIds(d);
    const score = (id: string): number => Number(propertyOf(d, id, 'leadgate_score'));
    const target = ids.reduce((low, id) => (score(id) < score(low) ? id : low));
    const before = score(target);
    const res = await fetch(`${d.portal.emulator.url}/crm/v3/objects/contacts/${target}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${d.portal.portal.privateAppToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ properties: { jobtitle: 'Chief Executive Officer', seniority: 'c_level' } }),
    });
    expect(res.status).toBe(200);
    const after = await eventually(
      () => (score(target) !== before ? score(target) : undefined),
      'the new score written to the emulator',
      20_000,
    );
    expect(after).toBeGreaterThan(before);
  });
});
