import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The import rules of design.md §2, as `.dependency-cruiser.cjs` (the file `npm run lint` uses)
 * states them: each case builds a throw-away tree with the real folder names in a temp dir,
 * cruises it with the real config and tsconfig, and lists the violations. A case that breaks a
 * rule expects exactly that violation; a case that is allowed expects none, so weakening a rule
 * and over-tightening one both fail here.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['app', 'connectors', 'scoring', 'cards', 'sandbox', 'demo', 'lib', 'bench', 'test'];

/** How a file imports another: a value import, `import type`, or a dynamic `import()`. */
type Kind = 'value' | 'type' | 'dynamic';
/** from, to (a repository path, or a package / core module name), kind (default value) */
type Edge = readonly [from: string, to: string, kind?: Kind];

const isFile = (to: string): boolean => /\.tsx?$/.test(to);

/** The import statement `from` needs to reach `to`; n keeps the local names apart. */
function importLine(from: string, to: string, kind: Kind, n: number): string {
  let specifier = to;
  if (isFile(to)) {
    specifier = posix.relative(posix.dirname(from), to);
    if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  }
  const s = JSON.stringify(specifier);
  if (kind === 'dynamic') return `export const load${n} = () => import(${s});`;
  if (kind === 'type') {
    return isFile(to)
      ? `import type { T as T${n} } from ${s};\nexport type U${n} = T${n};`
      : `import type * as t${n} from ${s};\nexport type U${n} = typeof t${n};`;
  }
  return isFile(to)
    ? `import { v as v${n} } from ${s};\nexport const u${n} = v${n};`
    : `import * as m${n} from ${s};\nexport const u${n} = m${n};`;
}

let base = '';
let options: ICruiseOptions;
let tsConfig: ReturnType<typeof extractTSConfig>;
let tree = 0;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'leadgate-deps-'));
  options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

/**
 * Writes the files the edges name (every file exports `v` and type `T`) and returns the rule
 * violations as "rule: from → to", npm packages by package name, core modules by name.
 */
async function violations(edges: readonly Edge[]): Promise<string[]> {
  const dir = join(base, String(tree++));
  const files = new Map<string, string[]>();
  const add = (file: string): string[] => {
    let lines = files.get(file);
    if (!lines) {
      lines = ['export const v = 1;', 'export type T = number;'];
      files.set(file, lines);
    }
    return lines;
  };
  edges.forEach(([from, to, kind = 'value'], n) => {
    add(from).push(importLine(from, to, kind, n));
    if (isFile(to)) add(to);
  });
  for (const [file, lines] of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
  }
  // Packages resolve as they do in the repository (scoring-is-pure matches on node_modules/<name>).
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

  const present = FOLDERS.filter((folder) => [...files.keys()].some((f) => f.startsWith(`${folder}/`)));
  const { output } = await cruise(present, { ...options, baseDir: dir }, {}, { tsConfig });
  const result = output as ICruiseResult;
  // The cruise must have seen every edge, or "no violation" would prove nothing.
  expect(result.summary.totalDependenciesCruised).toBeGreaterThanOrEqual(edges.length);
  return result.summary.violations
    .map((violation) => `${violation.rule.name}: ${violation.from} → ${shortName(violation.to)}`)
    .sort();
}

/** `../../work/main/node_modules/@hubspot/api-client/lib/index.js` → `@hubspot/api-client` */
function shortName(to: string): string {
  const inModules = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(to);
  return inModules?.[1] ?? to.replace(/^node:/, '');
}

describe('no-circular', () => {
  it('fails a cycle a → b → a', async () => {
    const found = await violations([
      ['lib/csv/a.ts', 'lib/csv/b.ts'],
      ['lib/csv/b.ts', 'lib/csv/a.ts'],
    ]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-circular: lib\/csv\/[ab]\.ts → lib\/csv\/[ab]\.ts$/);
  });

  it('fails a cycle through type-only imports and through test files', async () => {
    expect(
      await violations([
        ['demo/banner.ts', 'demo/run.ts', 'type'],
        ['demo/run.ts', 'demo/banner.ts'],
      ]),
    ).toHaveLength(1);
    expect(
      await violations([
        ['app/kit/store/store.test.ts', 'app/kit/store/test-support.ts'],
        ['app/kit/store/test-support.ts', 'app/kit/store/store.test.ts'],
      ]),
    ).toHaveLength(1);
  });

  it('passes a chain a → b → c', async () => {
    expect(
      await violations([
        ['lib/csv/a.ts', 'lib/csv/b.ts'],
        ['lib/csv/b.ts', 'lib/csv/c.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('scoring-is-pure', () => {
  it('fails node core modules, I/O packages and anything of ours outside scoring/', async () => {
    expect(
      await violations([
        ['scoring/model.ts', 'node:fs'],
        ['scoring/model.ts', 'node:http', 'type'],
        ['scoring/model.ts', 'winston'],
        ['scoring/model.ts', 'kysely'],
        ['scoring/model.ts', 'jsforce'],
        ['scoring/model.ts', '@hubspot/api-client'],
        ['scoring/model.ts', '@salesforce/not-installed'],
        ['scoring/model.ts', 'app/kit/clock.ts', 'type'],
        ['scoring/model.ts', 'lib/csv/parse.ts'],
      ]),
    ).toEqual([
      'scoring-is-pure: scoring/model.ts → @hubspot/api-client',
      'scoring-is-pure: scoring/model.ts → @salesforce/not-installed',
      'scoring-is-pure: scoring/model.ts → app/kit/clock.ts',
      'scoring-is-pure: scoring/model.ts → fs',
      'scoring-is-pure: scoring/model.ts → http',
      'scoring-is-pure: scoring/model.ts → jsforce',
      'scoring-is-pure: scoring/model.ts → kysely',
      'scoring-is-pure: scoring/model.ts → lib/csv/parse.ts',
      'scoring-is-pure: scoring/model.ts → winston',
    ]);
  });

  it('passes scoring/ importing scoring/ and pure packages, and scoring tests importing anything', async () => {
    expect(
      await violations([
        ['scoring/model.ts', 'scoring/calibration.ts'],
        ['scoring/model.ts', 'ajv'],
        ['scoring/model.ts', 'ml-matrix'],
        ['scoring/model.test.ts', 'node:fs'],
        ['scoring/model.test.ts', 'test/synthetic-leads.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('connectors-stand-alone', () => {
  it('fails connectors/ importing app/, sandbox/, demo/, bench/ or test/', async () => {
    expect(
      await violations([
        ['connectors/hubspot/client.ts', 'app/kit/clock.ts', 'type'],
        ['connectors/hubspot/client.ts', 'sandbox/hubspot/index.ts'],
        ['connectors/salesforce/client.ts', 'demo/index.ts'],
        ['connectors/salesforce/client.ts', 'bench/run.ts'],
        ['connectors/salesforce/client.ts', 'test/real-data.ts'],
      ]),
    ).toEqual([
      'connectors-stand-alone: connectors/hubspot/client.ts → app/kit/clock.ts',
      'connectors-stand-alone: connectors/hubspot/client.ts → sandbox/hubspot/index.ts',
      'connectors-stand-alone: connectors/salesforce/client.ts → bench/run.ts',
      'connectors-stand-alone: connectors/salesforce/client.ts → demo/index.ts',
      'connectors-stand-alone: connectors/salesforce/client.ts → test/real-data.ts',
      'production-never-loads-sandbox: connectors/hubspot/client.ts → sandbox/hubspot/index.ts',
      'production-never-loads-sandbox: connectors/salesforce/client.ts → demo/index.ts',
    ]);
  });

  it('passes connectors/ importing connectors/ and lib/, and connector tests importing the sandbox', async () => {
    expect(
      await violations([
        ['connectors/hubspot/client.ts', 'connectors/types.ts'],
        ['connectors/hubspot/client.ts', 'lib/csv/parse.ts'],
        ['connectors/hubspot/connector.int.test.ts', 'sandbox/hubspot/testing.ts'],
        ['connectors/hubspot/connector.int.test.ts', 'app/kit/clock.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('sandbox-stand-alone', () => {
  it('fails value imports of app/, demo/ or connectors/', async () => {
    expect(
      await violations([
        ['sandbox/hubspot/objects.ts', 'connectors/hubspot/mapping.ts'],
        ['sandbox/hubspot/objects.ts', 'app/kit/clock.ts'],
        ['sandbox/salesforce/rest/server.ts', 'demo/index.ts'],
      ]),
    ).toEqual([
      'sandbox-stand-alone: sandbox/hubspot/objects.ts → app/kit/clock.ts',
      'sandbox-stand-alone: sandbox/hubspot/objects.ts → connectors/hubspot/mapping.ts',
      'sandbox-stand-alone: sandbox/salesforce/rest/server.ts → demo/index.ts',
    ]);
  });

  it('passes type-only imports of them, lib/, scoring/, and sandbox tests importing anything', async () => {
    expect(
      await violations([
        ['sandbox/hubspot/objects.ts', 'connectors/hubspot/mapping.ts', 'type'],
        ['sandbox/hubspot/objects.ts', 'app/kit/clock.ts', 'type'],
        ['sandbox/generator/x-education-file.ts', 'lib/csv/parse.ts'],
        ['sandbox/hubspot/faults.ts', 'scoring/index.ts'],
        ['sandbox/hubspot/objects.int.test.ts', 'connectors/hubspot/index.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('production-never-loads-sandbox', () => {
  it('fails app/, scoring/, cards/ and lib/ importing sandbox/ or demo/', async () => {
    expect(
      await violations([
        ['app/pipeline/ingest.ts', 'sandbox/generator/index.ts'],
        ['app/runtime/build-runtime.ts', 'demo/index.ts', 'dynamic'],
        ['cards/hubspot/load-card.ts', 'demo/index.ts', 'type'],
      ]),
    ).toEqual([
      'cards-contract-only: cards/hubspot/load-card.ts → demo/index.ts',
      'production-never-loads-sandbox: app/pipeline/ingest.ts → sandbox/generator/index.ts',
      'production-never-loads-sandbox: app/runtime/build-runtime.ts → demo/index.ts',
      'production-never-loads-sandbox: cards/hubspot/load-card.ts → demo/index.ts',
    ]);
  });

  it('fails a static import of demo/ from app/main.ts, and any import of sandbox/ from it', async () => {
    expect(
      await violations([
        ['app/main.ts', 'demo/index.ts'],
        ['app/main.ts', 'sandbox/hubspot/index.ts', 'dynamic'],
      ]),
    ).toEqual([
      'production-never-loads-sandbox: app/main.ts → demo/index.ts',
      'production-never-loads-sandbox: app/main.ts → sandbox/hubspot/index.ts',
    ]);
  });

  it('passes app/main.ts loading demo/ by dynamic import(), and tests and test helpers using the sandbox', async () => {
    expect(
      await violations([
        ['app/main.ts', 'demo/index.ts', 'dynamic'],
        ['app/server/testing.ts', 'sandbox/hubspot/index.ts'],
        ['app/pipeline/pipeline.int.test.ts', 'sandbox/generator/index.ts'],
        ['app/runtime/testdata/portal.ts', 'sandbox/generator/index.ts'],
        ['demo/index.ts', 'sandbox/hubspot/index.ts'],
        ['bench/hubspot.ts', 'sandbox/hubspot/index.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('kit-below-features', () => {
  it('fails app/kit/ importing a feature or the composition', async () => {
    expect(
      await violations([
        ['app/kit/jobs/queue.ts', 'app/pipeline/score.ts'],
        ['app/kit/jobs/queue.ts', 'app/integrations/hubspot/tokens.ts', 'type'],
        ['app/kit/http/errors.ts', 'app/cards/routes.ts'],
        ['app/kit/http/errors.ts', 'app/admin/index.ts'],
        ['app/kit/config/load.ts', 'app/runtime/index.ts'],
      ]),
    ).toEqual([
      'features-below-composition: app/kit/config/load.ts → app/runtime/index.ts',
      'kit-below-features: app/kit/config/load.ts → app/runtime/index.ts',
      'kit-below-features: app/kit/http/errors.ts → app/admin/index.ts',
      'kit-below-features: app/kit/http/errors.ts → app/cards/routes.ts',
      'kit-below-features: app/kit/jobs/queue.ts → app/integrations/hubspot/tokens.ts',
      'kit-below-features: app/kit/jobs/queue.ts → app/pipeline/score.ts',
    ]);
  });

  it('passes the kit importing the kit, connectors/ and scoring/, and kit tests importing features', async () => {
    expect(
      await violations([
        ['app/kit/jobs/queue.ts', 'app/kit/clock.ts'],
        ['app/kit/store/open-store.ts', 'scoring/index.ts'],
        ['app/kit/store/open-store.ts', 'connectors/types.ts', 'type'],
        ['app/kit/store/store.test.ts', 'app/pipeline/score.ts'],
        ['app/kit/jobs/testdata/jobs.ts', 'app/pipeline/score.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('features-below-composition', () => {
  it('fails a feature importing app/server/, app/runtime/, app/cli/ or app/main.ts', async () => {
    expect(
      await violations([
        ['app/pipeline/score.ts', 'app/server/types.ts', 'type'],
        ['app/integrations/hubspot/install-routes.ts', 'app/runtime/index.ts'],
        ['app/admin/admin-routes.ts', 'app/cli/errors.ts'],
        ['app/cards/routes.ts', 'app/main.ts'],
      ]),
    ).toEqual([
      'features-below-composition: app/admin/admin-routes.ts → app/cli/errors.ts',
      'features-below-composition: app/cards/routes.ts → app/main.ts',
      'features-below-composition: app/integrations/hubspot/install-routes.ts → app/runtime/index.ts',
      'features-below-composition: app/pipeline/score.ts → app/server/types.ts',
    ]);
  });

  it('passes the composition importing features and the kit, and features importing the kit', async () => {
    expect(
      await violations([
        ['app/main.ts', 'app/runtime/index.ts'],
        ['app/runtime/index.ts', 'app/pipeline/index.ts'],
        ['app/server/app.ts', 'app/admin/index.ts'],
        ['app/cli/main.ts', 'app/server/app.ts'],
        ['app/pipeline/index.ts', 'app/kit/clock.ts'],
        ['app/admin/status-route.int.test.ts', 'app/server/testing.ts'],
      ]),
    ).toEqual([]);
  });
});

describe('lib-stand-alone', () => {
  it('fails lib/ importing anything of ours outside lib/', async () => {
    expect(
      await violations([
        ['lib/csv/parse.ts', 'scoring/index.ts'],
        ['lib/csv/parse.ts', 'app/kit/clock.ts', 'type'],
        ['lib/csv/parse.ts', 'connectors/types.ts'],
      ]),
    ).toEqual([
      'lib-stand-alone: lib/csv/parse.ts → app/kit/clock.ts',
      'lib-stand-alone: lib/csv/parse.ts → connectors/types.ts',
      'lib-stand-alone: lib/csv/parse.ts → scoring/index.ts',
    ]);
  });

  it('passes lib/ importing lib/ and core modules', async () => {
    expect(
      await violations([
        ['lib/csv/index.ts', 'lib/csv/parse.ts'],
        ['lib/csv/parse.ts', 'node:fs'],
      ]),
    ).toEqual([]);
  });
});

describe('cards-contract-only', () => {
  it('fails cards/ importing anything of ours outside cards/', async () => {
    expect(
      await violations([
        ['cards/hubspot/load-card.ts', 'app/cards/card-service.ts'],
        ['cards/hubspot/labels.ts', 'scoring/index.ts', 'type'],
        ['cards/contract/build.ts', 'connectors/salesforce/fields.ts'],
      ]),
    ).toEqual([
      'cards-contract-only: cards/contract/build.ts → connectors/salesforce/fields.ts',
      'cards-contract-only: cards/hubspot/labels.ts → scoring/index.ts',
      'cards-contract-only: cards/hubspot/load-card.ts → app/cards/card-service.ts',
    ]);
  });

  it('passes the cards importing the contract and packages, and card tests importing anything', async () => {
    expect(
      await violations([
        ['cards/hubspot/load-card.ts', 'cards/contract/index.ts'],
        ['cards/hubspot/score-card.tsx', 'react'],
        ['cards/hubspot/project/assemble.ts', 'node:fs'],
        ['cards/salesforce/metadata.test.ts', 'connectors/salesforce/fields.ts'],
        ['cards/contract/build.test.ts', 'app/kit/store/types.ts', 'type'],
      ]),
    ).toEqual([]);
  });
});
