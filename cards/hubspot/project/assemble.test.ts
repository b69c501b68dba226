import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assembleProject,
  fillPlaceholders,
  hubspotPublicOrigin,
  relativeImports,
  rewriteContractImports,
} from './assemble.ts';
import type { AssembleOptions, AssembleResult } from './assemble.ts';
import { translate } from '@hubspot/project-parsing-lib/translate';
import { validateUid } from '@hubspot/project-parsing-lib/uid';
import { webhookUrl } from '../../../app/integrations/hubspot/index.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ORIGIN = 'https://leadgate.example.com';
const CLIENT_SECRET = 'assemble-test-client-secret';

/** The project as `npm run build:hubspot` assembles it, into a fresh temp folder. */
function assembleIntoTemp(
  prefix: string,
  options: AssembleOptions = { clientSecret: CLIENT_SECRET },
): { out: string; result: AssembleResult } {
  const out = join(mkdtempSync(join(tmpdir(), prefix)), 'hubspot-project');
  const result = assembleProject(
    {
      manifestDir: join(ROOT, 'manifest', 'hubspot'),
      cardDir: join(ROOT, 'cards', 'hubspot'),
      contractDir: join(ROOT, 'cards', 'contract'),
      outDir: out,
    },
    ORIGIN,
    options,
  );
  return { out, result };
}

describe('hubspotPublicOrigin', () => {
  it.each([
    ['https://leadgate.example.com', ORIGIN],
    ['https://leadgate.example.com/', ORIGIN],
    ['https://leadgate.example.com:8443', 'https://leadgate.example.com:8443'],
  ])('accepts %s', (input, origin) => {
    expect(hubspotPublicOrigin(input)).toBe(origin);
  });

  it.each([
    ['unset', undefined, 'required'],
    ['http', 'http://leadgate.example.com', 'https'],
    ['localhost', 'https://localhost:8080', 'localhost'],
    ['an IP address', 'https://10.0.0.1', 'IP address'],
    ['a path', 'https://leadgate.example.com/app', 'origin only'],
    ['not a URL', 'leadgate', 'not a URL'],
  ])('refuses %s', (_name, input, message) => {
    expect(() => hubspotPublicOrigin(input)).toThrow(message);
  });
});

describe('fillPlaceholders', () => {
  it('fills every LEADGATE_PUBLIC_URL placeholder', () => {
    expect(fillPlaceholders('${LEADGATE_PUBLIC_URL}/a ${LEADGATE_PUBLIC_URL}', ORIGIN, 'f')).toBe(
      `${ORIGIN}/a ${ORIGIN}`,
    );
  });

  it('fails on an unknown LEADGATE_ placeholder', () => {
    expect(() => fillPlaceholders('${LEADGATE_SUPPORT_EMAIL}', ORIGIN, 'f')).toThrow('unfilled placeholder');
  });

  it('leaves template literals of the code alone', () => {
    expect(fillPlaceholders('`${SCORE_PATH}`', ORIGIN, 'f')).toBe('`${SCORE_PATH}`');
  });
});

describe('rewriteContractImports', () => {
  it('points ../contract/ imports at the copied ./contract/ folder', () => {
    expect(rewriteContractImports("import type { X } from '../contract/types.ts';")).toBe(
      "import type { X } from './contract/types.ts';",
    );
  });
});

describe('assembleProject', () => {
  let out: string;
  let result: AssembleResult;

  beforeAll(() => {
    ({ out, result } = assembleIntoTemp('leadgate-hsproject-'));
  });

  afterAll(() => {
    rmSync(dirname(out), { recursive: true, force: true });
  });

  it('writes the project files and nothing else', () => {
    expect(result.files).toEqual([
      'hsproject.json',
      'src/app/app-hsmeta.json',
      'src/app/cards/backend-url.ts',
      'src/app/cards/contract/build.ts',
      'src/app/cards/contract/guard.ts',
      'src/app/cards/contract/types.ts',
      'src/app/cards/labels.ts',
      'src/app/cards/load-card.ts',
      'src/app/cards/package.json',
      'src/app/cards/score-card-entry.tsx',
      'src/app/cards/score-card-hsmeta.json',
      'src/app/cards/score-card.tsx',
      'src/app/webhooks/webhooks-hsmeta.json',
    ]);
  });

  it('leaves no placeholder unfilled', () => {
    const left = result.files.filter((f) => readFileSync(join(out, f), 'utf8').includes('${LEADGATE_'));
    expect(left).toEqual([]);
  });

  it('fills the public origin into the manifest and the card', () => {
    const app = JSON.parse(readFileSync(join(out, 'src/app/app-hsmeta.json'), 'utf8')) as {
      config: { permittedUrls: { fetch: string[] }; auth: { redirectUrls: string[] } };
    };
    expect(app.config.permittedUrls.fetch).toEqual([`${ORIGIN}/cards/hubspot/score`]);
    expect(app.config.auth.redirectUrls).toEqual([`${ORIGIN}/install/hubspot/callback`]);
    expect(readFileSync(join(out, 'src/app/cards/backend-url.ts'), 'utf8')).toContain(`'${ORIGIN}'`);
  });

  it('fills the webhook target with the path secret the server derives from the client secret', () => {
    const hooks = JSON.parse(readFileSync(join(out, 'src/app/webhooks/webhooks-hsmeta.json'), 'utf8')) as {
      config: { settings: { targetUrl: string } };
    };
    expect(hooks.config.settings.targetUrl).toBe(webhookUrl(ORIGIN, CLIENT_SECRET));
  });

  it('puts the path secret in the webhook config only, never in card code', () => {
    const secretPart = webhookUrl(ORIGIN, CLIENT_SECRET).split('/').pop() ?? '';
    const holding = result.files.filter((f) => readFileSync(join(out, f), 'utf8').includes(secretPart));
    expect(holding).toEqual(['src/app/webhooks/webhooks-hsmeta.json']);
  });

  it('resolves every relative import inside src/ (HubSpot uploads only srcDir)', () => {
    const src = join(out, 'src');
    const outside: string[] = [];
    for (const file of result.files.filter((f) => /\.tsx?$/.test(f))) {
      for (const spec of relativeImports(readFileSync(join(out, file), 'utf8'))) {
        const target = resolve(dirname(join(out, file)), spec);
        if (!existsSync(target) || relative(src, target).startsWith('..')) outside.push(`${file} -> ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('imports only packages the cards package.json declares', () => {
    const pkg = JSON.parse(readFileSync(join(out, 'src/app/cards/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const bare = result.files
      .filter((f) => /\.tsx?$/.test(f))
      .flatMap((f) => [...readFileSync(join(out, f), 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)])
      .map((m) =>
        (m[1] ?? '')
          .split('/')
          .slice(0, (m[1] ?? '').startsWith('@') ? 2 : 1)
          .join('/'),
      );
    expect([...new Set(bare)].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });

  it('puts the card entry point where score-card-hsmeta.json says', () => {
    const meta = JSON.parse(readFileSync(join(out, 'src/app/cards/score-card-hsmeta.json'), 'utf8')) as {
      config: { entrypoint: string };
    };
    expect(existsSync(join(out, 'src', meta.config.entrypoint))).toBe(true);
  });
});

describe('assembleProject without the client secret', () => {
  const paths = (out: string) => ({
    manifestDir: join(ROOT, 'manifest', 'hubspot'),
    cardDir: join(ROOT, 'cards', 'hubspot'),
    contractDir: join(ROOT, 'cards', 'contract'),
    outDir: out,
  });

  it('refuses to build, naming HUBSPOT_CLIENT_SECRET and the first-upload way out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'leadgate-hsnosecret-')), 'p');
    expect(() => assembleProject(paths(out), ORIGIN, {})).toThrow(
      /HUBSPOT_CLIENT_SECRET.*--without-webhooks/s,
    );
    rmSync(dirname(out), { recursive: true, force: true });
  });

  it('leaves the webhooks out when asked to (the first upload, before HubSpot shows the secret)', () => {
    const { out, result } = assembleIntoTemp('leadgate-hsnohooks-', { withoutWebhooks: true });
    expect(result.files.filter((f) => f.includes('webhooks'))).toEqual([]);
    expect(result.leftOut).toEqual(['src/app/webhooks/webhooks-hsmeta.json']);
    rmSync(dirname(out), { recursive: true, force: true });
  });
});

/**
 * HubSpot's own parser, the `translate()` step `hs project upload` runs locally before uploading. Its
 * schema validation needs an authenticated account (it fetches the schemas), so it runs with
 * skipValidation here; what it still proves offline is that HubSpot finds each component where we put
 * it, with the type and dependencies we mean (a misplaced or misnamed -hsmeta.json is silently missed).
 */
describe("the assembled project through HubSpot's project parser", () => {
  let out: string;

  beforeAll(() => {
    ({ out } = assembleIntoTemp('leadgate-hsparse-'));
  });

  afterAll(() => {
    rmSync(dirname(out), { recursive: true, force: true });
  });

  it('finds the app, the contact card and the webhooks, each with a valid uid, none skipped', async () => {
    const project = JSON.parse(readFileSync(join(out, 'hsproject.json'), 'utf8')) as {
      srcDir: string;
      platformVersion: string;
    };
    const { intermediateRepresentation, skippedHsMetaFiles } = await translate(
      { projectSourceDir: join(out, project.srcDir), platformVersion: project.platformVersion },
      { skipValidation: true },
    );
    const nodes = Object.values(intermediateRepresentation.intermediateNodesIndexedByUid).map((node) => ({
      uid: node.uid,
      type: node.componentType,
      file: node.metaFilePath,
      app: node.componentDeps.app,
      uidProblem: validateUid(node.uid),
    }));
    expect(skippedHsMetaFiles).toEqual([]);
    expect(nodes).toEqual([
      {
        uid: 'leadgate_app',
        type: 'APPLICATION',
        file: 'app/app-hsmeta.json',
        app: undefined,
        uidProblem: undefined,
      },
      {
        uid: 'leadgate_score_card',
        type: 'CARD',
        file: 'app/cards/score-card-hsmeta.json',
        app: 'leadgate_app',
        uidProblem: undefined,
      },
      {
        uid: 'leadgate_webhooks',
        type: 'WEBHOOKS',
        file: 'app/webhooks/webhooks-hsmeta.json',
        app: 'leadgate_app',
        uidProblem: undefined,
      },
    ]);
  });
});
