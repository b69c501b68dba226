import { createRng } from './rng.ts';
import { DAY_MS, DECISION_DELAY_DAYS } from './true-model.ts';
import type {
  ContactTruth,
  GeneratedContact,
  GeneratedEvent,
  GeneratedPortal,
  LeadSource,
  LifecycleChange,
  Seniority,
} from './types.ts';
import { FIRST_NAMES, FREE_MAIL_DOMAINS, LAST_NAMES } from './vocabulary.ts';
import { DEFAULT_NOW } from './generate-portal.ts';

/**
 * Maps the real X Education leads (Leads.csv, one row per lead, `Converted` the label) into the
 * portal shape. The data set has no names, no timestamps and no companies: names are synthetic,
 * creation times are spread over the window by seed, and engagement is rebuilt from TotalVisits,
 * Page Views Per Visit and Total Time Spent on Website, all before the decision time.
 */

export interface CsvLike {
  header: readonly string[];
  rows: readonly (readonly string[])[];
}

export interface XEducationOptions {
  seed?: number;
  now?: number;
  /** Use only the first `limit` rows. */
  limit?: number;
}

const SOURCE_MAP: Readonly<Record<string, LeadSource>> = {
  google: 'organic_search',
  'organic search': 'organic_search',
  'direct traffic': 'direct',
  'olark chat': 'direct',
  'live chat': 'direct',
  reference: 'referral',
  'referral sites': 'referral',
  'welingak website': 'referral',
  facebook: 'paid_social',
  'social media': 'paid_social',
  bing: 'paid_search',
  'pay per click ads': 'paid_search',
  click2call: 'offline',
};

const OCCUPATION_MAP: Readonly<Record<string, readonly [Seniority, string]>> = {
  Student: ['student', 'Student'],
  'Working Professional': ['manager', 'Working Professional'],
  Businessman: ['c_level', 'Business Owner'],
};

const PAGES = ['/', '/courses', '/courses/data-science', '/courses/management', '/fees', '/faq'] as const;

export function mapXEducationLeads(table: CsvLike, options: XEducationOptions = {}): GeneratedPortal {
  const seed = options.seed ?? 1;
  const now = options.now ?? DEFAULT_NOW;
  const start = now - 183 * DAY_MS;
  const rng = createRng(seed);
  const col = (name: string): number => {
    const i = table.header.indexOf(name);
    if (i < 0) throw new Error(`X Education CSV: column "${name}" is missing`);
    return i;
  };
  const c = {
    number: col('Lead Number'),
    origin: col('Lead Origin'),
    source: col('Lead Source'),
    doNotEmail: col('Do Not Email'),
    converted: col('Converted'),
    visits: col('TotalVisits'),
    time: col('Total Time Spent on Website'),
    perVisit: col('Page Views Per Visit'),
    country: col('Country'),
    occupation: col('What is your current occupation'),
    freeCopy: col('A free copy of Mastering The Interview'),
  };
  const rows = options.limit === undefined ? table.rows : table.rows.slice(0, options.limit);
  const contacts: GeneratedContact[] = [];
  const events: GeneratedEvent[] = [];
  const lifecycleChanges: LifecycleChange[] = [];
  const truth: ContactTruth[] = [];
  const usedEmails = new Set<string>();

  for (const row of rows) {
    const cell = (i: number): string => (row[i] ?? '').trim();
    const id = `xe-${cell(c.number)}`;
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const local = `${firstName}.${lastName}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    const domain = rng.pick(FREE_MAIL_DOMAINS);
    let email = `${local}@${domain}`;
    for (let k = 2; usedEmails.has(email); k++) email = `${local}${k}@${domain}`;
    usedEmails.add(email);
    // Leave room for the decision delay and a conversion delay of up to 14 days before `now`.
    const createdAt = start + Math.round(rng.next() * (now - start - 30 * DAY_MS));
    const decisionAt = createdAt + DECISION_DELAY_DAYS * DAY_MS;
    const [seniority, jobTitle] = OCCUPATION_MAP[cell(c.occupation)] ?? ['individual', 'Not stated'];
    const origin = cell(c.origin);
    const leadSource: LeadSource =
      origin === 'Lead Import' ? 'offline' : (SOURCE_MAP[cell(c.source).toLowerCase()] ?? 'offline');
    const country = cell(c.country);
    contacts.push({
      id,
      firstName,
      lastName,
      email,
      jobTitle,
      seniority,
      leadSource,
      country: country === '' || country.toLowerCase() === 'unknown' ? '' : country,
      createdAt,
      companyId: null,
      consent: {
        lawfulBasis: 'legitimate_interest',
        emailOptOut: cell(c.doNotEmail) === 'Yes',
        recordedAt: createdAt,
      },
    });
    let n = 0;
    const add = (type: GeneratedEvent['type'], at: number, attributes: Record<string, string>): void => {
      n++;
      events.push({ sourceId: `${id}-${type}-${n}`, contactId: id, type, occurredAt: at, attributes });
    };
    if (origin === 'Landing Page Submission' || cell(c.freeCopy) === 'Yes') {
      add('form_submission', createdAt, {
        formId: 'f-mastering-the-interview',
        formTitle: 'A free copy of Mastering The Interview',
        pageUrl: '/landing',
      });
    }
    const visits = Number.parseFloat(cell(c.visits));
    const perVisit = Number.parseFloat(cell(c.perVisit));
    const seconds = Number.parseFloat(cell(c.time));
    if (Number.isFinite(visits) && visits > 0) {
      const views = Math.max(1, Math.round(Number.isFinite(perVisit) ? perVisit : 1));
      const secondsPerView = Number.isFinite(seconds) ? Math.round(seconds / (visits * views)) : 0;
      for (let v = 0; v < Math.min(visits, 60); v++) {
        // All visits fall between creation and the decision time: they are what was known then.
        const visitAt = createdAt + Math.floor(rng.next() * (decisionAt - createdAt - 3_600_000));
        for (let p = 0; p < views; p++) {
          add('page_view', visitAt + p * 60_000, {
            url: `https://www.x-education.example${rng.pick(PAGES)}`,
            title: 'X Education',
            durationSeconds: String(secondsPerView),
          });
        }
      }
    }
    lifecycleChanges.push({ contactId: id, stage: 'lead', occurredAt: createdAt });
    const converted = cell(c.converted) === '1';
    const convertedAt = converted ? decisionAt + Math.round((1 + rng.next() * 13) * DAY_MS) : null;
    if (convertedAt !== null)
      lifecycleChanges.push({ contactId: id, stage: 'salesqualifiedlead', occurredAt: convertedAt });
    truth.push({ contactId: id, decisionAt, logit: null, probability: null, converted, convertedAt });
  }
  events.sort((a, b) => a.occurredAt - b.occurredAt || (a.sourceId < b.sourceId ? -1 : 1));
  lifecycleChanges.sort((a, b) => a.occurredAt - b.occurredAt);
  return { seed, now, start, companies: [], contacts, events, lifecycleChanges, deals: [], truth };
}
