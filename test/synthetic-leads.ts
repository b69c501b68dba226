import { seededRandom, sigmoid } from '../scoring/index.ts';

/**
 * A small synthetic B2B lead table whose true conversion odds are known: tests can check that a
 * model recovers them. Deterministic by seed.
 */
export interface SyntheticLead {
  id: string;
  industry: string;
  employees: string;
  title: string;
  pricing_visits_30d: string;
  newsletter: string;
  converted: string;
  /** The true log-odds the label was drawn from. */
  trueLogit: number;
}

const INDUSTRIES = ['Software', 'Finance', 'Retail', 'Healthcare', 'Education'];
const INDUSTRY_EFFECT: Record<string, number> = {
  Software: 1,
  Finance: 0.5,
  Retail: -0.5,
  Healthcare: 0,
  Education: -1,
};
const TITLES = ['VP', 'Director', 'Manager', 'Analyst', 'Student'];
const TITLE_EFFECT: Record<string, number> = {
  VP: 1.2,
  Director: 0.8,
  Manager: 0.2,
  Analyst: -0.4,
  Student: -1.5,
};

export function syntheticLeads(n: number, seed = 1): SyntheticLead[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const leads: SyntheticLead[] = [];
  for (let i = 0; i < n; i++) {
    const industry = pick(INDUSTRIES);
    const title = pick(TITLES);
    const employees = Math.round(Math.exp(2 + random() * 7));
    const visits = Math.floor(-Math.log(1 - random()) * 2);
    const newsletter = random() < 0.3;
    const trueLogit =
      -1.2 +
      (INDUSTRY_EFFECT[industry] as number) +
      (TITLE_EFFECT[title] as number) +
      0.3 * (Math.log(employees) - 5) +
      0.5 * Math.min(visits, 6) +
      (newsletter ? 0.4 : 0);
    leads.push({
      id: `L${i + 1}`,
      industry,
      // 5% of leads have no employee count: missing values are normal in CRM data.
      employees: random() < 0.05 ? '' : String(employees),
      title,
      pricing_visits_30d: String(visits),
      newsletter: newsletter ? 'Yes' : 'No',
      converted: random() < sigmoid(trueLogit) ? '1' : '0',
      trueLogit,
    });
  }
  return leads;
}

export const SYNTHETIC_COLUMNS = [
  'id',
  'industry',
  'employees',
  'title',
  'pricing_visits_30d',
  'newsletter',
  'converted',
] as const;

export function toCsv(leads: readonly SyntheticLead[]): string {
  const lines = [SYNTHETIC_COLUMNS.join(',')];
  for (const lead of leads) lines.push(SYNTHETIC_COLUMNS.map((c) => lead[c]).join(','));
  return lines.join('\r\n') + '\r\n';
}
