import { describe, expect, it } from 'vitest';
import { SCORE_FIELDS, toSalesforceValues } from './fields.ts';
import { OBJECT_FIELDS, activityType, parseSalesforceTime, toConsent, toEvent, toPerson } from './records.ts';

describe('activityType', () => {
  it.each([
    ['Task', { TaskSubtype: 'Call', Subject: 'x' }, 'call'],
    ['Task', { Type: 'Call', Subject: 'x' }, 'call'],
    ['Task', { Type: 'Meeting', Subject: 'x' }, 'meeting'],
    ['Task', { Type: 'Email', Subject: 'Re: pricing' }, 'email_reply'],
    ['Task', { TaskSubtype: 'Email', Subject: 'Prospect replied to your email' }, 'email_reply'],
    ['Task', { Type: 'Email', Subject: 'Email opened: Q3 offer' }, 'email_open'],
    ['Task', { Type: 'Email', Subject: 'Link clicked: pricing' }, 'email_click'],
    ['Task', { Type: 'Email', Subject: 'Our Q3 offer' }, null], // outbound: not the person's signal
    ['Task', { Subject: 'Call back' }, 'call'],
    ['Task', { Subject: 'Product demo' }, 'meeting'],
    ['Task', { Subject: 'Send contract' }, null],
    ['Event', { Type: 'Call', Subject: 'x' }, 'call'],
    ['Event', { Type: 'Meeting', Subject: 'x' }, 'meeting'],
    ['Event', { Subject: 'Lunch' }, 'meeting'],
  ] as const)('%s %j → %s', (object, props, type) => {
    expect(activityType(object, props)).toBe(type);
  });
});

describe('fields read (issue 14 item 11)', () => {
  // leadgate stores only what its features read (app/pipeline/feature-spec.ts storedProperties):
  // a person's name, the company name, city and website were read for storage alone.
  it.each([
    ['Lead', ['FirstName', 'LastName', 'Company', 'City', 'Website']],
    ['Contact', ['FirstName', 'LastName']],
    ['Account', ['Name', 'Website']],
  ] as const)('reads no name, city or website of a %s', (object, unused) => {
    expect(
      Object.keys(OBJECT_FIELDS[object]).filter((f) => (unused as readonly string[]).includes(f)),
    ).toEqual([]);
  });
});

describe('record mapping', () => {
  const rest = {
    attributes: { type: 'Lead', url: '/x' },
    Id: '00QDn0000000001AAA',
    LastName: 'Doe',
    NumberOfEmployees: 250,
    AnnualRevenue: 1250000.5,
    HasOptedOutOfEmail: true,
    IsConverted: false,
    Email: null,
    ConvertedDate: null,
    CreatedDate: '2026-01-15T12:00:00.000+0000',
    SystemModstamp: '2026-01-16T08:30:00.000+0000',
  };
  const csv = {
    Id: '00QDn0000000001AAA',
    LastName: 'Doe',
    NumberOfEmployees: '250',
    AnnualRevenue: '1250000.5',
    HasOptedOutOfEmail: 'true',
    IsConverted: 'false',
    Email: '',
    ConvertedDate: '',
    CreatedDate: '2026-01-15T12:00:00.000Z',
    SystemModstamp: '2026-01-16T08:30:00.000Z',
  };

  it('maps a REST (JSON) and a Bulk 2.0 (CSV) Lead to the same canonical person', () => {
    const person = toPerson('Lead', rest);
    expect(person).toEqual(toPerson('Lead', csv));
    expect(person).toMatchObject({
      crmId: rest.Id,
      objectType: 'lead',
      createdAt: Date.UTC(2026, 0, 15, 12),
      updatedAt: Date.UTC(2026, 0, 16, 8, 30),
      properties: {
        NumberOfEmployees: '250',
        HasOptedOutOfEmail: 'true',
        Email: null,
        CreatedDate: '2026-01-15T12:00:00.000Z',
      },
    });
    expect(person.companyId).toBeUndefined();
  });

  it('links a Contact to its Account', () => {
    const p = toPerson('Contact', {
      Id: '003x',
      AccountId: '001x',
      CreatedDate: csv.CreatedDate,
      SystemModstamp: csv.SystemModstamp,
    });
    expect(p).toMatchObject({ objectType: 'contact', companyId: '001x' });
  });

  it('maps consent conservatively: an email opt-out is no profiling', () => {
    expect(toConsent('Lead', rest)).toEqual({
      personId: rest.Id,
      profilingAllowed: false,
      basis: 'opted_out_of_email',
      recordedAt: Date.UTC(2026, 0, 16, 8, 30),
    });
    expect(toConsent('Lead', { ...csv, HasOptedOutOfEmail: 'false' }).profilingAllowed).toBe(true);
  });

  it('carries the same consent on the person read, REST and Bulk alike', () => {
    expect(toPerson('Lead', rest).consent).toEqual({ profilingAllowed: false, basis: 'opted_out_of_email' });
    expect(toPerson('Lead', { ...csv, HasOptedOutOfEmail: 'false' }).consent).toEqual({
      profilingAllowed: true,
      basis: null,
    });
    expect(toPerson('Contact', { ...csv, HasOptedOutOfEmail: 'true' }).consent?.profilingAllowed).toBe(false);
  });

  it('carries a Lead conversion on the person read (ConvertedDate, midnight UTC), none on an open Lead or a Contact', () => {
    expect(toPerson('Lead', csv).outcomes).toEqual([]);
    const converted = { ...csv, IsConverted: 'true', ConvertedDate: '2026-02-03' };
    expect(toPerson('Lead', converted).outcomes).toEqual([
      { personId: csv.Id, type: 'lead_converted', occurredAt: Date.UTC(2026, 1, 3) },
    ]);
    expect(toPerson('Lead', { ...rest, IsConverted: true, ConvertedDate: '2026-02-03' })).toEqual(
      toPerson('Lead', converted),
    );
    expect(toPerson('Contact', { ...csv, IsConverted: 'true' }).outcomes).toBeUndefined();
  });

  it('maps an Event with its record Id as sourceId, and skips activity without a person', () => {
    const e = {
      Id: '00U1',
      WhoId: '003x',
      Subject: 'Demo',
      Type: 'Meeting',
      ActivityDateTime: '2026-01-12T15:00:00.000+0000',
      DurationInMinutes: 30,
      CreatedDate: csv.CreatedDate,
    };
    expect(toEvent('Event', e)).toEqual({
      personId: '003x',
      type: 'meeting',
      occurredAt: Date.UTC(2026, 0, 12, 15),
      attributes: { object: 'Event', subject: 'Demo', durationMinutes: 30 },
      sourceId: '00U1',
    });
    expect(toEvent('Event', { ...e, WhoId: null })).toBeNull();
  });

  it('parses REST datetimes, Bulk datetimes and dates', () => {
    expect(parseSalesforceTime('2013-05-20T20:49:32.000+0000')).toBe(Date.UTC(2013, 4, 20, 20, 49, 32));
    expect(parseSalesforceTime('2013-05-20T20:49:32.000-0130')).toBe(Date.UTC(2013, 4, 20, 22, 19, 32));
    expect(parseSalesforceTime('2013-05-20')).toBe(Date.UTC(2013, 4, 20));
    expect(() => parseSalesforceTime('soon')).toThrow(RangeError);
  });
});

describe('score fields', () => {
  it('covers every field of the write-back contract once, on both objects', () => {
    expect(SCORE_FIELDS.map((f) => f.key).sort()).toEqual(
      [
        'confidence',
        'engagementScore',
        'fitScore',
        'modelVersion',
        'reasons',
        'route',
        'score',
        'scoredAt',
        'tier',
      ].sort(),
    );
    expect(new Set(SCORE_FIELDS.map((f) => f.name)).size).toBe(9);
  });

  it('converts a write to field values', () => {
    expect(
      toSalesforceValues({
        score: 87.6,
        tier: 'A',
        fitScore: 40.126,
        engagementScore: null,
        route: 'ae',
        confidence: 'low',
        reasons: 'x'.repeat(40_000),
        modelVersion: 'v7',
        scoredAt: Date.UTC(2026, 0, 15, 12),
      }),
    ).toEqual({
      Leadgate_Score__c: 88,
      Leadgate_Tier__c: 'A',
      Leadgate_Fit_Score__c: 40.13,
      Leadgate_Engagement_Score__c: null,
      Leadgate_Route__c: 'ae',
      Leadgate_Confidence__c: 'low',
      Leadgate_Reasons__c: 'x'.repeat(32_768),
      Leadgate_Model_Version__c: 'v7',
      Leadgate_Scored_At__c: '2026-01-15T12:00:00.000Z',
    });
  });
});
