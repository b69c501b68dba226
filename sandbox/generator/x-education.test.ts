import { describe, expect, it } from 'vitest';
import { LEADS_CSV, realDataAvailable } from '../../test/real-data.ts';
import { loadXEducationPortal } from './x-education-file.ts';
import { mapXEducationLeads } from './x-education.ts';

const header = [
  'Prospect ID',
  'Lead Number',
  'Lead Origin',
  'Lead Source',
  'Do Not Email',
  'Converted',
  'TotalVisits',
  'Total Time Spent on Website',
  'Page Views Per Visit',
  'Country',
  'What is your current occupation',
  'A free copy of Mastering The Interview',
];
const table = {
  header,
  rows: [
    [
      'p1',
      '1001',
      'Landing Page Submission',
      'Google',
      'No',
      '1',
      '3',
      '600',
      '2',
      'India',
      'Working Professional',
      'No',
    ],
    ['p2', '1002', 'API', 'Olark Chat', 'Yes', '0', '', '0', '', '', 'Student', 'No'],
    ['p3', '1003', 'Lead Import', 'Facebook', 'No', '0', '0', '0', '0', 'unknown', '', 'Yes'],
  ],
};

describe('mapXEducationLeads', () => {
  const portal = mapXEducationLeads(table, { seed: 1 });

  it('maps each lead to a contact with a synthetic name and email', () => {
    expect(portal.contacts.map((c) => c.id)).toEqual(['xe-1001', 'xe-1002', 'xe-1003']);
    for (const c of portal.contacts) expect(c.email).toMatch(/^[a-z.]+\d*@[a-z.]+$/);
    expect(portal.contacts[0]?.seniority).toBe('manager');
    expect(portal.contacts[1]?.seniority).toBe('student');
    expect(portal.contacts[2]?.leadSource).toBe('offline');
  });

  it('takes the email opt-out from "Do Not Email"', () => {
    expect(portal.contacts.map((c) => c.consent.emailOptOut)).toEqual([false, true, false]);
  });

  it('rebuilds page views from visits times pages per visit, all before the decision time', () => {
    const views = portal.events.filter((e) => e.contactId === 'xe-1001' && e.type === 'page_view');
    expect(views).toHaveLength(6);
    const truth = portal.truth[0]!;
    for (const v of views) {
      expect(v.occurredAt).toBeLessThan(truth.decisionAt);
      expect(v.attributes.durationSeconds).toBe('100');
    }
    expect(portal.events.filter((e) => e.contactId === 'xe-1002')).toHaveLength(0);
  });

  it('turns Converted into a salesqualifiedlead stage after the decision time', () => {
    const sql = portal.lifecycleChanges.filter((c) => c.stage === 'salesqualifiedlead');
    expect(sql.map((c) => c.contactId)).toEqual(['xe-1001']);
    expect(sql[0]!.occurredAt).toBeGreaterThan(portal.truth[0]!.decisionAt);
    expect(sql[0]!.occurredAt).toBeLessThanOrEqual(portal.now);
    expect(portal.truth.map((t) => t.converted)).toEqual([true, false, false]);
  });

  it('names a missing column', () => {
    expect(() => mapXEducationLeads({ header: ['Lead Number'], rows: [] })).toThrow(/Lead Origin/);
  });
});

describe('loadXEducationPortal', () => {
  it('answers null when the CSV is absent', () => {
    expect(loadXEducationPortal({ path: '/nonexistent/Leads.csv' })).toBeNull();
  });

  // Decided without reading the file (realDataAvailable prints why it skips, and fails under CI);
  // the 9,240 rows are read in the test itself, never while collecting.
  it.runIf(realDataAvailable())('maps the real leads with their ~38% conversion rate', () => {
    const portal = loadXEducationPortal({ path: LEADS_CSV });
    if (portal === null) throw new Error(`${LEADS_CSV} vanished`);
    expect(portal.contacts.length).toBeGreaterThan(9_000);
    const rate = portal.truth.filter((t) => t.converted).length / portal.truth.length;
    expect(rate).toBeGreaterThan(0.35);
    expect(rate).toBeLessThan(0.42);
  });
});
