import { SalesforceApiError } from '../errors.ts';

/**
 * SOQL errors point at the offending spot the way Salesforce does:
 * `\n<query line>\n   ^\nERROR at Row:1:Column:12\n<text>`.
 */
export function soqlError(errorCode: string, soql: string, pos: number, text: string): SalesforceApiError {
  const before = soql.slice(0, pos);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = pos - lineStart + 1;
  const lineEnd = soql.indexOf('\n', pos);
  const line = soql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const caret = ' '.repeat(Math.max(0, column - 1)) + '^';
  return new SalesforceApiError(
    400,
    errorCode,
    `\n${line}\n${caret}\nERROR at Row:${row}:Column:${column}\n${text}`,
  );
}

export const noSuchColumn = (soql: string, pos: number, field: string, object: string): SalesforceApiError =>
  soqlError(
    'INVALID_FIELD',
    soql,
    pos,
    `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
