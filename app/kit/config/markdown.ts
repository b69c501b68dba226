import { CONFIG_VARIABLES } from './variables.ts';
import type { ConfigVariable } from './variables.ts';

/** Pipes would end a Markdown table cell early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The configuration table (name, default, secret, description), one row per variable. */
export function renderConfigTable(variables: readonly ConfigVariable[] = CONFIG_VARIABLES): string {
  const rows = variables.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? '(unset)' : `\`${cell(v.default)}\``} | ${v.secret ? 'yes' : 'no'} | ${cell(v.description)} |`,
  );
  return ['| Variable | Default | Secret | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The whole of docs/configuration.md; a test keeps the committed file equal to this. */
export function renderConfigDoc(): string {
  return [
    '# Configuration',
    '',
    '<!-- Generated from app/kit/config/variables.ts by `npx tsx app/kit/http/generate-docs.ts`; do not edit by hand. -->',
    '',
    'leadgate reads its configuration only from environment variables, once, at start-up (`app/kit/config`).',
    'Every variable is validated before anything starts; on failure the process exits listing every problem.',
    'An empty value counts as unset. Secret values are never logged or echoed in error messages.',
    '',
    'Storage: with `LEADGATE_DATABASE_URL` unset, leadgate uses an embedded SQLite file under `LEADGATE_DATA_DIR`;',
    'with a `postgres://` URL it uses PostgreSQL, which several app and worker processes can share.',
    '',
    'Sandbox mode: with no HubSpot or Salesforce credentials set, leadgate talks to the local CRM emulators;',
    '`LEADGATE_ENCRYPTION_KEY` and `LEADGATE_PUBLIC_URL` are then optional.',
    '',
    renderConfigTable(),
    '',
  ].join('\n');
}
