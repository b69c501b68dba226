import { toSalesforceValues } from '../connectors/salesforce/index.ts';
import {
  generatePortal,
  type GeneratedContact,
  type GeneratedPortal,
  type LeadSource,
} from '../sandbox/generator/index.ts';
import {
  startSalesforceEmulator,
  type OrgHandle,
  type SalesforceEmulator,
} from '../sandbox/salesforce/index.ts';
import { toScoreWrite } from '../app/pipeline/index.ts';
import type { Store } from '../app/kit/store/index.ts';
import { newestWrittenScores } from './written-scores.ts';

/** The demo's connected app in the emulator; the redirect URI is registered once the server listens. */
export const DEMO_SALESFORCE_APP = {
  clientId: 'leadgate-sandbox-demo',
  clientSecret: 'leadgate-sandbox-demo-secret',
} as const;

/** Far above what a demo spends: the budget takes a share of what is left (20% by default). */
const DEMO_DAILY_API_LIMIT = 1_000_000;

export interface DemoOrgParams {
  readonly seed: number;
  /** People (Leads and Contacts together) generated into the org. */
  readonly people: number;
  readonly now: number;
}

export interface DemoOrg {
  readonly emulator: SalesforceEmulator;
  readonly org: OrgHandle;
  readonly data: GeneratedPortal;
  /** Salesforce id of each generated person (a Lead, or a Contact), in generator order. */
  readonly personIds: readonly string[];
  /** The object of each person: 'Lead' or 'Contact' (a converted Lead lives on as a Contact). */
  readonly objectOf: (id: string) => 'Lead' | 'Contact';
  /** People that may be scored: not opted out, not a converted (closed) Lead. */
  readonly scorableIds: () => string[];
  /**
   * What the progress bars count: every Lead and Contact synced (a conversion adds a Contact), and
   * those that may be scored: not opted out, converted Leads left out (the pipeline keeps them for
   * training but never scores or writes them: Salesforce refuses any update to a converted Lead).
   */
  readonly totals: () => { contacts: number; scorable: number };
}

const INDUSTRY: Readonly<Record<string, string>> = {
  Software: 'Technology',
  'Financial Services': 'Finance',
  Manufacturing: 'Manufacturing',
  Healthcare: 'Healthcare',
  Retail: 'Retail',
  Education: 'Education',
};

// Salesforce's default LeadSource picklist is coarse; several web channels fold into "Web".
const SOURCE: Readonly<Record<LeadSource, string>> = {
  organic_search: 'Web',
  paid_search: 'Web',
  paid_social: 'Web',
  direct: 'Web',
  referral: 'Partner Referral',
  email_marketing: 'Other',
  event: 'Other',
  offline: 'Phone Inquiry',
};

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Every other person with an employer is an Account's Contact, the rest are Leads (people without an
 * employer always are): a fixed rule on the generator order, so the same seed gives the same org.
 */
const isContact = (c: GeneratedContact, index: number): boolean => c.companyId !== null && index % 2 === 0;

/**
 * Loads a generated portal into an emulated org as Salesforce would hold it: Accounts, Leads and
 * Contacts, email Tasks (opened, clicked, replied) and meeting Events, each written at its own time;
 * then qualified Leads converted (with an Opportunity when the generator made a deal) and an
 * Opportunity for each qualified Contact. Page views and form submissions are left out: core
 * Salesforce has no web analytics. No lawful-basis field exists, so a person without one is opted out.
 */
function seedOrg(org: OrgHandle, data: GeneratedPortal, clock: { at: number | null }): string[] {
  const at = (ms: number): void => {
    clock.at = ms;
  };
  const accounts = new Map<string, string>();
  const companies = new Map(data.companies.map((c) => [c.id, c]));
  for (const c of [...data.companies].sort((a, b) => a.createdAt - b.createdAt)) {
    at(c.createdAt);
    const [id] = org.insert('Account', [
      {
        Name: c.name,
        Industry: INDUSTRY[c.industry] ?? 'Other',
        Type: 'Prospect',
        NumberOfEmployees: c.employees,
        AnnualRevenue: Math.round(c.annualRevenue),
        BillingCountry: c.country,
        Website: `https://${c.domain}`,
      },
    ]);
    if (id !== undefined) accounts.set(c.id, id);
  }
  const ids: string[] = [];
  data.contacts.forEach((c, i) => {
    at(c.createdAt);
    const optedOut = c.consent.emailOptOut || c.consent.lawfulBasis === 'none';
    const common = {
      FirstName: c.firstName,
      LastName: c.lastName,
      Email: c.email,
      Title: c.jobTitle,
      LeadSource: SOURCE[c.leadSource],
      HasOptedOutOfEmail: optedOut,
    };
    const company = c.companyId === null ? undefined : companies.get(c.companyId);
    const [id] = isContact(c, i)
      ? org.insert('Contact', [
          { ...common, AccountId: accounts.get(c.companyId ?? ''), MailingCountry: c.country },
        ])
      : org.insert('Lead', [
          {
            ...common,
            Company: company?.name ?? '[not provided]',
            Country: c.country,
            ...(company === undefined
              ? {}
              : {
                  Industry: INDUSTRY[company.industry] ?? 'Other',
                  NumberOfEmployees: company.employees,
                  AnnualRevenue: Math.round(company.annualRevenue),
                  Website: `https://${company.domain}`,
                }),
          },
        ]);
    ids.push(id ?? '');
  });
  const idOf = new Map(data.contacts.map((c, i) => [c.id, ids[i] ?? '']));
  for (const e of data.events) {
    const who = idOf.get(e.contactId);
    if (who === undefined) continue;
    const subject = e.attributes['subject'] ?? e.attributes['campaign'] ?? 'Newsletter';
    at(e.occurredAt);
    if (e.type === 'meeting') {
      org.insert('Event', [
        {
          WhoId: who,
          Subject: e.attributes['title'] ?? 'Meeting',
          Type: 'Meeting',
          ActivityDateTime: new Date(e.occurredAt).toISOString(),
          DurationInMinutes: Number(e.attributes['durationMinutes'] ?? 30),
        },
      ]);
    } else if (e.type === 'email_open' || e.type === 'email_click' || e.type === 'email_reply') {
      const prefix = { email_open: 'Email opened: ', email_click: 'Email clicked: ', email_reply: 'Re: ' }[
        e.type
      ];
      org.insert('Task', [
        {
          WhoId: who,
          Subject: `${prefix}${subject}`,
          Type: 'Email',
          Status: 'Completed',
          ActivityDate: day(e.occurredAt),
        },
      ]);
    }
  }
  const deals = new Map(data.deals.map((d) => [d.contactId, d]));
  const qualified = data.lifecycleChanges
    .filter((l) => l.stage === 'salesqualifiedlead' && l.occurredAt <= data.now)
    .sort((a, b) => a.occurredAt - b.occurredAt);
  const index = new Map(data.contacts.map((c, i) => [c.id, i]));
  for (const q of qualified) {
    const i = index.get(q.contactId);
    const person = i === undefined ? undefined : data.contacts[i];
    const id = idOf.get(q.contactId);
    if (i === undefined || person === undefined || id === undefined) continue;
    const deal = deals.get(q.contactId);
    at(q.occurredAt);
    if (!isContact(person, i)) {
      org.convertLead(id, { createOpportunity: deal !== undefined });
      continue;
    }
    org.insert('Opportunity', [
      {
        Name: deal?.name ?? `${person.lastName} opportunity`,
        AccountId: accounts.get(person.companyId ?? ''),
        ContactId: id,
        StageName: 'Qualification',
        CloseDate: day((deal?.closeDate ?? q.occurredAt) + 30 * 86_400_000),
        ...(deal === undefined ? {} : { Amount: deal.amount }),
      },
    ]);
  }
  clock.at = null;
  return ids;
}

/**
 * Starts the Salesforce emulator and seeds one org. Like the HubSpot portal it lives in memory: the
 * same parameters rebuild the same org (same org id, same record ids), which is what lets a resumed
 * demo find its tenant and its stored scores again.
 */
export async function startDemoOrg(params: DemoOrgParams, port: number): Promise<DemoOrg> {
  // Seeding writes each record at its own time in the past; afterwards the emulator runs on the wall clock.
  const clock: { at: number | null } = { at: null };
  const emulator = await startSalesforceEmulator({
    port,
    host: '127.0.0.1',
    clock: () => clock.at ?? Date.now(),
    connectedApps: [{ ...DEMO_SALESFORCE_APP, redirectUris: [] }],
  });
  try {
    const data = generatePortal({ seed: params.seed, contacts: params.people, now: params.now });
    const org = emulator.createOrg({ name: 'leadgate demo org', dailyApiLimit: DEMO_DAILY_API_LIMIT });
    const personIds = seedOrg(org, data, clock);
    const objectOf = (id: string): 'Lead' | 'Contact' => (id.startsWith('00Q') ? 'Lead' : 'Contact');
    return {
      emulator,
      org,
      data,
      personIds,
      objectOf,
      scorableIds: () => [
        ...org
          .query('SELECT Id FROM Lead WHERE IsConverted = false AND HasOptedOutOfEmail = false')
          .map((r) => String(r['Id'])),
        ...org.query('SELECT Id FROM Contact WHERE HasOptedOutOfEmail = false').map((r) => String(r['Id'])),
      ],
      totals: () => {
        const count = (soql: string): number => org.query(soql).length;
        return {
          contacts: count('SELECT Id FROM Lead') + count('SELECT Id FROM Contact'),
          scorable:
            count('SELECT Id FROM Lead WHERE IsConverted = false AND HasOptedOutOfEmail = false') +
            count('SELECT Id FROM Contact WHERE HasOptedOutOfEmail = false'),
        };
      },
    };
  } catch (err) {
    await emulator.close();
    throw err;
  }
}

/**
 * The Salesforce half of a resumed demo: put back the Leadgate_*__c values leadgate had written, as the
 * org held them when the last run stopped, tagged with our client id so the change events they raise
 * are recognised as our own (and ignored) by the subscriber. Returns how many records.
 */
export async function restoreWrittenSalesforceScores(
  store: Pick<Store, 'listScoresByWriteBack'>,
  tenantId: string,
  demo: DemoOrg,
): Promise<number> {
  const written = await newestWrittenScores(store, tenantId);
  const changeOrigin = `com/salesforce/api/rest/64.0;client=${DEMO_SALESFORCE_APP.clientId}`;
  let restored = 0;
  for (const score of written) {
    const record = demo.org.get(score.personId);
    // A converted Lead takes no update (an older run may have written one before it was closed).
    if (record === undefined || record['IsConverted'] === true) continue;
    demo.org.update(
      demo.objectOf(score.personId),
      score.personId,
      toSalesforceValues(toScoreWrite(score).fields),
      { changeOrigin },
    );
    restored++;
  }
  return restored;
}
