import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// The project's one strict RFC 4180 parser; it is pure (no I/O), so the sandbox borrows it.
import { parseCsv } from '../../lib/csv/parse.ts';
import { mapXEducationLeads, type XEducationOptions } from './x-education.ts';
import type { GeneratedPortal } from './types.ts';

/**
 * The X Education leads live in ../shared beside the repository and are never copied into it
 * (their terms forbid redistribution): read them only where they are.
 */
export const X_EDUCATION_CSV = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  '..',
  'shared',
  'data',
  'leads-x-education',
  'Leads.csv',
);

/** The mapped portal, or null when the CSV is not present on this machine. */
export function loadXEducationPortal(
  options: XEducationOptions & { path?: string } = {},
): GeneratedPortal | null {
  const path = options.path ?? X_EDUCATION_CSV;
  if (!existsSync(path)) return null;
  const mapOptions: XEducationOptions = {};
  if (options.seed !== undefined) mapOptions.seed = options.seed;
  if (options.now !== undefined) mapOptions.now = options.now;
  if (options.limit !== undefined) mapOptions.limit = options.limit;
  return mapXEducationLeads(parseCsv(readFileSync(path, 'utf8')), mapOptions);
}
