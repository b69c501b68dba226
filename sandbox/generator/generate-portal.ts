import { createRng, type Rng } from './rng.ts';
import {
  DAY_MS,
  DECISION_DELAY_DAYS,
  PRICING_PATH,
  sigmoidOf,
  signalsAsOf,
  trueLogit,
} from './true-model.ts';
import type {
  ContactTruth,
  DealStage,
  GeneratedCompany,
  GeneratedContact,
  GeneratedDeal,
  GeneratedEvent,
  GeneratedPortal,
  LifecycleChange,
} from './types.ts';
import {
  CAMPAIGNS,
  COMPANY_SUFFIXES,
  CONTENT_PAGES,
  COUNTRIES,
  FIRST_NAMES,
  FORMS,
  FREE_MAIL_DOMAINS,
  FUNCTIONS,
  INDUSTRIES,
  LAST_NAMES,
  LEAD_SOURCES,
  NAME_STEMS,
  NAME_TAILS,
  REVENUE_PER_EMPLOYEE,
  SENIORITIES,
  SITE,
  TLDS,
  jobTitleFor,
} from './vocabulary.ts';

export interface GenerateOptions {
  seed?: number;
  /** Number of contacts; default 5,000. */
  contacts?: number;
  /** The portal's "now" (epoch ms). A fixed default keeps output independent of the wall clock. */
  now?: number;
  /** Months of history before `now`; default 6. */
  months?: number;
}

export const DEFAULT_CONTACTS = 5_000;
export const DEFAULT_NOW = Date.UTC(2025, 5, 30, 12, 0, 0);

/** Days after which a conversion no longer counts (design §3: default horizon 90 days). */
const HORIZON_DAYS = 90;

export function generatePortal(options: GenerateOptions = {}): GeneratedPortal {
  const seed = options.seed ?? 1;
  const n = options.contacts ?? DEFAULT_CONTACTS;
  if (!Number.isInteger(n) || n < 0) throw new RangeError('contacts must be a non-negative integer');
  const now = options.now ?? DEFAULT_NOW;
  const start = now - Math.round((options.months ?? 6) * 30.4375 * DAY_MS);
  const rng = createRng(seed);

  const companies = generateCompanies(rng, Math.max(1, Math.round(n / 8)), start);
  const companyById = new Map(companies.map((c) => [c.id, c]));
  const contacts: GeneratedContact[] = [];
  const usedEmails = new Set<string>();
  const events: GeneratedEvent[] = [];
  const lifecycleChanges: LifecycleChange[] = [];
  const deals: GeneratedDeal[] = [];
  const truth: ContactTruth[] = [];

  for (let i = 0; i < n; i++) {
    const contact = generateContact(rng, i, companies, usedEmails, start, now);
    contacts.push(contact);
    const company = contact.companyId === null ? null : (companyById.get(contact.companyId) ?? null);
    const own = generateEngagement(rng, contact, now);
    const decisionAt = contact.createdAt + DECISION_DELAY_DAYS * DAY_MS;
    // The outcome is drawn from the signals as of decisionAt only; later events cannot leak into it.
    const logit = trueLogit(signalsAsOf(contact, company, own, decisionAt));
    const probability = sigmoidOf(logit);
    const converted = rng.chance(probability);
    const convertedAt = converted
      ? decisionAt + Math.round(Math.min(rng.exponential(12), HORIZON_DAYS - 1) * DAY_MS)
      : null;
    truth.push({ contactId: contact.id, decisionAt, logit, probability, converted, convertedAt });
    lifecycleChanges.push(...lifecycleOf(contact, own, convertedAt, now));
    if (convertedAt !== null && convertedAt <= now) {
      own.push(salesMeeting(rng, contact, convertedAt, now, own.length));
      const deal = maybeDeal(rng, contact, convertedAt, now, deals.length);
      if (deal !== null) {
        deals.push(deal);
        lifecycleChanges.push({ contactId: contact.id, stage: 'opportunity', occurredAt: deal.createdAt });
        if (deal.stage === 'closedwon') {
          lifecycleChanges.push({ contactId: contact.id, stage: 'customer', occurredAt: deal.closeDate });
        }
      }
    }
    events.push(...own.filter((e) => e.occurredAt <= now));
  }
  events.sort((a, b) => a.occurredAt - b.occurredAt || (a.sourceId < b.sourceId ? -1 : 1));
  lifecycleChanges.sort((a, b) => a.occurredAt - b.occurredAt);
  return { seed, now, start, companies, contacts, events, lifecycleChanges, deals, truth };
}

function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

function generateCompanies(rng: Rng, count: number, start: number): GeneratedCompany[] {
  const out: GeneratedCompany[] = [];
  const domains = new Set<string>();
  for (let i = 0; i < count; i++) {
    const base = `${rng.pick(NAME_STEMS)} ${rng.pick(NAME_TAILS)}`;
    let domainStem = slug(base);
    const tld = rng.pick(TLDS);
    for (let k = 2; domains.has(`${domainStem}.${tld}`); k++) domainStem = `${slug(base)}${k}`;
    const domain = `${domainStem}.${tld}`;
    domains.add(domain);
    const industry = rng.weighted(INDUSTRIES);
    // Firm sizes are heavy-tailed: log-uniform from 5 to ~20,000 employees.
    const employees = Math.round(Math.exp(Math.log(5) + rng.next() * Math.log(4000)));
    const perEmployee = REVENUE_PER_EMPLOYEE[industry] ?? 150_000;
    const annualRevenue = Math.round((employees * perEmployee * Math.exp(0.4 * rng.normal())) / 1000) * 1000;
    out.push({
      id: `co-${String(i + 1).padStart(5, '0')}`,
      name: `${base} ${rng.pick(COMPANY_SUFFIXES)}`,
      domain,
      industry,
      employees,
      annualRevenue,
      country: rng.weighted(COUNTRIES),
      createdAt: start - Math.round(rng.next() * 3 * 365 * DAY_MS),
    });
  }
  return out;
}

function generateContact(
  rng: Rng,
  index: number,
  companies: readonly GeneratedCompany[],
  usedEmails: Set<string>,
  start: number,
  now: number,
): GeneratedContact {
  const id = `ct-${String(index + 1).padStart(6, '0')}`;
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const freeMail = rng.chance(0.15);
  const company = freeMail ? null : rng.pick(companies);
  const seniority = freeMail && rng.chance(0.3) ? 'student' : rng.weighted(SENIORITIES);
  const domain = company === null ? rng.pick(FREE_MAIL_DOMAINS) : company.domain;
  const local = `${slug(firstName)}.${slug(lastName)}`;
  let email = `${local}@${domain}`;
  for (let k = 2; usedEmails.has(email); k++) email = `${local}${k}@${domain}`;
  usedEmails.add(email);
  const createdAt = start + Math.round(rng.next() * (now - start));
  const consentDraw = rng.next();
  // About 5% have no lawful basis for profiling (half of them also opted out of email).
  const lawfulBasis = consentDraw < 0.05 ? 'none' : consentDraw < 0.3 ? 'consent' : 'legitimate_interest';
  const emailOptOut = lawfulBasis === 'none' ? rng.chance(0.5) : rng.chance(0.02);
  return {
    id,
    firstName,
    lastName,
    email,
    jobTitle: jobTitleFor(seniority, rng.pick(FUNCTIONS)),
    seniority,
    leadSource: rng.weighted(LEAD_SOURCES),
    country: company?.country ?? rng.weighted(COUNTRIES),
    createdAt,
    companyId: company?.id ?? null,
    consent: { lawfulBasis, emailOptOut, recordedAt: createdAt },
  };
}

/**
 * Six months of engagement at most (from creation to `now`), driven by a latent interest that fades
 * after sign-up. Returned unsorted and possibly past `now` (the caller trims).
 */
function generateEngagement(rng: Rng, contact: GeneratedContact, now: number): GeneratedEvent[] {
  const out: GeneratedEvent[] = [];
  const add = (type: GeneratedEvent['type'], at: number, attributes: Record<string, string>): void => {
    out.push({
      sourceId: `${contact.id}-${type}-${out.length + 1}`,
      contactId: contact.id,
      type,
      occurredAt: at,
      attributes,
    });
  };
  const senior =
    contact.seniority === 'c_level' || contact.seniority === 'vp' || contact.seniority === 'director';
  const interest = Math.exp(
    0.8 * rng.normal() + (senior ? 0.2 : 0) - (contact.seniority === 'student' ? 0.3 : 0),
  );
  const sendDay = rng.int(0, 6);
  if (contact.leadSource !== 'offline' && contact.leadSource !== 'event') {
    // Web-sourced contacts are created by their first form submission.
    add('form_submission', contact.createdAt, { ...rng.pick(FORMS) });
  }
  const days = Math.floor((now - contact.createdAt) / DAY_MS);
  for (let d = 0; d <= days; d++) {
    const dayStart = contact.createdAt + d * DAY_MS;
    const at = (): number => dayStart + Math.floor(rng.next() * DAY_MS);
    const w = Math.exp(-d / 40) + 0.1;
    const views = rng.poisson(0.3 * interest * w);
    for (let v = 0; v < views; v++) {
      const pricing = rng.chance(Math.min(0.5, 0.08 * Math.sqrt(interest)));
      const path = pricing ? PRICING_PATH : rng.pick(CONTENT_PAGES);
      add('page_view', at(), { url: `${SITE}${path}`, title: pricing ? 'Pricing' : path });
    }
    if (rng.poisson(0.012 * interest * w) > 0) add('form_submission', at(), { ...rng.pick(FORMS) });
    if (!contact.consent.emailOptOut && d % 7 === sendDay) {
      const campaign = rng.pick(CAMPAIGNS);
      if (rng.chance(Math.min(0.8, 0.2 * Math.sqrt(interest) + 0.05))) {
        const openAt = at();
        add('email_open', openAt, { campaign, subject: campaign });
        if (rng.chance(0.25)) add('email_click', openAt + 60_000, { campaign, subject: campaign });
      }
    }
    if (rng.poisson(0.004 * interest * w * (senior ? 1.5 : 1)) > 0) {
      add('email_reply', at(), { campaign: 'Sales outreach', subject: 'Re: Quick question' });
    }
    if (rng.poisson(0.0025 * interest * w) > 0) {
      add('meeting', at(), { title: 'Discovery call', durationMinutes: '30' });
    }
  }
  return out;
}

function salesMeeting(
  rng: Rng,
  contact: GeneratedContact,
  convertedAt: number,
  now: number,
  count: number,
): GeneratedEvent {
  const at = Math.min(now, convertedAt + Math.floor(rng.next() * 3 * DAY_MS));
  return {
    sourceId: `${contact.id}-meeting-${count + 1}`,
    contactId: contact.id,
    type: 'meeting',
    occurredAt: at,
    attributes: { title: 'Qualification meeting', durationMinutes: '45' },
  };
}

function lifecycleOf(
  contact: GeneratedContact,
  events: readonly GeneratedEvent[],
  convertedAt: number | null,
  now: number,
): LifecycleChange[] {
  const out: LifecycleChange[] = [
    {
      contactId: contact.id,
      stage: contact.leadSource === 'email_marketing' ? 'subscriber' : 'lead',
      occurredAt: contact.createdAt,
    },
  ];
  // A second form submission makes a marketing-qualified lead, as a typical HubSpot workflow does.
  const forms = events
    .filter((e) => e.type === 'form_submission')
    .map((e) => e.occurredAt)
    .sort((a, b) => a - b);
  const secondForm = forms[1];
  const sqlAt = convertedAt !== null && convertedAt <= now ? convertedAt : null;
  if (secondForm !== undefined && secondForm <= now && (sqlAt === null || secondForm < sqlAt)) {
    out.push({ contactId: contact.id, stage: 'marketingqualifiedlead', occurredAt: secondForm });
  }
  if (sqlAt !== null) out.push({ contactId: contact.id, stage: 'salesqualifiedlead', occurredAt: sqlAt });
  return out;
}

const OPEN_STAGES: readonly DealStage[] = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'contractsent',
];

function maybeDeal(
  rng: Rng,
  contact: GeneratedContact,
  convertedAt: number,
  now: number,
  count: number,
): GeneratedDeal | null {
  if (!rng.chance(0.6)) return null;
  const createdAt = convertedAt + Math.round((1 + rng.next() * 13) * DAY_MS);
  if (createdAt > now) return null;
  const closeDate = createdAt + Math.round((14 + rng.next() * 46) * DAY_MS);
  const stage: DealStage =
    closeDate <= now ? (rng.chance(0.35) ? 'closedwon' : 'closedlost') : rng.pick(OPEN_STAGES);
  return {
    id: `dl-${String(count + 1).padStart(5, '0')}`,
    name: `${contact.lastName} – new business`,
    contactId: contact.id,
    companyId: contact.companyId,
    amount: Math.round(Math.exp(9 + rng.normal() * 0.6) / 100) * 100,
    stage,
    createdAt,
    closeDate,
  };
}
