import type { GeneratedCompany, GeneratedContact, GeneratedEvent, LeadSource, Seniority } from './types.ts';

/**
 * The known "true" conversion model of the generated portal. Every outcome is drawn from
 * sigmoid(trueLogit(signalsAsOf(contact, decisionAt))), so a trained model can be checked against
 * these coefficients. Signals only look at what was known at the decision time: no leakage.
 */

export const DAY_MS = 86_400_000;

/** Engagement windows end at the decision time and look back this far. */
export const SIGNAL_WINDOW_DAYS = 30;

/** Days after a contact's creation at which the conversion odds are fixed. */
export const DECISION_DELAY_DAYS = 14;

export interface TrueSignals {
  seniority: Seniority;
  industry: string | null;
  employees: number | null;
  freeMail: boolean;
  leadSource: LeadSource;
  /** Counts within the SIGNAL_WINDOW_DAYS before the decision time. */
  pricingViews: number;
  pageViews: number;
  formSubmissions: number;
  emailClicks: number;
  emailReplies: number;
  meetings: number;
}

export const TRUE_MODEL = {
  intercept: -3.1,
  seniority: {
    c_level: 0.9,
    vp: 0.8,
    director: 0.55,
    manager: 0.2,
    individual: 0,
    student: -1.4,
  } satisfies Record<Seniority, number>,
  industry: {
    Software: 0.5,
    'Financial Services': 0.3,
    Manufacturing: 0,
    Healthcare: -0.1,
    Retail: -0.3,
    Education: -0.6,
  } as Readonly<Record<string, number>>,
  /** No company (free-mail sign-up) costs this much on top of `freeMail`. */
  noCompany: -0.3,
  leadSource: {
    organic_search: 0,
    paid_search: 0.15,
    paid_social: -0.35,
    referral: 0.5,
    direct: 0.1,
    email_marketing: -0.2,
    event: 0.35,
    offline: -0.1,
  } satisfies Record<LeadSource, number>,
  /** Per unit of ln(employees) − ln(200). */
  logEmployees: 0.2,
  freeMail: -0.5,
  /** Per pricing-page view, capped at `pricingCap`. */
  pricingViews: 0.45,
  pricingCap: 4,
  /** Per unit of ln(1 + page views). */
  logPageViews: 0.3,
  /** Per form submission, capped at 3. */
  formSubmissions: 0.25,
  /** Per email click, capped at 4. */
  emailClicks: 0.2,
  /** Per email reply, capped at 2. */
  emailReplies: 0.6,
  /** Per meeting, capped at 2. */
  meetings: 0.9,
} as const;

export function trueLogit(s: TrueSignals): number {
  const m = TRUE_MODEL;
  let z = m.intercept + m.seniority[s.seniority] + m.leadSource[s.leadSource];
  z += s.industry === null ? m.noCompany : (m.industry[s.industry] ?? 0);
  if (s.employees !== null && s.employees > 0) z += m.logEmployees * (Math.log(s.employees) - Math.log(200));
  if (s.freeMail) z += m.freeMail;
  z += m.pricingViews * Math.min(s.pricingViews, m.pricingCap);
  z += m.logPageViews * Math.log1p(s.pageViews);
  z += m.formSubmissions * Math.min(s.formSubmissions, 3);
  z += m.emailClicks * Math.min(s.emailClicks, 4);
  z += m.emailReplies * Math.min(s.emailReplies, 2);
  z += m.meetings * Math.min(s.meetings, 2);
  return z;
}

export function sigmoidOf(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export const PRICING_PATH = '/pricing';

/**
 * The signals of one contact as of time `t`. `events` may hold any contact's events; only this
 * contact's events in [t − window, t) count, so nothing at or after `t` leaks in.
 */
export function signalsAsOf(
  contact: GeneratedContact,
  company: GeneratedCompany | null,
  events: readonly GeneratedEvent[],
  t: number,
): TrueSignals {
  const from = t - SIGNAL_WINDOW_DAYS * DAY_MS;
  const s: TrueSignals = {
    seniority: contact.seniority,
    industry: company?.industry ?? null,
    employees: company?.employees ?? null,
    freeMail: company === null,
    leadSource: contact.leadSource,
    pricingViews: 0,
    pageViews: 0,
    formSubmissions: 0,
    emailClicks: 0,
    emailReplies: 0,
    meetings: 0,
  };
  for (const e of events) {
    if (e.contactId !== contact.id || e.occurredAt < from || e.occurredAt >= t) continue;
    switch (e.type) {
      case 'page_view':
        s.pageViews++;
        if (isPricingUrl(e.attributes.url)) s.pricingViews++;
        break;
      case 'form_submission':
        s.formSubmissions++;
        break;
      case 'email_click':
        s.emailClicks++;
        break;
      case 'email_reply':
        s.emailReplies++;
        break;
      case 'meeting':
        s.meetings++;
        break;
      case 'email_open':
        break;
    }
  }
  return s;
}

/** True when the URL's path is the pricing page (query and fragment ignored). */
export function isPricingUrl(url: string | undefined): boolean {
  if (url === undefined) return false;
  const afterScheme = url.indexOf('//');
  const pathStart = url.indexOf('/', afterScheme < 0 ? 0 : afterScheme + 2);
  if (pathStart < 0) return false;
  const path = url.slice(pathStart).split(/[?#]/)[0];
  return path === PRICING_PATH || path === `${PRICING_PATH}/`;
}
