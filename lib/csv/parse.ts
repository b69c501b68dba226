/**
 * RFC 4180 CSV parsing (quoted fields, doubled quotes, CR/LF/CRLF line ends, an optional BOM).
 * Strict: a row with a different number of fields than the header, or a quote left open, is an
 * error naming the line, because guessing would shift values into the wrong columns.
 */

export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line number in the file where each row starts. */
  lines: number[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export function parseCsv(text: string): CsvTable {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  const starts: number[] = [];
  let field = '';
  let record: string[] = [];
  let line = 1;
  let recordStart = 1;
  let inQuotes = false;
  let quotedFieldLine = 0;
  let i = 0;
  const endRecord = (): void => {
    record.push(field);
    field = '';
    // A blank line is not a record.
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      starts.push(recordStart);
    }
    record = [];
  };
  while (i < input.length) {
    const ch = input[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        const next = input[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvError(`line ${line}: unexpected character after a closing quote`, line);
        }
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new CsvError(`line ${line}: a quote inside an unquoted field`, line);
      inQuotes = true;
      quotedFieldLine = line;
      i++;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      recordStart = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (inQuotes)
    throw new CsvError(`line ${quotedFieldLine}: a quoted field is never closed`, quotedFieldLine);
  if (field !== '' || record.length > 0) endRecord();

  const header = records[0];
  if (header === undefined) throw new CsvError('the file is empty', 1);
  const seen = new Set<string>();
  for (const name of header) {
    if (name.trim() === '') throw new CsvError('line 1: the header has an empty column name', 1);
    if (seen.has(name)) throw new CsvError(`line 1: the header names column "${name}" twice`, 1);
    seen.add(name);
  }
  const rows = records.slice(1);
  const lines = starts.slice(1);
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      const at = lines[r] as number;
      throw new CsvError(`line ${at}: expected ${header.length} fields, found ${row.length}`, at);
    }
  });
  return { header, rows, lines };
}
