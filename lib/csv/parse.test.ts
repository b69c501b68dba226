import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './parse.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const table = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\r\n');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      ['x, y', 'say "hi"'],
      ['multi\nline', '2'],
    ]);
    expect(table.lines).toEqual([2, 3]);
  });

  it.each([
    ['LF', 'a,b\n1,2\n'],
    ['CRLF', 'a,b\r\n1,2\r\n'],
    ['CR', 'a,b\r1,2\r'],
    ['no final newline', 'a,b\n1,2'],
    ['a byte-order mark', '\ufeffa,b\n1,2\n'],
  ])('accepts %s', (_, text) => {
    expect(parseCsv(text)).toMatchObject({ header: ['a', 'b'], rows: [['1', '2']] });
  });

  it('keeps empty fields', () => {
    expect(parseCsv('a,b,c\n,,\n').rows).toEqual([['', '', '']]);
  });

  it('skips blank lines', () => {
    expect(parseCsv('a\n1\n\n2\n').rows).toEqual([['1'], ['2']]);
  });

  it.each([
    ['a ragged row', 'a,b\n1,2\n3\n', 'line 3: expected 2 fields, found 1'],
    ['a row with too many fields', 'a,b\n1,2,3\n', 'line 2: expected 2 fields, found 3'],
    ['an unclosed quote', 'a,b\n"1,2\n', 'line 2: a quoted field is never closed'],
    ['text after a closing quote', 'a,b\n"1"x,2\n', 'line 2: unexpected character after a closing quote'],
    ['a quote inside a bare field', 'a,b\n1"2,3\n', 'line 2: a quote inside an unquoted field'],
    ['an empty file', '', 'the file is empty'],
    ['a duplicate column', 'a,a\n1,2\n', 'line 1: the header names column "a" twice'],
    ['an empty column name', 'a,\n1,2\n', 'line 1: the header has an empty column name'],
  ])('refuses %s, naming the line', (_, text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(message);
  });
});
