import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../app/kit/config/index.ts';
import { capturedLogger, eventually } from '../app/runtime/testdata/support.ts';
import { createMetrics } from '../app/kit/http/index.ts';
import { runSandboxDemo, type SandboxDemo } from './index.ts';

const CONTACTS = 300;
const SALESFORCE_PEOPLE = 300;
let dir: string;
const running: SandboxDemo[] = [];

async function demo(progress: string[] = []): Promise<SandboxDemo> {
  const config = loadConfig({
    LEADGATE_DATA_DIR: dir,
    PORT: '0',
    LEADGATE_SANDBOX_HUBSPOT_PORT: '0',
    LEADGATE_SANDBOX_CONTACTS: String(CONTACTS),
    LEADGATE_SANDBOX_SALESFORCE_PORT: '0',
    LEADGATE_SANDBOX_SALESFORCE_PEOPLE: String(SALESFORCE_PEOPLE),
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

/** A Leadgate_*__c value as the emulated org holds it. */
function fieldOf(d: SandboxDemo, id: string, name: string): unknown {
  return d.salesforce.org.org.get(id)?.[name];
}

type Statuses = {
  tenants: { crm: string; externalId: string; phase: string; scored: number; written: number }[];
};

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
    const last = progress.at(-1) ?? '';
    expect(last).toMatch(/^hubspot +live .*written \[#{20}\]/m);
    expect(last).toMatch(/^salesforce +live .*written \[#{20}\]/m);
  });

  it('connects the Salesforce org through /install/salesforce and writes every scorable Lead and Contact', async () => {
    const d = await demo();
    const sf = d.salesforce;
    expect(sf.resumed).toBe(false);
    const ids = sf.org.scorableIds();
    expect(ids.length).toBeGreaterThan(SALESFORCE_PEOPLE / 2);
    for (const id of ids) {
      for (const name of ['Leadgate_Score__c', 'Leadgate_Tier__c', 'Leadgate_Reasons__c']) {
        expect(fieldOf(d, id, name), `${name} of ${id}`).not.toBeNull();
      }
    }
    const tenant = await d.runtime.store.getTenant(sf.tenantId);
    expect(tenant).toMatchObject({ crm: 'salesforce', externalId: sf.org.org.id, status: 'active' });
    // Converted Leads are closed: kept for training, never written (Salesforce refuses), no dead letter.
    const converted = sf.org.org.query('SELECT Id, Leadgate_Score__c FROM Lead WHERE IsConverted = true');
    expect(converted.length).toBeGreaterThan(0);
    expect(converted.filter((r) => r['Leadgate_Score__c'] !== null)).toEqual([]);
    expect(await d.runtime.store.listDeadLetters(sf.tenantId)).toEqual([]);
    // The progress totals are what the pipeline scores and writes: every scorable record, once.
    const res = await fetch(`${d.runtime.urls.adminApi}/status`, {
      headers: { authorization: `Bearer ${d.apiKey}` },
    });
    const status = ((await res.json()) as Statuses).tenants.find((t) => t.crm === 'salesforce');
    const totals = sf.org.totals();
    expect(totals.scorable).toBe(ids.length);
    expect(status).toMatchObject({ scored: totals.scorable, written: totals.scorable });
  });

  it('shows both CRMs in one status call with the demo key, and only the granted ones', async () => {
    const d = await demo();
    const res = await fetch(`${d.runtime.urls.adminApi}/status`, {
      headers: { authorization: `Bearer ${d.apiKey}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Statuses;
    expect(body.tenants.map((t) => [t.crm, t.externalId, t.phase])).toEqual([
      ['hubspot', String(d.portal.portal.id), 'live'],
      ['salesforce', d.salesforce.org.org.id, 'live'],
    ]);
    expect(body.tenants.every((t) => t.written > 0)).toBe(true);
    // The grant reaches the status list only: the Salesforce tenant's own routes stay closed to it.
    const foreign = await fetch(`${d.runtime.urls.adminApi}/tenants/${d.salesforce.tenantId}/dead-letters`, {
      headers: { authorization: `Bearer ${d.apiKey}` },
    });
    expect(foreign.status).toBe(404);
  });

  it('saves sandbox.json with mode 0600 in the documented shape', async () => {
    const d = await demo();
    const file = join(dir, 'sandbox.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { salesforce: { accessToken: string } };
    expect(saved).toMatchObject({
      hubspot: {
        baseUrl: d.portal.emulator.url,
        portalId: d.portal.portal.id,
        accessToken: d.portal.portal.privateAppToken,
      },
      salesforce: {
        instanceUrl: d.salesforce.org.emulator.url,
        orgId: d.salesforce.org.org.id,
        accessToken: expect.stringMatching(/.+/) as unknown,
      },
      apiKey: d.apiKey,
    });
    // The saved session opens the org's REST API.
    const leads = await fetch(
      `${d.salesforce.org.emulator.url}/services/data/v64.0/query?q=${encodeURIComponent('SELECT Id FROM Lead LIMIT 1')}`,
      { headers: { authorization: `Bearer ${saved.salesforce.accessToken}` } },
    );
    expect(leads.status).toBe(200);
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

  it('serves the printed Salesforce Lead and Contact pages with the written score', async () => {
    const d = await demo();
    const sf = d.salesforce;
    const text = d.lines.join('\n');
    for (const [url, id] of [
      [sf.leadUrl, sf.leadId],
      [sf.contactUrl, sf.contactId],
    ] as const) {
      expect(text).toContain(url);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      const score = fieldOf(d, id, 'Leadgate_Score__c');
      expect(typeof score).toBe('number');
      expect(await res.text()).toContain(`<span class="number">${String(score)}</span>`);
    }
    // A Lead id on the Contact page is no Contact.
    const wrong = await fetch(sf.leadUrl.replace('/leads/', '/contacts/'));
    expect(wrong.status).toBe(404);
  });

  it('resumes on the same data dir: one tenant, the same key, scores still on the contacts', async () => {
    const first = await demo();
    await first.close();
    running.splice(0);
    const second = await demo();
    expect(second.resumed).toBe(true);
    expect(second.tenantId).toBe(first.tenantId);
    expect(second.apiKey).toBe(first.apiKey);
    const tenants = (await second.runtime.store.listTenants()).filter((t) => t.externalId !== 'sandbox');
    expect(tenants.map((t) => t.crm).sort()).toEqual(['hubspot', 'salesforce']);
    for (const id of scorableIds(second)) expect(propertyOf(second, id, 'leadgate_score')).toMatch(/.+/);
  });

  it('resumes the Salesforce org: same org and tenant, one backfill, written scores back on the records', async () => {
    const first = await demo();
    const before = new Map(
      first.salesforce.org.scorableIds().map((id) => [id, fieldOf(first, id, 'Leadgate_Score__c')]),
    );
    await first.close();
    running.splice(0);
    const second = await demo();
    const sf = second.salesforce;
    expect(sf.resumed).toBe(true);
    expect(sf.org.org.id).toBe(first.salesforce.org.org.id);
    expect(sf.tenantId).toBe(first.salesforce.tenantId);
    // Two installs audited, only the first one queued a backfill.
    const installs = (await second.runtime.store.listAuditRows(sf.tenantId, 0, 10_000)).filter(
      (r) => r.action === 'install',
    );
    expect(installs.map((r) => (r.details as { backfillQueued?: boolean }).backfillQueued)).toEqual([
      true,
      false,
    ]);
    for (const [id, score] of before) expect(fieldOf(second, id, 'Leadgate_Score__c')).toBe(score);
  });

  it('rescores and writes a Lead changed in the org, through its change event', async () => {
    const d = await demo();
    const sf = d.salesforce;
    const score = (id: string): number => Number(fieldOf(d, id, 'Leadgate_Score__c'));
    const leads = sf.org.scorableIds().filter((id) => sf.org.objectOf(id) === 'Lead');
    const target = leads.reduce((low, id) => (score(id) < score(low) ? id : low));
    const before = score(target);
    // Through the REST API with the saved session, as an SDR's edit would arrive.
    const token = (
      JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as { salesforce: { accessToken: string } }
    ).salesforce.accessToken;
    const res = await fetch(`${sf.org.emulator.url}/services/data/v64.0/sobjects/Lead/${target}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Title: 'Chief Executive Officer', NumberOfEmployees: 5000 }),
    });
    expect(res.status).toBe(204);
    const after = await eventually(
      () => (score(target) !== before ? score(target) : undefined),
      'the new score written to the org',
      30_000,
    );
    expect(after).not.toBe(before);
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
