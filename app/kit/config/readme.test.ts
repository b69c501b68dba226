import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from './index.ts';

/** The README's configuration table is what a newcomer reads first: it must match the code. */
const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
const table = readme.slice(
  readme.indexOf('<!-- config-table:start -->'),
  readme.indexOf('<!-- config-table:end -->'),
);
const rows = new Map(
  table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      return [
        cells[1]?.replace(/`/g, '') ?? '',
        { defaultValue: cells[2] ?? '', secret: cells[3] ?? '' },
      ] as const;
    }),
);

describe('the README configuration table', () => {
  it.each(CONFIG_VARIABLES.map((v) => [v.name, v] as const))(
    'lists %s with its default and secrecy',
    (name, variable) => {
      const row = rows.get(name);
      expect(row, `README.md config table lacks ${name}`).toBeDefined();
      expect(row?.defaultValue).toBe(variable.default === undefined ? '(unset)' : `\`${variable.default}\``);
      expect(row?.secret).toBe(variable.secret ? 'yes' : 'no');
    },
  );

  it('lists no variable the code does not read', () => {
    const known = new Set<string>(CONFIG_VARIABLES.map((v) => v.name));
    expect([...rows.keys()].filter((name) => !known.has(name))).toEqual([]);
  });
});
