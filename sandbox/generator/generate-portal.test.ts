import { describe, expect, it } from 'vitest';
import { SparseBuilder, fitLogistic } from '../../scoring/index.ts';
import { generatePortal } from './generate-portal.ts';
import { DAY_MS, TRUE_MODEL, signalsAsOf, trueLogit, type TrueSignals } from './true-model.ts';
import type { GeneratedPortal } from './types.ts';

const small = generatePortal({ seed: 7, contacts: 600 });

describe('generatePortal', () => {
  it('gives identical output for the same seed', () => {
    expect(generatePortal({ seed: 7, contacts: 600 })).toEqual(small);
  });

  it('gives different output for another seed', () => {
    const other = generatePortal({ seed: 8, contacts: 600 });
    expect(other.contacts.map((c) => c.email)).not.toEqual(small.contacts.map((c) => c.email));
  });

  it('makes 5,000 contacts and one company per eight contacts by default', () => {
    const portal = generatePortal({ seed: 1 });
    expect(portal.contacts).toHaveLength(5_000);
    expect(portal.companies).toHaveLength(625);
    expect(portal.truth).toHaveLength(5_000);
  });

  it('sizes by the contacts parameter', () => {
    expect(small.contacts).toHaveLength(600);
    expect(small.companies).toHaveLength(75);
  });

  it('gives unique contact emails and company domains', () => {
    expect(new Set(small.contacts.map((c) => c.email)).size).toBe(small.contacts.length);
    expect(new Set(small.companies.map((c) => c.domain)).size).toBe(small.companies.length);
  });

  it('uses the company domain for employees and a free-mail domain otherwise', () => {
    const domains = new Map(small.companies.map((c) => [c.id, c.domain]));
    for (const c of small.contacts) {
      const domain = c.email.split('@')[1];
      if (c.companyId === null)
        expect(['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'icloud.com']).toContain(domain);
      else expect(domain).toBe(domains.get(c.companyId));
    }
  });

  it('gives stable, unique event source ids', () => {
    expect(new Set(small.events.map((e) => e.sourceId)).size).toBe(small.events.length);
  });

  it('produces every engagement type, pricing-page views among them', () => {
    const types = new Set(small.events.map((e) => e.type));
    expect([...types].sort()).toEqual([
      'email_click',
      'email_open',
      'email_reply',
      'form_submission',
      'meeting',
      'page_view',
    ]);
    expect(small.events.some((e) => e.attributes.url?.endsWith('/pricing'))).toBe(true);
  });

  it('keeps about 5% of contacts without a lawful basis', () => {
    const portal = generatePortal({ seed: 3, contacts: 4_000 });
    const none = portal.contacts.filter((c) => c.consent.lawfulBasis === 'none').length / 4_000;
    expect(none).toBeGreaterThan(0.03);
    expect(none).toBeLessThan(0.07);
  });

  it('has a true conversion rate between 10% and 30%', () => {
    const portal = generatePortal({ seed: 1, contacts: 3_000 });
    const mean = portal.truth.reduce((s, t) => s + (t.probability ?? 0), 0) / portal.truth.length;
    expect(mean).toBeGreaterThan(0.1);
    expect(mean).toBeLessThan(0.3);
  });
});

describe('time order', () => {
  const created = new Map(small.contacts.map((c) => [c.id, c.createdAt]));
  const createdOf = (id: string): number => created.get(id) ?? Number.NaN;

  it('has no event before its contact exists, nor after now', () => {
    for (const e of small.events) {
      expect(e.occurredAt).toBeGreaterThanOrEqual(createdOf(e.contactId));
      expect(e.occurredAt).toBeLessThanOrEqual(small.now);
    }
  });

  it('has no outcome before its contact exists, and no conversion before the decision time', () => {
    const truth = new Map(small.truth.map((t) => [t.contactId, t]));
    for (const change of small.lifecycleChanges) {
      expect(change.occurredAt).toBeGreaterThanOrEqual(createdOf(change.contactId));
      expect(change.occurredAt).toBeLessThanOrEqual(small.now);
      if (change.stage === 'salesqualifiedlead') {
        expect(change.occurredAt).toBeGreaterThan(truth.get(change.contactId)?.decisionAt ?? Infinity);
      }
    }
    for (const deal of small.deals) expect(deal.createdAt).toBeGreaterThan(createdOf(deal.contactId));
  });

  it('shows a conversion in the CRM only for converted contacts whose time has come', () => {
    const sql = new Set(
      small.lifecycleChanges.filter((c) => c.stage === 'salesqualifiedlead').map((c) => c.contactId),
    );
    for (const t of small.truth) {
      expect(sql.has(t.contactId)).toBe(t.converted && (t.convertedAt ?? Infinity) <= small.now);
    }
  });

  it('recomputes each true logit from signals as of the decision time', () => {
    const companies = new Map(small.companies.map((c) => [c.id, c]));
    const contacts = new Map(small.contacts.map((c) => [c.id, c]));
    for (const t of small.truth.slice(0, 50)) {
      const contact = contacts.get(t.contactId)!;
      const company = contact.companyId === null ? null : companies.get(contact.companyId)!;
      expect(trueLogit(signalsAsOf(contact, company, small.events, t.decisionAt))).toBeCloseTo(t.logit!, 12);
    }
  });
});

/** The true model's own design: one column per coefficient, reference levels left out. */
function design(portal: GeneratedPortal): { rows: TrueSignals[]; y: number[] } {
  const companies = new Map(portal.companies.map((c) => [c.id, c]));
  const byContact = new Map<string, GeneratedPortal['events']>();
  for (const e of portal.events) {
    const list = byContact.get(e.contactId) ?? [];
    list.push(e);
    byContact.set(e.contactId, list);
  }
  const rows: TrueSignals[] = [];
  const y: number[] = [];
  portal.contacts.forEach((contact, i) => {
    const t = portal.truth[i]!;
    const company = contact.companyId === null ? null : companies.get(contact.companyId)!;
    rows.push(signalsAsOf(contact, company, byContact.get(contact.id) ?? [], t.decisionAt));
    y.push(t.converted ? 1 : 0);
  });
  return { rows, y };
}

describe('true model', () => {
  it('is recovered by a logistic regression on the same signals', () => {
    const portal = generatePortal({ seed: 11, contacts: 12_000 });
    const { rows, y } = design(portal);
    const b = new SparseBuilder(4);
    for (const s of rows) {
      b.push(0, Math.min(s.pricingViews, TRUE_MODEL.pricingCap));
      b.push(1, Math.min(s.meetings, 2));
      b.push(2, s.seniority === 'student' ? 1 : 0);
      // Everything else the true model adds, as a known offset would be ideal; folding it into one
      // column with a free weight still lets the three coefficients under test come out unbiased.
      const rest =
        trueLogit(s) -
        TRUE_MODEL.intercept -
        TRUE_MODEL.pricingViews * Math.min(s.pricingViews, TRUE_MODEL.pricingCap) -
        TRUE_MODEL.meetings * Math.min(s.meetings, 2) -
        TRUE_MODEL.seniority[s.seniority] * (s.seniority === 'student' ? 1 : 0);
      b.push(3, rest);
      b.endRow();
    }
    const fit = fitLogistic(b.build(), y, { l2: 1e-3 });
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.weights[0]! - TRUE_MODEL.pricingViews)).toBeLessThan(0.15);
    expect(Math.abs(fit.weights[1]! - TRUE_MODEL.meetings)).toBeLessThan(0.35);
    expect(Math.abs(fit.weights[2]! - TRUE_MODEL.seniority.student)).toBeLessThan(0.5);
    expect(Math.abs(fit.weights[3]! - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.intercept - TRUE_MODEL.intercept)).toBeLessThan(0.3);
  });

  it('counts only events in the 30 days before the decision time', () => {
    const contact = small.contacts[0]!;
    const t = contact.createdAt + 40 * DAY_MS;
    const at = (days: number) => t - days * DAY_MS;
    const events = [
      { sourceId: 'a', contactId: contact.id, type: 'meeting' as const, occurredAt: at(31), attributes: {} },
      { sourceId: 'b', contactId: contact.id, type: 'meeting' as const, occurredAt: at(29), attributes: {} },
      { sourceId: 'c', contactId: contact.id, type: 'meeting' as const, occurredAt: t, attributes: {} },
      {
        sourceId: 'd',
        contactId: 'someone-else',
        type: 'meeting' as const,
        occurredAt: at(1),
        attributes: {},
      },
    ];
    expect(signalsAsOf(contact, null, events, t).meetings).toBe(1);
  });
});
