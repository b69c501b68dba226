/**
 * `npm run build:hubspot`: assembles dist/hubspot-project/ for `hs project upload`.
 * A build tool, so it reads LEADGATE_PUBLIC_URL itself (the app's config module is for the server).
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
  );
  process.stdout.write(
    `HubSpot project assembled in ${result.outDir} (${result.files.length} files).\n` +
      `Next: cd ${result.outDir} && hs project upload\n`,
  );
} catch (error) {
  process.stderr.write(`build:hubspot failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
