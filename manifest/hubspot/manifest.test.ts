/**
 * The HubSpot project manifest is data; this test keeps it honest against the code: the scopes the
 * connector uses, the routes the app serves, the card that exists, the packages we pin.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HUBSPOT_CARD_PATH } from '../../app/cards/index.ts';
import { WEBHOOK_BASE_PATH, webhookPathSecret } from '../../app/integrations/hubspot/index.ts';
import { BACKEND_URL } from '../../cards/hubspot/backend-url.ts';
import { scoreUrl } from '../../cards/hubspot/load-card.ts';
import {
  CARD_FILES,
  PLACEHOLDER,
  WEBHOOK_SECRET_PLACEHOLDER,
  buildWebhookPathSecret,
} from '../../cards/hubspot/project/assemble.ts';
import { CONSENT_PROPERTIES, PERSON_PROPERTIES } from '../../connectors/hubspot/mapping.ts';
import { HUBSPOT_SCOPES, LEADGATE_PROPERTIES } from '../../connectors/hubspot/index.ts';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(DIR, '..', '..');

/** The path fixed by issue 4 and already used by the emulator's OAuth tests. */
const INSTALL_CALLBACK_PATH = '/install/hubspot/callback';

/** Read but not subscribed: createdate never changes (creation covers it), lastmodifieddate changes
 * with every change (it would double every event), names do not feed the score. */
const NOT_SUBSCRIBED = new Set(['createdate', 'lastmodifieddate', 'firstname', 'lastname']);

type Json = Record<string, unknown>;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

function json(path: string): Json {
  return JSON.parse(readFileSync(join(DIR, path), 'utf8')) as Json;
}

function at(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>(
    (v, k) => (typeof v === 'object' && v !== null ? (v as Json)[k] : undefined),
    value,
  );
}

interface Subscription {
  subscriptionType: string;
  propertyName?: string;
  active: boolean;
}

const app = json('src/app/app-hsmeta.json');
const card = json('src/app/cards/score-card-hsmeta.json');
const webhooks = json('src/app/webhooks/webhooks-hsmeta.json');
const legacy = at(webhooks, 'config', 'subscriptions', 'legacyCrmObjects') as Subscription[];
const hubEvents = at(webhooks, 'config', 'subscriptions', 'hubEvents') as Subscription[];

describe('HubSpot project files', () => {
  const jsonFiles = files(DIR).filter((f) => f.endsWith('.json'));

  it.each(jsonFiles.map((f) => [relative(DIR, f)]))('%s is valid JSON', (file) => {
    expect(() => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as unknown).not.toThrow();
  });

  it('names every component config *-hsmeta.json (platform 2025.2 rule)', () => {
    const configs = jsonFiles
      .map((f) => relative(DIR, f))
      .filter((f) => f.startsWith('src/') && basename(f) !== 'package.json');
    expect(configs.every((f) => f.endsWith('-hsmeta.json'))).toBe(true);
  });

  it('gives every component a unique uid', () => {
    const uids = jsonFiles
      .filter((f) => f.endsWith('-hsmeta.json'))
      .map((f) => at(json(relative(DIR, f)), 'uid'));
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('is a platform 2025.2 project with its sources in src/', () => {
    expect(json('hsproject.json')).toMatchObject({ srcDir: 'src', platformVersion: '2025.2' });
  });
});

describe('app-hsmeta.json', () => {
  it('is a marketplace app with OAuth (the only auth marketplace apps may use)', () => {
    expect(at(app, 'config', 'distribution')).toBe('marketplace');
    expect(at(app, 'config', 'auth', 'type')).toBe('oauth');
  });

  it('requires exactly the scopes the connector uses', () => {
    const required = at(app, 'config', 'auth', 'requiredScopes') as string[];
    expect([...required].sort()).toEqual([...HUBSPOT_SCOPES].sort());
    expect(new Set(required).size).toBe(required.length);
  });

  it('asks for no optional scopes', () => {
    expect(at(app, 'config', 'auth', 'optionalScopes')).toEqual([]);
    expect(at(app, 'config', 'auth', 'conditionallyRequiredScopes')).toEqual([]);
  });

  it('redirects OAuth to our install callback', () => {
    expect(at(app, 'config', 'auth', 'redirectUrls')).toEqual([`${PLACEHOLDER}${INSTALL_CALLBACK_PATH}`]);
  });

  it('permits fetch to the card route only, not to the whole origin (issue 14 item 2)', () => {
    expect(at(app, 'config', 'permittedUrls', 'fetch')).toEqual([`${PLACEHOLDER}${HUBSPOT_CARD_PATH}`]);
  });

  it('permits the URL the card fetches, which our card route serves', () => {
    expect(BACKEND_URL).toBe(PLACEHOLDER);
    const url = scoreUrl({ backendUrl: BACKEND_URL, objectId: '2' });
    expect(url.startsWith(`${PLACEHOLDER}${HUBSPOT_CARD_PATH}?`)).toBe(true);
  });

  it('permits no fetch URL that covers the webhook target, whether HubSpot matches by prefix or not', () => {
    const target = at(webhooks, 'config', 'settings', 'targetUrl') as string;
    const permitted = at(app, 'config', 'permittedUrls', 'fetch') as string[];
    expect(permitted.filter((url) => url === PLACEHOLDER || target.startsWith(url))).toEqual([]);
  });
});

describe('score-card-hsmeta.json', () => {
  it('puts the card in the contact record sidebar', () => {
    expect(card).toMatchObject({
      type: 'card',
      config: { location: 'crm.record.sidebar', objectTypes: ['contacts'] },
    });
  });

  it('points at an entry point that exists and is shipped', () => {
    const entrypoint = at(card, 'config', 'entrypoint') as string;
    expect(entrypoint).toBe('/app/cards/score-card-entry.tsx');
    const file = basename(entrypoint);
    expect(CARD_FILES).toContain(file);
    expect(existsSync(join(ROOT, 'cards', 'hubspot', file))).toBe(true);
  });

  it('ships every card file that exists', () => {
    expect(CARD_FILES.every((f) => existsSync(join(ROOT, 'cards', 'hubspot', f)))).toBe(true);
  });
});

describe('cards package.json', () => {
  it('pins the same UI packages as the repository', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Json };
    const cards = json('src/app/cards/package.json');
    const deps = at(cards, 'dependencies') as Json;
    for (const [name, version] of Object.entries(deps))
      expect([name, root.dependencies[name]]).toEqual([name, version]);
  });
});

describe('webhooks-hsmeta.json', () => {
  it('targets our webhook route with its path secret, filled at build time', () => {
    expect(at(webhooks, 'config', 'settings', 'targetUrl')).toBe(
      `${PLACEHOLDER}${WEBHOOK_BASE_PATH}/${WEBHOOK_SECRET_PLACEHOLDER}`,
    );
  });

  it('gets from the build the path secret the server expects', () => {
    for (const secret of ['yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy', 'another-client-secret']) {
      expect(buildWebhookPathSecret(secret)).toBe(webhookPathSecret(secret));
    }
  });

  it('subscribes to contact creation and deletion', () => {
    const types = legacy.map((s) => s.subscriptionType);
    expect(types).toContain('contact.creation');
    expect(types).toContain('contact.deletion');
  });

  it('subscribes to contact.privacyDeletion (a marketplace listing requirement)', () => {
    expect(hubEvents.map((s) => s.subscriptionType)).toEqual(['contact.privacyDeletion']);
  });

  it('watches exactly the contact properties the connector reads for scoring, consent and outcome', () => {
    const watched = legacy
      .filter((s) => s.subscriptionType === 'contact.propertyChange')
      .map((s) => s.propertyName);
    const expected = [...PERSON_PROPERTIES, ...CONSENT_PROPERTIES].filter((p) => !NOT_SUBSCRIBED.has(p));
    expect([...watched].sort()).toEqual([...new Set(expected)].sort());
    expect(new Set(watched).size).toBe(watched.length);
  });

  it("never watches leadgate's own properties (our write-back would trigger rescoring)", () => {
    const ours = new Set(LEADGATE_PROPERTIES.map((p) => p.name));
    expect(legacy.filter((s) => s.propertyName !== undefined && ours.has(s.propertyName))).toEqual([]);
  });

  it('has every subscription active', () => {
    expect([...legacy, ...hubEvents].every((s) => s.active)).toBe(true);
  });
});
