import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const PLACEHOLDER = '${LEADGATE_PUBLIC_URL}';

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
 * https URLs only, never localhost, and `permittedUrls.fetch` lists origins (hubspot.md §7.3); OAuth
 * redirect URLs must name a domain, not an IP address (hubspot.md §1.1).
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
      'must be an origin only, without path, query or credentials (permittedUrls.fetch lists origins)',
    );
  if (problems.length > 0) throw new Error(`LEADGATE_PUBLIC_URL ${value}: ${problems.join('; ')}`);
  return url.origin;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Fills the placeholder; fails on any `${LEADGATE_…}` left, so a new placeholder cannot ship unfilled. */
export function fillPlaceholders(text: string, origin: string, file: string): string {
  const filled = text.split(PLACEHOLDER).join(origin);
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
}

/** Builds the uploadable project folder: manifest data, card code and contract, placeholders filled. */
export function assembleProject(paths: ProjectPaths, publicUrl: string | undefined): AssembleResult {
  const origin = hubspotPublicOrigin(publicUrl);
  rmSync(paths.outDir, { recursive: true, force: true });
  mkdirSync(paths.outDir, { recursive: true });
  cpSync(paths.manifestDir, paths.outDir, {
    recursive: true,
    filter: (src) => !/README\.md$|\.test\.ts$/.test(src),
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
  for (const file of files) {
    writeFileSync(file, fillPlaceholders(readFileSync(file, 'utf8'), origin, relative(paths.outDir, file)));
  }
  return { outDir: paths.outDir, files: files.map((f) => relative(paths.outDir, f)).sort() };
}

/** Relative import specifiers of a TS source (`./x.ts`, `../y.ts`), for the self-containment check. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] ?? '');
}
