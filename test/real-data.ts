import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The X Education leads live in ../shared beside the repository and are never copied into it
 * (their terms forbid redistribution). On a user's clone without them, real-data tests skip and
 * say why; CI sets LEADGATE_REQUIRE_REAL_DATA so a missing file fails instead of skipping.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LEADS_CSV =
  process.env.LEADGATE_LEADS_CSV ?? join(root, '..', 'shared', 'data', 'leads-x-education', 'Leads.csv');

/** Columns filled in by the sales team after contact (see the data set's PROVENANCE.md). */
export const LEAKY_COLUMNS = [
  'Tags',
  'Lead Quality',
  'Lead Profile',
  'Last Activity',
  'Last Notable Activity',
  'Asymmetrique Activity Index',
  'Asymmetrique Profile Index',
  'Asymmetrique Activity Score',
  'Asymmetrique Profile Score',
];

export function realDataAvailable(): boolean {
  if (existsSync(LEADS_CSV)) return true;
  if (process.env.LEADGATE_REQUIRE_REAL_DATA) {
    throw new Error(
      `${LEADS_CSV} is missing and LEADGATE_REQUIRE_REAL_DATA is set: real-data tests must not skip`,
    );
  }
  console.warn(
    `skipping real-data tests: ${LEADS_CSV} not found (it lives in ../shared beside the repository)`,
  );
  return false;
}
