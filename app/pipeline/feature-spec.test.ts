import { describe, expect, it } from 'vitest';
import { parseRuleSet } from '../../scoring/index.ts';
import {
  CRM_FIELDS,
  EMAIL_DOMAIN_TYPE_PROPERTY,
  emailDomainType,
  pathOf,
  seniorityFromTitle,
  storedProperties,
  toLeadInput,
} from './feature-spec.ts';
import { DEFAULT_RULE_SET } from './rules.ts';

const DAY = 86_400_000;
const T = Date.UTC(2025, 5, 1);

describe('seniorityFromTitle', () => {
  it.each([
    ['CEO', 'c_level'],
    ['Chief Revenue Officer', 'c_level'],
    ['Co-Founder & CTO', 'c_level'],
    ['Managing Director', 'c_level'],
    ['VP of Marketing', 'vp'],
    ['Senior Vice President, Sales', 'vp'],
    ['Director of IT', 'director'],
    ['Head of Growth', 'director'],
    ['Finance Manager', 'manager'],
    ['Team Lead, Support', 'manager'],
    ['Marketing Specialist', 'individual'],
    ['Software Engineer', 'individual'],
    ['Student', 'student'],
    ['Marketing Intern', 'student'],
    ['', null],
    [null, null],
  ] as const)('reads %j as %j', (title, expected) => {
    expect(seniorityFromTitle(title)).toBe(expected);
  });
});

describe('emailDomainType', () => {
  it.each([
    ['ada@gmail.com', 'free'],
    ['ada@Outlook.com', 'free'],
    ['ada@acme.io', 'company'],
    ['no-at-sign', null],
    ['trailing@', null],
    [null, null],
  ] as const)('reads %j as %j', (email, expected) => {
    expect(emailDomainType(email)).toBe(expected);
  });
});

describe('pathOf', () => {
  it.each([
    ['https://www.example.com/pricing?plan=pro#top', '/pricing'],
    ['/pricing/enterprise', '/pricing/enterprise'],
    ['not a url', undefined],
    [42, undefined],
  ] as const)('reads %j as %j', (url, expected) => {
    expect(pathOf(url)).toBe(expected);
  });
});

describe('toLeadInput', () => {
  const person = {
    crmId: 'p1',
    createdAt: T - 30 * DAY,
    companyId: 'c1',
    properties: {
      jobtitle: 'VP of Sales',
      email: 'ada@acme.io',
      hs_analytics_source: 'REFERRALS',
      country: '',
      lifecyclestage: 'customer',
    },
  };
  const company = {
    crmId: 'c1',
    properties: {
      industry: 'RETAIL',
      numberofemployees: '250',
      annualrevenue: '1000000',
      country: 'Germany',
    },
  };
  const events = [
    { type: 'page_view', occurredAt: T - 2 * DAY, attributes: { hs_url: 'https://x.com/pricing' } },
    { type: 'email_open', occurredAt: T - 5 * DAY, attributes: { nested: { a: 1 } } },
    { type: 'meeting', occurredAt: T + DAY, attributes: {} },
  ];

  it('maps person and company fields to canonical attributes, and never reads lifecycle stage', () => {
    const lead = toLeadInput(person, company, events, T, CRM_FIELDS.hubspot);
    expect(lead.attributes).toEqual({
      industry: 'RETAIL',
      employees: '250',
      annual_revenue: '1000000',
      country: 'Germany',
      seniority: 'vp',
      lead_source: 'REFERRALS',
      email_domain_type: 'company',
      days_since_last_engagement: 2,
    });
    expect(lead.asOf).toBe(T);
  });

  it('keeps only events at or before asOf and derives the page path from the URL', () => {
    const lead = toLeadInput(person, company, events, T, CRM_FIELDS.hubspot);
    expect(lead.events?.map((e) => e.type)).toEqual(['page_view', 'email_open']);
    expect(lead.events?.[0]?.attributes?.path).toBe('/pricing');
    expect(lead.events?.[1]?.attributes?.nested).toBe('{"a":1}');
  });

  it('reads the stored email domain type where the address itself is no longer kept (issue 14 item 11)', () => {
    const stored = {
      ...person,
      properties: { jobtitle: 'VP of Sales', [EMAIL_DOMAIN_TYPE_PROPERTY]: 'free' },
    };
    expect(toLeadInput(stored, company, [], T, CRM_FIELDS.hubspot).attributes.email_domain_type).toBe('free');
    const none = { ...person, properties: { [EMAIL_DOMAIN_TYPE_PROPERTY]: null } };
    expect(toLeadInput(none, company, [], T, CRM_FIELDS.hubspot).attributes.email_domain_type).toBeNull();
  });

  it('reads a Salesforce Lead firmographics off the lead itself when there is no account', () => {
    const lead = toLeadInput(
      {
        crmId: '00Q1',
        createdAt: T,
        companyId: null,
        properties: {
          Title: 'CFO',
          Email: 'x@gmail.com',
          Industry: 'Banking',
          NumberOfEmployees: '40',
          MailingCountry: 'France',
        },
      },
      null,
      [],
      T,
      CRM_FIELDS.salesforce,
    );
    expect(lead.attributes).toMatchObject({
      industry: 'Banking',
      employees: '40',
      country: 'France',
      seniority: 'c_level',
      email_domain_type: 'free',
      days_since_last_engagement: null,
    });
  });
});

describe('default rules', () => {
  it('are a valid rule set', () => {
    expect(parseRuleSet(structuredClone(DEFAULT_RULE_SET)).version).toBe('b2b-default-1');
  });
});

describe('storedProperties (issue 14 item 11)', () => {
  it('keeps what the HubSpot features read, and the email only as its domain type', () => {
    const person = {
      email: 'ada@acme.io',
      firstname: 'Ada',
      lastname: 'Lovelace',
      phone: '+44 20 7946 0000',
      city: 'London',
      website: 'https://ada.example',
      company: 'Acme',
      jobtitle: 'VP of Sales',
      country: 'United Kingdom',
      hs_analytics_source: 'REFERRALS',
      lifecyclestage: 'customer',
      lastmodifieddate: '2025-01-01T00:00:00Z',
    };
    expect(storedProperties(person, CRM_FIELDS.hubspot)).toEqual({
      jobtitle: 'VP of Sales',
      country: 'United Kingdom',
      hs_analytics_source: 'REFERRALS',
      [EMAIL_DOMAIN_TYPE_PROPERTY]: 'company',
    });
    const company = {
      name: 'Acme',
      domain: 'acme.io',
      city: 'Leeds',
      industry: 'RETAIL',
      numberofemployees: '250',
    };
    expect(storedProperties(company, CRM_FIELDS.hubspot)).toEqual({
      industry: 'RETAIL',
      numberofemployees: '250',
    });
  });

  it("keeps a Salesforce Lead's firmographics and IsConverted (the closed rule), not its name, company, city or website", () => {
    const lead = {
      Id: '00Q1',
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Company: 'Acme',
      City: 'London',
      Website: 'acme.io',
      Email: 'ada@gmail.com',
      Title: 'CFO',
      Industry: 'Banking',
      NumberOfEmployees: '40',
      Country: 'France',
      IsConverted: 'false',
      OwnerId: '005x',
    };
    expect(storedProperties(lead, CRM_FIELDS.salesforce)).toEqual({
      Title: 'CFO',
      Industry: 'Banking',
      NumberOfEmployees: '40',
      Country: 'France',
      IsConverted: 'false',
      [EMAIL_DOMAIN_TYPE_PROPERTY]: 'free',
    });
  });

  it('states a removed email (a null value) and says nothing of one the read did not carry', () => {
    expect(storedProperties({ email: null }, CRM_FIELDS.hubspot)).toEqual({
      [EMAIL_DOMAIN_TYPE_PROPERTY]: null,
    });
    expect(storedProperties({ jobtitle: 'CEO' }, CRM_FIELDS.hubspot)).toEqual({ jobtitle: 'CEO' });
  });
});
