import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LeadInput } from '../../scoring/index.ts';
import { CsvError, parseCsv, type CsvTable } from '../../lib/csv/parse.ts';
import { CliError } from './errors.ts';

/** A CSV file read for training, evaluation or scoring, with every row it could not use accounted for. */
export interface Dataset {
  path: string;
  /** sha256 of the file's bytes: the model records which data it learned from. */
  hash: string;
  table: CsvTable;
  leads: LeadInput[];
  /** Row indices (into table.rows) that made it into `leads`. */
  rowIndex: number[];
  labels: number[];
  /** Rows left out, with the line and the reason. */
  skipped: { line: number; reason: string }[];
}

const TRUE_LABELS = new Set(['1', 'true', 'yes']);
const FALSE_LABELS = new Set(['0', 'false', 'no']);

export function readTable(path: string): { table: CsvTable; hash: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
    throw new CliError(`cannot read ${path}: ${why}`);
  }
  let table: CsvTable;
  try {
    table = parseCsv(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof CsvError) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
  if (table.rows.length === 0) throw new CliError(`${path} has a header but no data rows`);
  return { table, hash: createHash('sha256').update(bytes).digest('hex') };
}

export function columnIndex(table: CsvTable, path: string, column: string, flag: string): number {
  const index = table.header.indexOf(column);
  if (index < 0) {
    const shown = table.header
      .slice(0, 12)
      .map((c) => `"${c}"`)
      .join(', ');
    throw new CliError(
      `${path} has no column "${column}" (named by ${flag}); its columns are ${shown}${table.header.length > 12 ? ', …' : ''}`,
    );
  }
  return index;
}

function toLead(header: readonly string[], row: readonly string[]): LeadInput {
  // Object.fromEntries keeps V8's fast property layout; assigning 37 keys one by one tips the
  // object into dictionary mode, which made scoring these records ~2x slower (bench/run.ts).
  return { attributes: Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])) };
}

/**
 * Reads a CSV with a label column. A row whose label is empty cannot be used and is counted in
 * `skipped`; a label with any value other than 0/1, true/false or yes/no is an error, because it
 * means the column is not what the user thinks it is.
 */
export function readLabelledDataset(path: string, label: string): Dataset {
  const { table, hash } = readTable(path);
  const labelColumn = columnIndex(table, path, label, '--label');
  const leads: LeadInput[] = [];
  const labels: number[] = [];
  const rowIndex: number[] = [];
  const skipped: { line: number; reason: string }[] = [];
  table.rows.forEach((row, r) => {
    const line = table.lines[r] as number;
    const raw = (row[labelColumn] ?? '').trim();
    const value = raw.toLowerCase();
    if (value === '') {
      skipped.push({ line, reason: `empty label "${label}"` });
      return;
    }
    if (!TRUE_LABELS.has(value) && !FALSE_LABELS.has(value)) {
      throw new CliError(
        `${path} line ${line}: label "${label}" is "${raw}"; expected 0/1, true/false or yes/no`,
      );
    }
    labels.push(TRUE_LABELS.has(value) ? 1 : 0);
    leads.push(toLead(table.header, row));
    rowIndex.push(r);
  });
  if (leads.length === 0) throw new CliError(`${path} has no row with a label in "${label}"`);
  return { path, hash, table, leads, labels, rowIndex, skipped };
}

/** Reads a CSV to score: every row is a lead (missing values are the model's business, not an error). */
export function readUnlabelledDataset(path: string): Dataset {
  const { table, hash } = readTable(path);
  return {
    path,
    hash,
    table,
    leads: table.rows.map((row) => toLead(table.header, row)),
    rowIndex: table.rows.map((_, r) => r),
    labels: [],
    skipped: [],
  };
}
