/**
 * `npm run build:hubspot`: assembles dist/hubspot-project/ for `hs project upload`.
 * A build tool, so it reads LEADGATE_PUBLIC_URL and HUBSPOT_CLIENT_SECRET itself (the app's config
 * module is for the server): the webhook target URL carries a path secret derived from the secret.
 * `npm run build:hubspot -- --without-webhooks` leaves the webhooks out, for the very first upload
 * only (HubSpot shows the client secret once the app exists).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { assembleProject } from './assemble.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

try {
  const result = assembleProject(
    {
      manifestDir: join(root, 'manifest', 'hubspot'),
      cardDir: join(root, 'cards', 'hubspot'),
      contractDir: join(root, 'cards', 'contract'),
      outDir: join(root, 'dist', 'hubspot-project'),
    },
    process.env.LEADGATE_PUBLIC_URL,
    {
      clientSecret: process.env.HUBSPOT_CLIENT_SECRET,
      withoutWebhooks: process.argv.includes('--without-webhooks'),
    },
  );
  process.stdout.write(
    `HubSpot project assembled in ${result.outDir} (${result.files.length} files).\n` +
      (result.leftOut.length > 0
        ? `Left out: ${result.leftOut.join(', ')}. Once the upload has created the app, set ` +
          `HUBSPOT_CLIENT_SECRET, build and upload again: without webhooks there are no privacy deletions.\n`
        : '') +
      `Next: cd ${result.outDir} && hs project upload\n`,
  );
} catch (error) {
  process.stderr.write(`build:hubspot failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
