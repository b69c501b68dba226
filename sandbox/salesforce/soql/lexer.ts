import { soqlError } from './errors.ts';

export type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/;
const OP = /^(?:!=|<>|<=|>=|=|<|>)/;
const STRING_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

/** Splits SOQL into tokens; string escapes follow the SOQL reference (`\'`, `\\`, `\n`, …). */
export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const rest = soql.slice(i);
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= soql.length) throw soqlError('MALFORMED_QUERY', soql, i, 'unterminated string literal');
        const ch = soql.charAt(j);
        if (ch === '\\') {
          const escaped = STRING_ESCAPES[soql.charAt(j + 1)];
          if (escaped === undefined)
            throw soqlError('MALFORMED_QUERY', soql, j, 'Invalid string literal: bad escape sequence');
          value += escaped;
          j += 2;
          continue;
        }
        if (ch === "'") break;
        value += ch;
        j += 1;
      }
      tokens.push({ kind: 'string', text: value, pos: i });
      i = j + 1;
      continue;
    }
    const match = (kind: TokenKind, re: RegExp): boolean => {
      const m = re.exec(rest);
      if (!m) return false;
      tokens.push({ kind, text: m[0], pos: i });
      i += m[0].length;
      return true;
    };
    if (
      match('datetime', DATETIME) ||
      match('date', DATE) ||
      match('number', NUMBER) ||
      match('ident', IDENT) ||
      match('op', OP)
    ) {
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i += 1;
      continue;
    }
    throw soqlError('MALFORMED_QUERY', soql, i, `unexpected token: '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: soql.length });
  return tokens;
}
