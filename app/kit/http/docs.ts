/**
 * Generated docs (docs/configuration.md, docs/errors.md), formatted by prettier exactly as
 * `prettier --check .` expects, so the committed files pass both the lint and the agreement tests.
 * Dev-time only: imported by generate-docs.ts and the tests, never by the running server.
 */
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { renderConfigDoc } from '../config/index.ts';
import { renderErrorsDoc } from './errors.ts';

export interface GeneratedDoc {
  readonly url: URL;
  readonly content: string;
}

async function formatted(relative: string, text: string): Promise<GeneratedDoc> {
  const url = new URL(`../../../${relative}`, import.meta.url);
  const filepath = fileURLToPath(url);
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return { url, content: await prettier.format(text, { ...options, filepath }) };
}

export function generatedDocs(): Promise<GeneratedDoc[]> {
  return Promise.all([
    formatted('docs/configuration.md', renderConfigDoc()),
    formatted('docs/errors.md', renderErrorsDoc()),
  ]);
}
