import type { LeadSource, Seniority } from './types.ts';

/** Word lists for realistic-looking records. Invented names; any match with a real firm is chance. */

export const FIRST_NAMES = [
  'Ava',
  'Liam',
  'Maya',
  'Noah',
  'Zoe',
  'Ethan',
  'Priya',
  'Lucas',
  'Mei',
  'Omar',
  'Sofia',
  'Jonas',
  'Amara',
  'Mateo',
  'Hana',
  'Felix',
  'Leila',
  'Diego',
  'Nora',
  'Kenji',
  'Chloe',
  'Arjun',
  'Ines',
  'Tomas',
  'Yara',
  'Oscar',
  'Freya',
  'Ravi',
  'Elena',
  'Samuel',
  'Aisha',
  'Victor',
  'Lena',
  'Marco',
  'Ingrid',
  'Kwame',
  'Julia',
  'Hugo',
  'Sara',
  'Daniel',
] as const;

export const LAST_NAMES = [
  'Smith',
  'Garcia',
  'Chen',
  'Müller',
  'Okafor',
  'Patel',
  'Rossi',
  'Nguyen',
  'Kowalski',
  'Silva',
  'Johansson',
  'Kim',
  'Dubois',
  'Haddad',
  'Novak',
  'Tanaka',
  'Brown',
  'Fischer',
  'Lopez',
  'Singh',
  'Andersen',
  'Moreau',
  'Ivanova',
  'Costa',
  'Ali',
  'Walsh',
  'Becker',
  'Sato',
  'Jensen',
  'Murphy',
] as const;

export const NAME_STEMS = [
  'Acme',
  'Blue',
  'North',
  'Quant',
  'Vertex',
  'Nimbus',
  'Orbit',
  'Pioneer',
  'Summit',
  'Atlas',
  'Lumen',
  'Harbor',
  'Crest',
  'Cobalt',
  'Evergreen',
  'Signal',
  'Keystone',
  'Beacon',
  'Helix',
  'Polar',
] as const;
export const NAME_TAILS = [
  'Labs',
  'Systems',
  'Works',
  'Analytics',
  'Dynamics',
  'Logic',
  'Partners',
  'Group',
  'Cloud',
  'Health',
] as const;
export const COMPANY_SUFFIXES = ['Inc', 'Ltd', 'GmbH', 'LLC', 'SA', 'BV'] as const;
export const TLDS = ['com', 'io', 'co', 'net', 'de', 'co.uk'] as const;

export const FREE_MAIL_DOMAINS = [
  'gmail.com',
  'outlook.com',
  'yahoo.com',
  'proton.me',
  'icloud.com',
] as const;

/** Industry and its weight among companies. */
export const INDUSTRIES: readonly (readonly [string, number])[] = [
  ['Software', 0.25],
  ['Financial Services', 0.15],
  ['Manufacturing', 0.2],
  ['Healthcare', 0.15],
  ['Retail', 0.15],
  ['Education', 0.1],
];

/** Revenue per employee (USD) by industry: annual revenue follows firm size. */
export const REVENUE_PER_EMPLOYEE: Readonly<Record<string, number>> = {
  Software: 250_000,
  'Financial Services': 400_000,
  Manufacturing: 300_000,
  Healthcare: 180_000,
  Retail: 150_000,
  Education: 90_000,
};

export const COUNTRIES: readonly (readonly [string, number])[] = [
  ['United States', 0.4],
  ['United Kingdom', 0.12],
  ['Germany', 0.12],
  ['France', 0.08],
  ['Canada', 0.08],
  ['Netherlands', 0.06],
  ['Australia', 0.06],
  ['India', 0.08],
];

export const SENIORITIES: readonly (readonly [Seniority, number])[] = [
  ['c_level', 0.05],
  ['vp', 0.08],
  ['director', 0.14],
  ['manager', 0.25],
  ['individual', 0.4],
  ['student', 0.08],
];

export const FUNCTIONS = ['Marketing', 'Sales', 'Operations', 'Engineering', 'Finance', 'IT'] as const;

export function jobTitleFor(seniority: Seniority, fn: string): string {
  switch (seniority) {
    case 'c_level':
      return fn === 'Finance' ? 'CFO' : fn === 'Engineering' || fn === 'IT' ? 'CTO' : 'CEO';
    case 'vp':
      return `VP of ${fn}`;
    case 'director':
      return `Director of ${fn}`;
    case 'manager':
      return `${fn} Manager`;
    case 'individual':
      return `${fn} Specialist`;
    case 'student':
      return 'Student';
  }
}

export const LEAD_SOURCES: readonly (readonly [LeadSource, number])[] = [
  ['organic_search', 0.3],
  ['paid_search', 0.15],
  ['paid_social', 0.12],
  ['referral', 0.08],
  ['direct', 0.12],
  ['email_marketing', 0.1],
  ['event', 0.06],
  ['offline', 0.07],
];

export const SITE = 'https://www.example-saas.com';
export const CONTENT_PAGES = [
  '/',
  '/product',
  '/features',
  '/integrations',
  '/customers',
  '/blog/lead-scoring-101',
  '/blog/pipeline-hygiene',
  '/about',
  '/careers',
] as const;

export const FORMS = [
  { formId: 'f-demo-request', formTitle: 'Request a demo', pageUrl: '/demo' },
  { formId: 'f-ebook', formTitle: 'Download the lead scoring e-book', pageUrl: '/resources/ebook' },
  { formId: 'f-newsletter', formTitle: 'Newsletter sign-up', pageUrl: '/blog' },
  { formId: 'f-contact', formTitle: 'Contact sales', pageUrl: '/contact' },
] as const;

export const CAMPAIGNS = ['Monthly newsletter', 'Product update', 'Webinar invite', 'Case study'] as const;
