/** Regenerates the generated docs: `npx tsx app/kit/http/generate-docs.ts`. Tests fail until this runs. */
import { writeFile } from 'node:fs/promises';
import { generatedDocs } from './docs.ts';

for (const doc of await generatedDocs()) {
  await writeFile(doc.url, doc.content);
  process.stdout.write(`wrote ${doc.url.pathname}\n`);
}
