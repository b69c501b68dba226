import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../config/index.ts';
import { generatedDocs } from './docs.ts';
import { ERROR_CATALOGUE, ERROR_CODES } from './errors.ts';

const docs = await generatedDocs();

describe('generated docs', () => {
  it.each(docs.map((d) => [d.url.pathname.split('/').slice(-2).join('/'), d] as const))(
    'keeps the committed %s equal to the generated one (regenerate: npx tsx app/kit/http/generate-docs.ts)',
    async (_name, doc) => {
      expect(await readFile(doc.url, 'utf8')).toBe(doc.content);
    },
  );

  it('documents every configuration variable with its default and secrecy', () => {
    const content = docs.find((d) => d.url.pathname.endsWith('configuration.md'))?.content ?? '';
    for (const v of CONFIG_VARIABLES) {
      const row = content.split('\n').find((line) => line.startsWith(`| \`${v.name}\``)) ?? '';
      expect(row).toContain(v.secret ? ' yes ' : ' no ');
      expect(row).toContain(v.default === undefined ? '(unset)' : `\`${v.default}\``);
    }
  });

  it('documents every error code with its status', () => {
    const content = docs.find((d) => d.url.pathname.endsWith('errors.md'))?.content ?? '';
    for (const code of ERROR_CODES) {
      expect(content).toMatch(new RegExp(`\\| \`${code}\`\\s+\\| ${ERROR_CATALOGUE[code].status}\\s+\\|`));
    }
  });
});
