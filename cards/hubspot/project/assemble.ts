import {
  chmodSync,
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { buildWebhookPathSecret } from './webhook-secret.ts';

export { buildWebhookPathSecret } from './webhook-secret.ts';

export const PLACEHOLDER = '${LEADGATE_PUBLIC_URL}';
/**
 * The webhook path secret in webhooks-hsmeta.json's target URL. The repository keeps the placeholder
 * only; the build fills it from HUBSPOT_CLIENT_SECRET, so the secret lives in dist/ (not committed)
 * and in HubSpot's webhook settings, which the card's proxy requests cannot read (issue 14 item 2).
 */
export const WEBHOOK_SECRET_PLACEHOLDER = '${LEADGATE_WEBHOOK_PATH_SECRET}';
/** The component the path secret goes into, relative to the project folder. */
export const WEBHOOKS_CONFIG = join('src', 'app', 'webhooks', 'webhooks-hsmeta.json');

/** The card's source files, copied flat into `src/app/cards/` (tests and build code stay behind). */
export const CARD_FILES = [
  'score-card-entry.tsx',
  'score-card.tsx',
  'load-card.ts',
  'labels.ts',
  'backend-url.ts',
] as const;

/** The contract files the card imports at run time; none of them imports a package (no ajv). */
export const CONTRACT_FILES = ['types.ts', 'guard.ts', 'build.ts'] as const;

export interface ProjectPaths {
  /** manifest/hubspot: hsproject.json and src/ as data with placeholders */
  readonly manifestDir: string;
  /** cards/hubspot */
  readonly cardDir: string;
  /** cards/contract */
  readonly contractDir: string;
  /** where the uploadable project goes; replaced entirely */
  readonly outDir: string;
}

/**
 * Checks LEADGATE_PUBLIC_URL for HubSpot and returns its origin. hubspot.fetch takes fully qualified
 * https URLs only, never localhost (hubspot.md §7.3); the manifest appends our routes' paths to it
 * (`permittedUrls.fetch` names the card route, the webhook target its route); OAuth redirect URLs
 * must name a domain, not an IP address (hubspot.md §1.1).
 */
export function hubspotPublicOrigin(value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    throw new Error('LEADGATE_PUBLIC_URL is required: the https origin HubSpot reaches leadgate at.');
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`LEADGATE_PUBLIC_URL is not a URL: ${value}`);
  }
  const problems: string[] = [];
  if (url.protocol !== 'https:') problems.push('must be https (hubspot.fetch accepts https only)');
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost'))
    problems.push('must not be localhost (use local.json proxying for `hs project dev`)');
  if (/^[0-9.]+$/.test(url.hostname) || url.hostname.startsWith('['))
    problems.push('must be a domain name, not an IP address (OAuth redirect rule)');
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  )
    problems.push(
      'must be an origin only, without path, query or credentials (the manifest appends the route paths)',
    );
  if (problems.length > 0) throw new Error(`LEADGATE_PUBLIC_URL ${value}: ${problems.join('; ')}`);
  return url.origin;
}

/** `path` is `dir` or inside it. */
function within(dir: string, path: string): boolean {
  return path === dir || path.startsWith(`${dir}${sep}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Fills the origin placeholder, and the others given (placeholder → value); fails on any
 * `${LEADGATE_…}` left, so a new placeholder cannot ship unfilled.
 */
export function fillPlaceholders(
  text: string,
  origin: string,
  file: string,
  more: Readonly<Record<string, string>> = {},
): string {
  let filled = text.split(PLACEHOLDER).join(origin);
  for (const [placeholder, value] of Object.entries(more)) filled = filled.split(placeholder).join(value);
  const left = /\$\{LEADGATE_[A-Z_]+\}/.exec(filled);
  if (left !== null) throw new Error(`${file}: unfilled placeholder ${left[0]}`);
  return filled;
}

/**
 * In the repo the card imports `../contract/…`; in the project the contract sits in
 * `src/app/cards/contract/` because HubSpot uploads only `srcDir` (hubspot.md §7.4).
 */
export function rewriteContractImports(source: string): string {
  return source.replace(/(from\s+['"])\.\.\/contract\//g, '$1./contract/');
}

export interface AssembleResult {
  readonly outDir: string;
  /** paths relative to outDir, sorted */
  readonly files: string[];
  /** manifest files deliberately not written (`withoutWebhooks`) */
  readonly leftOut: string[];
}

export interface AssembleOptions {
  /** HUBSPOT_CLIENT_SECRET: the webhook path secret is derived from it. */
  readonly clientSecret?: string | undefined;
  /**
   * Leave the webhooks component out: for the very first upload only, which creates the app, before
   * HubSpot has shown its client secret. Build and upload again with the secret straight after.
   */
  readonly withoutWebhooks?: boolean;
}

/** Builds the uploadable project folder: manifest data, card code and contract, placeholders filled. */
export function assembleProject(
  paths: ProjectPaths,
  publicUrl: string | undefined,
  options: AssembleOptions = {},
): AssembleResult {
  const origin = hubspotPublicOrigin(publicUrl);
  const clientSecret = options.clientSecret?.trim() ?? '';
  const withoutWebhooks = options.withoutWebhooks === true;
  if (clientSecret === '' && !withoutWebhooks) {
    throw new Error(
      'HUBSPOT_CLIENT_SECRET is required: the webhook target URL carries a path secret derived from it. ' +
        "On the very first upload, before HubSpot shows the app's client secret, build with " +
        '--without-webhooks, upload, then build and upload again with HUBSPOT_CLIENT_SECRET set.',
    );
  }
  rmSync(paths.outDir, { recursive: true, force: true });
  mkdirSync(paths.outDir, { recursive: true });
  const webhooksConfig = join(paths.manifestDir, WEBHOOKS_CONFIG);
  cpSync(paths.manifestDir, paths.outDir, {
    recursive: true,
    filter: (src) =>
      !/README\.md$|\.test\.ts$/.test(src) && !(withoutWebhooks && within(dirname(webhooksConfig), src)),
  });
  const cardsOut = join(paths.outDir, 'src', 'app', 'cards');
  mkdirSync(join(cardsOut, 'contract'), { recursive: true });
  for (const file of CARD_FILES) {
    const source = readFileSync(join(paths.cardDir, file), 'utf8');
    writeFileSync(join(cardsOut, file), rewriteContractImports(source));
  }
  for (const file of CONTRACT_FILES) {
    writeFileSync(join(cardsOut, 'contract', file), readFileSync(join(paths.contractDir, file), 'utf8'));
  }
  const files = filesUnder(paths.outDir);
  const more = withoutWebhooks ? {} : { [WEBHOOK_SECRET_PLACEHOLDER]: buildWebhookPathSecret(clientSecret) };
  for (const file of files) {
    const name = relative(paths.outDir, file);
    // The path secret only where it belongs: anywhere else its placeholder stays and fails the build.
    const values = name === WEBHOOKS_CONFIG ? more : {};
    writeFileSync(file, fillPlaceholders(readFileSync(file, 'utf8'), origin, name, values));
    // It holds a secret: readable by the builder only (upload reads it as the same user).
    if (name === WEBHOOKS_CONFIG) chmodSync(file, 0o600);
  }
  return {
    outDir: paths.outDir,
    files: files.map((f) => relative(paths.outDir, f)).sort(),
    leftOut: withoutWebhooks ? [WEBHOOKS_CONFIG] : [],
  };
}

/** Relative import specifiers of a TS source (`./x.ts`, `../y.ts`), for the self-containment check. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] ?? '');
}
